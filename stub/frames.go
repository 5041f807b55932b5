package main

import (
	"encoding/binary"
	"hash"
	"io"

	"github.com/pack-action/pack-action/stub/internal/sha256"
	"github.com/pack-action/pack-action/stub/internal/zstd"
)

// frameReader decodes the payload's zstd frames several at a time and hands
// their bytes to its one consumer in order (docs/format.md section 4), so
// that a cold start uses every core rather than one.
//
// A finder goroutine reads the compressed payload once, in order, hashing
// it, and parses just enough of each frame (header, block headers) to find
// its end; it hands frame i to worker i mod W. Each worker decodes its
// frames with its own decoder, reading the file again (the bytes are in the
// page cache), into chunk buffers queued for the consumer: up to one whole
// 8 MiB frame ahead, so W frames of the packer's size decode at once, while
// a larger frame streams through the same queue with back-pressure. Memory
// stays bounded by W x frameChunks chunks (and W decoder windows).
//
// When the consumer stops early (a damaged payload), the goroutines stay
// blocked on channels no one reads; the stub is about to exit and nothing
// else waits on them. (select or sync.Cond would let them end, at a cost of
// 9-16 KB the Windows stub does not have.)
type frameReader struct {
	workers []*frameWorker
	k       int    // the worker whose frame the consumer reads
	cur     []byte // unread part of buf
	buf     []byte // the chunk being read, to give back
	err     error
	// Set by the finder before its last job: io.EOF (and sum, the sha256 of
	// the whole compressed payload), or what is wrong after the last frame.
	end error
	sum []byte
}

// frameWorker decodes every W-th frame: jobs are frames' payload offsets
// and sizes (a negative size: no frame follows). It queues on out each
// frame's chunks, then its end (neither data nor err) or its decoding error,
// and after the last job io.EOF.
type frameWorker struct {
	jobs chan [2]int64
	out  chan frameChunk
	free chan []byte
	bufs int // chunk buffers made so far
}

type frameChunk struct {
	data []byte
	err  error
}

const (
	frameChunkSize  = 1 << 20
	frameChunks     = 8 // chunks one worker fills ahead: one frame as the packer writes them
	maxFrameWorkers = 4 // docs/format.md section 4
)

// readFrames starts decoding the size bytes of zstd frames at off in f with
// w workers.
func readFrames(f io.ReaderAt, off, size int64, w int) *frameReader {
	r := &frameReader{}
	for i := 0; i < w; i++ {
		fw := &frameWorker{jobs: make(chan [2]int64, 1), out: make(chan frameChunk, frameChunks+1), free: make(chan []byte, frameChunks)}
		r.workers = append(r.workers, fw)
		go fw.run(f, off)
	}
	go r.find(io.NewSectionReader(f, off, size))
	return r
}

