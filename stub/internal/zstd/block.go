// Copyright 2023 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package zstd

import (
	"encoding/binary"
	"io"
)

// debug can be set in the source to print debug info using println.
const debug = false

// compressedBlock decompresses a compressed block, storing the decompressed
// data in r.buffer. The blockSize argument is the compressed size.
// RFC 3.1.1.3.
func (r *Reader) compressedBlock(blockSize int) error {
	if len(r.compressedBuf) >= blockSize {
		r.compressedBuf = r.compressedBuf[:blockSize]
	} else {
		// We know that blockSize <= 128K,
		// so this won't allocate an enormous amount.
		need := blockSize - len(r.compressedBuf)
		r.compressedBuf = append(r.compressedBuf, make([]byte, need)...)
	}

	if _, err := io.ReadFull(r.r, r.compressedBuf); err != nil {
		return r.wrapNonEOFError(0, err)
	}

	data := block(r.compressedBuf)
	off := 0

	litoff, litbuf, err := r.readLiterals(data, off, r.literals[:0])
	if err != nil {
		return err
	}
	r.literals = litbuf

	off = litoff

	seqCount, off, err := r.initSeqs(data, off)
	if err != nil {
		return err
	}

	if seqCount == 0 {
		// No sequences, just literals.
		if off < len(data) {
			return r.makeError(off, "extraneous data after no sequences")
		}

		r.hist = append(r.hist, litbuf...)

		return nil
	}

	return r.execSeqs(data, off, litbuf, seqCount)
}

// seqCode is the kind of sequence codes we have to handle.
type seqCode int

const (
	seqLiteral seqCode = iota
	seqOffset
	seqMatch
)

// seqCodeInfoData is the information needed to set up seqTables and
// seqTableBits for a particular kind of sequence code.
type seqCodeInfoData struct {
	predefTable     []fseBaselineEntry // predefined FSE
	predefTableBits int                // number of bits in predefTable
	maxSym          int                // max symbol value in FSE
	maxBits         int                // max bits for FSE

	// toBaseline converts from an FSE table to an FSE baseline table.
	toBaseline func(*Reader, int, []fseEntry, []fseBaselineEntry) error
}

// seqCodeInfo is the seqCodeInfoData for each kind of sequence code.
var seqCodeInfo = [3]seqCodeInfoData{
	seqLiteral: {
		predefTable:     predefinedLiteralTable[:],
		predefTableBits: 6,
		maxSym:          35,
		maxBits:         9,
		toBaseline:      (*Reader).makeLiteralBaselineFSE,
	},
	seqOffset: {
		predefTable:     predefinedOffsetTable[:],
		predefTableBits: 5,
		maxSym:          31,
		maxBits:         8,
		toBaseline:      (*Reader).makeOffsetBaselineFSE,
	},
	seqMatch: {
		predefTable:     predefinedMatchTable[:],
		predefTableBits: 6,
		maxSym:          52,
		maxBits:         9,
		toBaseline:      (*Reader).makeMatchBaselineFSE,
	},
}

// initSeqs reads the Sequences_Section_Header and sets up the FSE
// tables used to read the sequence codes. It returns the number of
// sequences and the new offset. RFC 3.1.1.3.2.1.
func (r *Reader) initSeqs(data block, off int) (int, int, error) {
	if off >= len(data) {
		return 0, 0, r.makeEOFError(off)
	}

	seqHdr := data[off]
	off++
	if seqHdr == 0 {
		return 0, off, nil
	}

	var seqCount int
	if seqHdr < 128 {
		seqCount = int(seqHdr)
	} else if seqHdr < 255 {
		if off >= len(data) {
			return 0, 0, r.makeEOFError(off)
		}
		seqCount = ((int(seqHdr) - 128) << 8) + int(data[off])
		off++
	} else {
		if off+1 >= len(data) {
			return 0, 0, r.makeEOFError(off)
		}
		seqCount = int(data[off]) + (int(data[off+1]) << 8) + 0x7f00
		off += 2
	}

	// Read the Symbol_Compression_Modes byte.

	if off >= len(data) {
		return 0, 0, r.makeEOFError(off)
	}
	symMode := data[off]
	if symMode&3 != 0 {
		return 0, 0, r.makeError(off, "invalid symbol compression mode")
	}
	off++

	// Set up the FSE tables used to decode the sequence codes.

	var err error
	off, err = r.setSeqTable(data, off, seqLiteral, (symMode>>6)&3)
	if err != nil {
		return 0, 0, err
	}

	off, err = r.setSeqTable(data, off, seqOffset, (symMode>>4)&3)
	if err != nil {
		return 0, 0, err
	}

	off, err = r.setSeqTable(data, off, seqMatch, (symMode>>2)&3)
	if err != nil {
		return 0, 0, err
	}

	return seqCount, off, nil
}

