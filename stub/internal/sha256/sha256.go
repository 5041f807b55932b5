// Copyright 2009 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package sha256 is SHA-256 from the Go standard library
// (crypto/internal/fips140/sha256), without the FIPS 140 module that
// crypto/sha256 brings along: that module (DRBG, AES-GCM, SHA-3, self-tests)
// adds 170 KB to every stub for one hash. The block functions, including the
// SHA-NI/AVX2 and ARMv8 assembly, are copied unchanged.
package sha256

import (
	"encoding/binary"
	"hash"
)

const (
	size        = 32
	blockSize   = 64
	chunk       = 64
	maxAsmIters = 1024
	maxAsmSize  = blockSize * maxAsmIters // assembly is not preemptible: bound each call
	init0       = 0x6A09E667
	init1       = 0xBB67AE85
	init2       = 0x3C6EF372
	init3       = 0xA54FF53A
	init4       = 0x510E527F
	init5       = 0x9B05688C
	init6       = 0x1F83D9AB
	init7       = 0x5BE0CD19
)

// Digest is a SHA-256 state. The field layout is the one the assembly uses.
type Digest struct {
	h   [8]uint32
	x   [chunk]byte
	nx  int
	len uint64
}

// New returns a SHA-256 hash.
func New() hash.Hash {
	d := new(Digest)
	d.Reset()
	return d
}

func (d *Digest) Reset() {
	d.h = [8]uint32{init0, init1, init2, init3, init4, init5, init6, init7}
	d.nx = 0
	d.len = 0
}

func (d *Digest) Size() int      { return size }
func (d *Digest) BlockSize() int { return blockSize }

func (d *Digest) Write(p []byte) (nn int, err error) {
	nn = len(p)
	d.len += uint64(nn)
	if d.nx > 0 {
		n := copy(d.x[d.nx:], p)
		d.nx += n
		if d.nx == chunk {
			block(d, d.x[:])
			d.nx = 0
		}
		p = p[n:]
	}
	if len(p) >= chunk {
		n := len(p) &^ (chunk - 1)
		for n > maxAsmSize {
			block(d, p[:maxAsmSize])
			p = p[maxAsmSize:]
			n -= maxAsmSize
		}
		block(d, p[:n])
		p = p[n:]
	}
	if len(p) > 0 {
		d.nx = copy(d.x[:], p)
	}
	return
}

func (d *Digest) Sum(in []byte) []byte {
	d0 := *d
	var tmp [64 + 8]byte
	tmp[0] = 0x80
	var t uint64
	if d0.len%64 < 56 {
		t = 56 - d0.len%64
	} else {
		t = 64 + 56 - d0.len%64
	}
	binary.BigEndian.PutUint64(tmp[t:], d0.len<<3)
	d0.Write(tmp[:t+8])
	for _, v := range d0.h {
		in = binary.BigEndian.AppendUint32(in, v)
	}
	return in
}