func (r *frameReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		w := r.workers[r.k]
		if r.buf != nil {
			w.free <- r.buf[:cap(r.buf)]
			r.buf = nil
		}
		c := <-w.out
		r.cur, r.buf, r.err = c.data, c.data, c.err
		if c.err == io.EOF {
			r.err = r.end
		} else if c.data == nil && c.err == nil {
			if r.k++; r.k == len(r.workers) {
				r.k = 0
			}
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// find hands each zstd frame of the payload to the workers in turn, hashing
// every byte, and ends with the payload's end or with what is wrong with it,
// in the order of the frames.
func (r *frameReader) find(payload io.Reader) {
	s := &frameScanner{r: payload, hash: sha256.New(), buf: make([]byte, 1<<20)}
	for k, frames := 0, 0; ; k, frames = (k+1)%len(r.workers), frames+1 {
		off, size, err := s.next()
		if err == io.EOF && frames == 0 {
			err = dataErrorf("payload holds no zstd frame")
		}
		if err != nil {
			r.end, r.sum = err, s.hash.Sum(nil)
			r.workers[k].jobs <- [2]int64{0, -1}
			return
		}
		r.workers[k].jobs <- [2]int64{off, size}
	}
}

// run decodes the frames at base+offset; the decoder reads exactly its
// frame, so a frame shorter or longer than the finder found is an error.
func (w *frameWorker) run(f io.ReaderAt, base int64) {
	var dec *zstd.Reader
	var spare []byte // a buffer the last frame did not fill
	for {
		j := <-w.jobs
		if j[1] < 0 {
			w.out <- frameChunk{err: io.EOF}
			return
		}
		src := io.NewSectionReader(f, base+j[0], j[1])
		if dec == nil {
			dec = zstd.NewReader(src)
		} else {
			dec.Reset(src) // keeps its buffers: no 8 MiB allocation per frame
		}
		for {
			buf := spare
			if buf == nil {
				buf = w.buffer()
			}
			n, err := io.ReadFull(dec, buf)
			if spare = nil; n > 0 {
				w.out <- frameChunk{data: buf[:n]}
			} else {
				spare = buf
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = nil
			} else if err != nil {
				err = dataErrorf("payload frame at byte %d: %v", j[0], err)
			}
			if err != nil || n < len(buf) {
				w.out <- frameChunk{err: err}
				break
			}
		}
	}
}

// buffer makes chunk buffers as needed, up to frameChunks, and then waits
// for the consumer to give one back.
func (w *frameWorker) buffer() []byte {
	if w.bufs < frameChunks && len(w.free) == 0 {
		w.bufs++
		return make([]byte, frameChunkSize)
	}
	return <-w.free
}

// frameScanner reads the compressed payload in order, in big reads, hashing
// each byte once, and finds where its frames start and end (RFC 8878 3.1).
type frameScanner struct {
	r      io.Reader
	hash   hash.Hash
	buf    []byte
	lo, hi int   // unread bytes: buf[lo:hi]
	base   int64 // payload offset of buf[0]
	err    error // the read error that stopped it (io.EOF at the end)
}

// skip passes n bytes and, for n <= 4 (a header field), returns them; nil
// if the payload ends first.
func (s *frameScanner) skip(n int) []byte {
	for s.hi-s.lo < n {
		if n > 4 { // drop what is buffered; larger fields need no copy
			n -= s.hi - s.lo
			s.lo = s.hi
		}
		copy(s.buf, s.buf[s.lo:s.hi])
		s.base += int64(s.lo)
		s.hi -= s.lo
		s.lo = 0
		if s.err != nil {
			return nil
		}
		var m int
		m, s.err = s.r.Read(s.buf[s.hi:])
		s.hash.Write(s.buf[s.hi : s.hi+m])
		s.hi += m
	}
	s.lo += n
	return s.buf[s.lo-n : s.lo]
}

// next returns the payload offset and size of the next zstd frame, skipping
// skippable frames; io.EOF at the payload's end.
func (s *frameScanner) next() (int64, int64, error) {
	var start int64
frames:
	for {
		start = s.base + int64(s.lo)
		b := s.skip(4)
		if b == nil && s.lo == s.hi && s.err == io.EOF {
			return 0, 0, io.EOF
		} else if b == nil {
			break
		}
		magic := binary.LittleEndian.Uint32(b)
		if magic&^0xF == 0x184D2A50 { // skippable: a 4-byte size, then that many bytes
			if b = s.skip(4); b == nil || s.skip(int(binary.LittleEndian.Uint32(b))) == nil {
				break
			}
			continue
		}
		if magic != 0xFD2FB528 {
			return 0, 0, dataErrorf("payload has no zstd frame at byte %d", start)
		}
		// Frame_Header_Descriptor: the sizes of Window_Descriptor,
		// Dictionary_ID and Frame_Content_Size, and Content_Checksum_Flag.
		if b = s.skip(1); b == nil {
			break
		}
		d := b[0]
		header := [4]int{0, 2, 4, 8}[d>>6] + [4]int{0, 1, 2, 4}[d&3]
		if d&0x20 == 0 || d>>6 == 0 { // a Window_Descriptor, or a 1-byte Frame_Content_Size
			header++
		}
		if s.skip(header) == nil {
			break
		}
		for last := false; !last; { // blocks
			if b = s.skip(3); b == nil {
				break frames
			}
			h := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
			size := h >> 3
			last = h&1 != 0
			switch (h >> 1) & 3 {
			case 1: // RLE: one byte, repeated size times
				size = 1
			case 3:
				return 0, 0, dataErrorf("payload frame at byte %d has a block of the reserved type", start)
			}
			if s.skip(size) == nil {
				break frames
			}
		}
		if d&4 != 0 && s.skip(4) == nil { // Content_Checksum
			break
		}
		return start, s.base + int64(s.lo) - start, nil
	}
	if s.err != io.EOF {
		return 0, 0, s.err // not the data's fault
	}
	return 0, 0, dataErrorf("payload is truncated: its zstd frame at byte %d ends after it", start)
}
