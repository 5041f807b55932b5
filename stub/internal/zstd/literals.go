// Copyright 2023 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package zstd

import (
	"encoding/binary"
	"errors"
)

// readLiterals reads and decompresses the literals from data at off.
// The literals are appended to outbuf, which is returned.
// Also returns the new input offset. RFC 3.1.1.3.1.
func (r *Reader) readLiterals(data block, off int, outbuf []byte) (int, []byte, error) {
	if off >= len(data) {
		return 0, nil, r.makeEOFError(off)
	}

	// Literals section header. RFC 3.1.1.3.1.1.
	hdr := data[off]
	off++

	if (hdr&3) == 0 || (hdr&3) == 1 {
		return r.readRawRLELiterals(data, off, hdr, outbuf)
	} else {
		return r.readHuffLiterals(data, off, hdr, outbuf)
	}
}

// readRawRLELiterals reads and decompresses a Raw_Literals_Block or
// a RLE_Literals_Block. RFC 3.1.1.3.1.1.
func (r *Reader) readRawRLELiterals(data block, off int, hdr byte, outbuf []byte) (int, []byte, error) {
	raw := (hdr & 3) == 0

	var regeneratedSize int
	switch (hdr >> 2) & 3 {
	case 0, 2:
		regeneratedSize = int(hdr >> 3)
	case 1:
		if off >= len(data) {
			return 0, nil, r.makeEOFError(off)
		}
		regeneratedSize = int(hdr>>4) + (int(data[off]) << 4)
		off++
	case 3:
		if off+1 >= len(data) {
			return 0, nil, r.makeEOFError(off)
		}
		regeneratedSize = int(hdr>>4) + (int(data[off]) << 4) + (int(data[off+1]) << 12)
		off += 2
	}

	// We are going to use the entire literal block in the output.
	// The maximum size of one decompressed block is 128K,
	// so we can't have more literals than that.
	if regeneratedSize > 128<<10 {
		return 0, nil, r.makeError(off, "literal size too large")
	}

	if raw {
		// RFC 3.1.1.3.1.2.
		if off+regeneratedSize > len(data) {
			return 0, nil, r.makeError(off, "raw literal size too large")
		}
		outbuf = append(outbuf, data[off:off+regeneratedSize]...)
		off += regeneratedSize
	} else {
		// RFC 3.1.1.3.1.3.
		if off >= len(data) {
			return 0, nil, r.makeError(off, "RLE literal missing")
		}
		rle := data[off]
		off++
		for i := 0; i < regeneratedSize; i++ {
			outbuf = append(outbuf, rle)
		}
	}

	return off, outbuf, nil
}

// readHuffLiterals reads and decompresses a Compressed_Literals_Block or
// a Treeless_Literals_Block. RFC 3.1.1.3.1.4.
func (r *Reader) readHuffLiterals(data block, off int, hdr byte, outbuf []byte) (int, []byte, error) {
	var (
		regeneratedSize int
		compressedSize  int
		streams         int
	)
	switch (hdr >> 2) & 3 {
	case 0, 1:
		if off+1 >= len(data) {
			return 0, nil, r.makeEOFError(off)
		}
		regeneratedSize = (int(hdr) >> 4) | ((int(data[off]) & 0x3f) << 4)
		compressedSize = (int(data[off]) >> 6) | (int(data[off+1]) << 2)
		off += 2
		if ((hdr >> 2) & 3) == 0 {
			streams = 1
		} else {
			streams = 4
		}
	case 2:
		if off+2 >= len(data) {
			return 0, nil, r.makeEOFError(off)
		}
		regeneratedSize = (int(hdr) >> 4) | (int(data[off]) << 4) | ((int(data[off+1]) & 3) << 12)
		compressedSize = (int(data[off+1]) >> 2) | (int(data[off+2]) << 6)
		off += 3
		streams = 4
	case 3:
		if off+3 >= len(data) {
			return 0, nil, r.makeEOFError(off)
		}
		regeneratedSize = (int(hdr) >> 4) | (int(data[off]) << 4) | ((int(data[off+1]) & 0x3f) << 12)
		compressedSize = (int(data[off+1]) >> 6) | (int(data[off+2]) << 2) | (int(data[off+3]) << 10)
		off += 4
		streams = 4
	}

	// We are going to use the entire literal block in the output.
	// The maximum size of one decompressed block is 128K,
	// so we can't have more literals than that.
	if regeneratedSize > 128<<10 {
		return 0, nil, r.makeError(off, "literal size too large")
	}

	roff := off + compressedSize
	if roff > len(data) || roff < 0 {
		return 0, nil, r.makeEOFError(off)
	}

	totalStreamsSize := compressedSize
	if (hdr & 3) == 2 {
		// Compressed_Literals_Block.
		// Read new huffman tree.

		if len(r.huffmanTable) < 1<<maxHuffmanBits {
			r.huffmanTable = make([]uint16, 1<<maxHuffmanBits)
		}

		huffmanTableBits, hoff, err := r.readHuff(data, off, r.huffmanTable)
		if err != nil {
			return 0, nil, err
		}
		r.huffmanTableBits = huffmanTableBits

		if totalStreamsSize < hoff-off {
			return 0, nil, r.makeError(off, "Huffman table too big")
		}
		totalStreamsSize -= hoff - off
		off = hoff
	} else {
		// Treeless_Literals_Block
		// Reuse previous Huffman tree.
		if r.huffmanTableBits == 0 {
			return 0, nil, r.makeError(off, "missing literals Huffman tree")
		}
	}

	// Decompress compressedSize bytes of data at off using the
	// Huffman tree.

	var err error
	if streams == 1 {
		outbuf, err = r.readLiteralsOneStream(data, off, totalStreamsSize, regeneratedSize, outbuf)
	} else {
		outbuf, err = r.readLiteralsFourStreams(data, off, totalStreamsSize, regeneratedSize, outbuf)
	}

	if err != nil {
		return 0, nil, err
	}

	return roff, outbuf, nil
}

