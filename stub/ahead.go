package main

import "io"

// aheadReader runs a reader (the zstd decoder, and through it the hash of the
// compressed bytes) on its own goroutine, a few chunks ahead of its
// consumer, so that decompression and writing files overlap on two cores,
// as they do for tar --zstd -xf, where zstd is a separate process.
type aheadReader struct {
	chunks chan aheadChunk
	free   chan []byte
	stop   chan struct{}
	cur    []byte
	buf    []byte // cur's whole buffer, returned to free when used up
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
	a := &aheadReader{
		chunks: make(chan aheadChunk, aheadChunks),
		free:   make(chan []byte, aheadChunks+1),
		stop:   make(chan struct{}),
	}
	for i := 0; i < aheadChunks+1; i++ {
		a.free <- make([]byte, aheadChunkSize)
	}
	go func() {
		for {
			var buf []byte
			select {
			case buf = <-a.free:
			case <-a.stop:
				return
			}
			n, err := io.ReadFull(r, buf)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			select {
			case a.chunks <- aheadChunk{buf[:n], err}:
			case <-a.stop:
				return
			}
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
		c := <-a.chunks
		a.cur, a.buf, a.err = c.data, c.data, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// close stops the reading goroutine when the consumer gives up early.
func (a *aheadReader) close() { close(a.stop) }