// setSeqTable uses the Compression_Mode in mode to set up r.seqTables and
// r.seqTableBits for kind. We store these in the Reader because one of
// the modes simply reuses the value from the last block in the frame.
func (r *Reader) setSeqTable(data block, off int, kind seqCode, mode byte) (int, error) {
	info := &seqCodeInfo[kind]
	switch mode {
	case 0:
		// Predefined_Mode
		r.seqTables[kind] = info.predefTable
		r.seqTableBits[kind] = uint8(info.predefTableBits)
		return off, nil

	case 1:
		// RLE_Mode
		if off >= len(data) {
			return 0, r.makeEOFError(off)
		}
		rle := data[off]
		off++

		// Build a simple baseline table that always returns rle.

		entry := []fseEntry{
			{
				sym:  rle,
				bits: 0,
				base: 0,
			},
		}
		if cap(r.seqTableBuffers[kind]) == 0 {
			r.seqTableBuffers[kind] = make([]fseBaselineEntry, 1<<info.maxBits)
		}
		r.seqTableBuffers[kind] = r.seqTableBuffers[kind][:1]
		if err := info.toBaseline(r, off, entry, r.seqTableBuffers[kind]); err != nil {
			return 0, err
		}

		r.seqTables[kind] = r.seqTableBuffers[kind]
		r.seqTableBits[kind] = 0
		return off, nil

	case 2:
		// FSE_Compressed_Mode
		if cap(r.fseScratch) < 1<<info.maxBits {
			r.fseScratch = make([]fseEntry, 1<<info.maxBits)
		}
		r.fseScratch = r.fseScratch[:1<<info.maxBits]

		tableBits, roff, err := r.readFSE(data, off, info.maxSym, info.maxBits, r.fseScratch)
		if err != nil {
			return 0, err
		}
		r.fseScratch = r.fseScratch[:1<<tableBits]

		if cap(r.seqTableBuffers[kind]) == 0 {
			r.seqTableBuffers[kind] = make([]fseBaselineEntry, 1<<info.maxBits)
		}
		r.seqTableBuffers[kind] = r.seqTableBuffers[kind][:1<<tableBits]

		if err := info.toBaseline(r, roff, r.fseScratch, r.seqTableBuffers[kind]); err != nil {
			return 0, err
		}

		r.seqTables[kind] = r.seqTableBuffers[kind]
		r.seqTableBits[kind] = uint8(tableBits)
		return roff, nil

	case 3:
		// Repeat_Mode
		if len(r.seqTables[kind]) == 0 {
			return 0, r.makeError(off, "missing repeat sequence FSE table")
		}
		return off, nil
	}
	panic("unreachable")
}

// sequence is one decoded sequence: copy literal bytes, then match bytes
// from offset back.
type sequence struct{ literal, match, offset uint32 }

// seqAhead is how many sequences are decoded before they are executed, so
// that the memory holding their match sources, which can be megabytes back,
// is loaded while earlier ones are copied (zstd's own decoder prefetches for
// the same reason).
const seqAhead = 4