// readLiteralsOneStream reads a single stream of compressed literals.
// RFC 3.1.1.3.1.6.
func (r *Reader) readLiteralsOneStream(data block, off, compressedSize, regeneratedSize int, outbuf []byte) ([]byte, error) {
	start := len(outbuf)
	outbuf = append(outbuf, make([]byte, regeneratedSize)...)
	if err := r.decodeHuffStream(data[off:off+compressedSize], outbuf[start:]); err != nil {
		return nil, r.makeError(off, err.Error())
	}
	return outbuf, nil
}

// readLiteralsFourStreams reads four interleaved streams of
// compressed literals. RFC 3.1.1.3.1.6.
func (r *Reader) readLiteralsFourStreams(data block, off, totalStreamsSize, regeneratedSize int, outbuf []byte) ([]byte, error) {
	if off+5 >= len(data) {
		return nil, r.makeEOFError(off)
	}
	if totalStreamsSize < 6 {
		return nil, r.makeError(off, "total streams size too small for jump table")
	}
	streamOut := (regeneratedSize + 3) / 4
	if regeneratedSize < streamOut*3 {
		return nil, r.makeError(off, "regenerated size too small to decode streams")
	}
	size1 := int(binary.LittleEndian.Uint16(data[off:]))
	size2 := int(binary.LittleEndian.Uint16(data[off+2:]))
	size3 := int(binary.LittleEndian.Uint16(data[off+4:]))
	if size1+size2+size3 > totalStreamsSize-6 {
		return nil, r.makeEOFError(off)
	}
	off += 6
	end := off + totalStreamsSize - 6
	start := len(outbuf)
	outbuf = append(outbuf, make([]byte, regeneratedSize)...)
	out := outbuf[start:]
	streams := [4][]byte{
		data[off : off+size1],
		data[off+size1 : off+size1+size2],
		data[off+size1+size2 : off+size1+size2+size3],
		data[off+size1+size2+size3 : end],
	}
	// The four streams are decoded together, two symbols of each per round,
	// so that their table lookups overlap instead of waiting on each other.
	var br [4]backBits
	for i, stream := range streams {
		if !br[i].init(stream) {
			return nil, r.makeError(off, errHuffStart.Error())
		}
	}
	table := r.huffmanTable
	tableBits := uint(r.huffmanTableBits)
	out1, out2, out3, out4 := out[:streamOut], out[streamOut:2*streamOut], out[2*streamOut:3*streamOut], out[3*streamOut:]
	i := 0
	for ; i+2 <= len(out4); i += 2 {
		br[0].fill()
		br[1].fill()
		br[2].fill()
		br[3].fill()
		t1 := table[br[0].peek(tableBits)]
		t2 := table[br[1].peek(tableBits)]
		t3 := table[br[2].peek(tableBits)]
		t4 := table[br[3].peek(tableBits)]
		br[0].used += uint(t1 & 0xff)
		br[1].used += uint(t2 & 0xff)
		br[2].used += uint(t3 & 0xff)
		br[3].used += uint(t4 & 0xff)
		out1[i], out2[i], out3[i], out4[i] = byte(t1>>8), byte(t2>>8), byte(t3>>8), byte(t4>>8)
		t1 = table[br[0].peek(tableBits)]
		t2 = table[br[1].peek(tableBits)]
		t3 = table[br[2].peek(tableBits)]
		t4 = table[br[3].peek(tableBits)]
		br[0].used += uint(t1 & 0xff)
		br[1].used += uint(t2 & 0xff)
		br[2].used += uint(t3 & 0xff)
		br[3].used += uint(t4 & 0xff)
		out1[i+1], out2[i+1], out3[i+1], out4[i+1] = byte(t1>>8), byte(t2>>8), byte(t3>>8), byte(t4>>8)
	}
	// The last few symbols (stream 4 may be up to 3 shorter), one at a time.
	for k, o := range [4][]byte{out1, out2, out3, out4} {
		b := &br[k]
		for j := i; j < len(o); j++ {
			b.fill()
			t := table[b.peek(tableBits)]
			b.used += uint(t & 0xff)
			o[j] = byte(t >> 8)
		}
		if !b.finished() {
			return nil, r.makeError(off, errHuffBits.Error())
		}
	}
	return outbuf, nil
}

var (
	errHuffStart = errors.New("zero byte at reverse bit stream start")
	errHuffBits  = errors.New("literals Huffman stream out of bits")
)

// decodeHuffStream fills out with the symbols of one Huffman stream, which
// must be read exactly to its start.
func (r *Reader) decodeHuffStream(stream []byte, out []byte) error {
	var br backBits
	if !br.init(stream) {
		return errHuffStart
	}
	table := r.huffmanTable
	tableBits := uint(r.huffmanTableBits)
	// A fill leaves at least 32 bits: two symbols of at most 11.
	for len(out) >= 2 {
		br.fill()
		t := table[br.peek(tableBits)]
		br.used += uint(t & 0xff)
		t2 := table[br.peek(tableBits)]
		br.used += uint(t2 & 0xff)
		out[0], out[1] = byte(t>>8), byte(t2>>8)
		out = out[2:]
	}
	if len(out) == 1 {
		br.fill()
		t := table[br.peek(tableBits)]
		br.used += uint(t & 0xff)
		out[0] = byte(t >> 8)
	}
	if !br.finished() {
		return errHuffBits
	}
	return nil
}
