package main

import "io"

// aheadReader runs a reader (the zstd decoder, and through it the hash of the
// compressed bytes) on its own goroutine, a few chunks ahead of its
// consumer, so that decompression and writing files overlap on two cores,
// as they do for tar --zstd -xf, where zstd is a separate process.
//
// When the consumer stops early (a damaged payload), the goroutine finishes
// the chunk it is on and then waits for a buffer that never comes back; the
// stub is about to exit, exec or run the embedded version, and nothing
// else waits on it. (select or sync.Cond would let it end, at a cost of
// 9-16 KB the Windows stub does not have.)
type aheadReader struct {
	filled chan aheadChunk
	free   chan []byte
	cur    []byte // being read by the consumer
	buf    []byte // cur's whole buffer
	err    error
}

type aheadChunk struct {
	data []byte
	err  error
}

const (
	aheadChunkSize = 1 << 20
	aheadChunks    = 4
)

func readAhead(r io.Reader) *aheadReader {
	a := &aheadReader{filled: make(chan aheadChunk, aheadChunks), free: make(chan []byte, aheadChunks)}
	for i := 0; i < aheadChunks; i++ {
		a.free <- make([]byte, aheadChunkSize)
	}
	go func() {
		for {
			buf := <-a.free
			n, err := io.ReadFull(r, buf)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			a.filled <- aheadChunk{buf[:n], err}
			if err != nil {
				return
			}
		}
	}()
	return a
}

func (a *aheadReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.buf != nil {
			a.free <- a.buf[:cap(a.buf)]
			a.buf = nil
		}
		c := <-a.filled
		a.cur, a.buf, a.err = c.data, c.data, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}