// execSeqs reads and executes the sequences. RFC 3.1.1.3.2.2.
// The output goes to hist, which has room for a whole block plus
// histSlack (makeRoom), so short literals and matches are copied a word at a
// time, past their end, and only the final length counts.
func (r *Reader) execSeqs(data block, off int, litbuf []byte, seqCount int) error {
	var br backBits
	if !br.init(data[off:]) {
		return r.makeError(len(data)-1, "zero byte at reverse bit stream start")
	}
	llTable, mlTable, ofTable := r.seqTables[seqLiteral], r.seqTables[seqMatch], r.seqTables[seqOffset]
	br.fill()
	llState := br.get(r.seqTableBits[seqLiteral])
	ofState := br.get(r.seqTableBits[seqOffset])
	mlState := br.get(r.seqTableBits[seqMatch])

	h := r.hist[:cap(r.hist)]
	n := len(r.hist) // where the next executed sequence writes
	limit := n + maxBlockSize
	pos := n // where the next decoded sequence will write
	rep1, rep2, rep3 := r.repeatedOffset1, r.repeatedOffset2, r.repeatedOffset3
	lit := litbuf
	var ahead [seqAhead]sequence

	for i := 0; i < seqCount+seqAhead; i++ {
		sq := &ahead[i%seqAhead]
		if i >= seqAhead {
			literal, match, offset := sq.literal, sq.match, sq.offset
			if literal > uint32(len(lit)) {
				return r.makeError(off, "literal byte overflow")
			}
			if uint64(n)+uint64(literal)+uint64(match) > uint64(limit) {
				return r.makeError(off, "uncompressed size too big")
			}
			if literal <= 16 && len(lit) >= 16 {
				copy16(h[n:], lit)
			} else {
				copy(h[n:], lit[:literal])
			}
			n += int(literal)
			lit = lit[literal:]

			if match > 0 {
				if offset == 0 {
					return r.makeError(off, "invalid zero offset")
				}
				if offset > uint32(n) {
					return r.makeError(off, "offset past window")
				}
				src := n - int(offset)
				switch {
				case match <= 16 && offset >= 16:
					copy16(h[n:], h[src:])
				case match <= 64 && offset >= 8:
					// Each word read lies wholly before the one written.
					for i := 0; i < int(match); i += 8 {
						binary.LittleEndian.PutUint64(h[n+i:], binary.LittleEndian.Uint64(h[src+i:]))
					}
				default:
					// Overlapping: repeat what is there, in chunks that double.
					for done := n; done < n+int(match); {
						done += copy(h[done:n+int(match)], h[src:done])
					}
				}
				n += int(match)
			}
		}
		if i >= seqCount {
			continue
		}

		if int(ofState) >= len(ofTable) || int(mlState) >= len(mlTable) || int(llState) >= len(llTable) {
			return r.makeError(off, "sequence state out of range")
		}
		pto, ptm, ptl := &ofTable[ofState], &mlTable[mlState], &llTable[llState]

		// At most 31 bits of offset, then 16 + 16 of lengths, then 9 + 9 + 8
		// of states: a fill before each group leaves 32 readable.
		br.fill()
		offset := pto.baseline + br.get(pto.basebits)
		br.fill()
		ml := br.get(ptm.basebits + ptl.basebits)
		match := ptm.baseline + ml>>(ptl.basebits&31)
		literal := ptl.baseline + ml&(1<<(ptl.basebits&31)-1)

		// Repeat offsets. RFC 3.1.1.5; see makeOffsetBaselineFSE.
		if pto.basebits > 1 {
			rep1, rep2, rep3 = offset, rep1, rep2
		} else {
			if literal == 0 {
				offset++
			}
			switch offset {
			case 1:
				offset = rep1
			case 2:
				offset, rep1, rep2 = rep2, rep2, rep1
			case 3:
				offset, rep1, rep2, rep3 = rep3, rep3, rep1, rep2
			case 4:
				offset = rep1 - 1
				rep1, rep2, rep3 = offset, rep1, rep2
			}
		}

		if i+1 < seqCount {
			br.fill()
			nm, no := ptm.bits&31, pto.bits&31
			st := br.get(ptl.bits + nm + no)
			llState = uint32(ptl.base) + st>>(nm+no)
			mlState = uint32(ptm.base) + st>>no&(1<<nm-1)
			ofState = uint32(pto.base) + st&(1<<no-1)
		}

		*sq = sequence{literal, match, offset}
		pos += int(literal)
		if src := pos - int(offset); src >= 0 && src < len(h) {
			prefetch(&h[src])
		}
		pos += int(match)
	}

	if n+len(lit) > limit {
		return r.makeError(off, "uncompressed size too big")
	}
	n += copy(h[n:], lit)
	if !br.finished() {
		return r.makeError(off, "extraneous data after sequences")
	}
	r.hist = h[:n]
	r.repeatedOffset1, r.repeatedOffset2, r.repeatedOffset3 = rep1, rep2, rep3
	return nil
}

// copy16 copies 16 bytes: src must hold them, dst has room (histSlack).
func copy16(dst, src []byte) {
	binary.LittleEndian.PutUint64(dst, binary.LittleEndian.Uint64(src))
	binary.LittleEndian.PutUint64(dst[8:], binary.LittleEndian.Uint64(src[8:]))
}
