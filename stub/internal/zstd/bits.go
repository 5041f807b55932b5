// Copyright 2023 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package zstd

import (
	"encoding/binary"
	"math/bits"
)

// block is the data for a single compressed block.
// The data starts immediately after the 3 byte block header,
// and is Block_Size bytes long.
type block []byte

// bitReader reads a bit stream going forward.
type bitReader struct {
	r    *Reader // for error reporting
	data block   // the bits to read
	off  uint32  // current offset into data
	bits uint32  // bits ready to be returned
	cnt  uint32  // number of valid bits in the bits field
}

// makeBitReader makes a bit reader starting at off.
func (r *Reader) makeBitReader(data block, off int) bitReader {
	return bitReader{
		r:    r,
		data: data,
		off:  uint32(off),
	}
}

// moreBits is called to read more bits.
// This ensures that at least 16 bits are available.
func (br *bitReader) moreBits() error {
	for br.cnt < 16 {
		if br.off >= uint32(len(br.data)) {
			return br.r.makeEOFError(int(br.off))
		}
		c := br.data[br.off]
		br.off++
		br.bits |= uint32(c) << br.cnt
		br.cnt += 8
	}
	return nil
}

// val is called to fetch a value of b bits.
func (br *bitReader) val(b uint8) uint32 {
	r := br.bits & ((1 << b) - 1)
	br.bits >>= b
	br.cnt -= uint32(b)
	return r
}

// backup steps back to the last byte we used.
func (br *bitReader) backup() {
	for br.cnt >= 8 {
		br.off--
		br.cnt -= 8
	}
}

// makeError returns an error at the current offset wrapping a string.
func (br *bitReader) makeError(msg string) error {
	return br.r.makeError(int(br.off), msg)
}

// reverseBitReader reads a bit stream in reverse.
type reverseBitReader struct {
	r     *Reader // for error reporting
	data  block   // the bits to read
	off   uint32  // current offset into data
	start uint32  // start in data; we read backward to start
	bits  uint32  // bits ready to be returned
	cnt   uint32  // number of valid bits in bits field
}

// makeReverseBitReader makes a reverseBitReader reading backward
// from off to start. The bitstream starts with a 1 bit in the last
// byte, at off.
func (r *Reader) makeReverseBitReader(data block, off, start int) (reverseBitReader, error) {
	streamStart := data[off]
	if streamStart == 0 {
		return reverseBitReader{}, r.makeError(off, "zero byte at reverse bit stream start")
	}
	rbr := reverseBitReader{
		r:     r,
		data:  data,
		off:   uint32(off),
		start: uint32(start),
		bits:  uint32(streamStart),
		cnt:   uint32(7 - bits.LeadingZeros8(streamStart)),
	}
	return rbr, nil
}

// val is called to fetch a value of b bits.
func (rbr *reverseBitReader) val(b uint8) (uint32, error) {
	if !rbr.fetch(b) {
		return 0, rbr.r.makeEOFError(int(rbr.off))
	}

	rbr.cnt -= uint32(b)
	v := (rbr.bits >> rbr.cnt) & ((1 << b) - 1)
	return v, nil
}

// fetch is called to ensure that at least b bits are available.
// It reports false if this can't be done,
// in which case only rbr.cnt bits are available.
func (rbr *reverseBitReader) fetch(b uint8) bool {
	for rbr.cnt < uint32(b) {
		if rbr.off <= rbr.start {
			return false
		}
		rbr.off--
		c := rbr.data[rbr.off]
		rbr.bits <<= 8
		rbr.bits |= uint32(c)
		rbr.cnt += 8
	}
	return true
}

// makeError returns an error at the current offset wrapping a string.
func (rbr *reverseBitReader) makeError(msg string) error {
	return rbr.r.makeError(int(rbr.off), msg)
}

// backBits reads a bit stream in reverse, 64 bits at a time, for the hot
// loops (sequences and Huffman literals); reverseBitReader, which fails as
// soon as a read runs out of bits, is kept for the Huffman weights, whose
// end is defined by that. Reading past the stream's start yields zeros;
// finished tells whether exactly the whole stream was read.
type backBits struct {
	in    []byte // bytes not yet loaded, read from the end
	value uint64 // loaded bits; the unread ones are the low 64-used
	used  uint   // bits of value already read, from the top
}

// init starts reading stream, whose last byte holds the start marker.
func (b *backBits) init(stream []byte) bool {
	if len(stream) == 0 || stream[len(stream)-1] == 0 {
		return false
	}
	last := stream[len(stream)-1]
	b.in, b.value, b.used = stream, 0, 64
	if len(stream) >= 8 {
		b.value = binary.LittleEndian.Uint64(stream[len(stream)-8:])
		b.in, b.used = stream[:len(stream)-8], 0
	} else {
		b.fillSlow()
	}
	b.used += uint(bits.LeadingZeros8(last)) + 1
	return true
}

// fill makes at least 32 bits readable, unless the stream is at its end.
func (b *backBits) fill() {
	if b.used >= 32 { // small enough to inline; the load is not
		b.load()
	}
}

func (b *backBits) load() {
	if len(b.in) >= 4 {
		b.value = b.value<<32 | uint64(binary.LittleEndian.Uint32(b.in[len(b.in)-4:]))
		b.in = b.in[:len(b.in)-4]
		b.used -= 32
		return
	}
	b.fillSlow()
}

func (b *backBits) fillSlow() {
	for b.used >= 8 && len(b.in) > 0 {
		b.value = b.value<<8 | uint64(b.in[len(b.in)-1])
		b.in = b.in[:len(b.in)-1]
		b.used -= 8
	}
}

// get reads n <= 32 bits (after a fill).
// The shift counts are masked, which spares the checks Go adds for counts
// of 64 or more; used is at most 64 while the stream is valid (at 64, or
// past it, the bits read are wrong and finished reports it).
func (b *backBits) get(n uint8) uint32 {
	v := (b.value << (b.used & 63)) >> 1 >> ((63 - uint(n)) & 63)
	b.used += uint(n)
	return uint32(v)
}

// peek returns the next n (1 to 63) bits without reading them.
func (b *backBits) peek(n uint) uint64 {
	return (b.value << (b.used & 63)) >> ((64 - n) & 63)
}

func (b *backBits) finished() bool {
	return len(b.in) == 0 && b.used == 64
}
