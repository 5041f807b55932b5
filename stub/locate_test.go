package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
)

func testPackBytes(t *testing.T, stub []byte) []byte {
	return buildPack(t, packSpec{
		stub:     stub,
		entries:  []testEntry{fileEntry("run", 0o755, "#!/bin/sh\n")},
		manifest: baseManifest("run"),
	})
}

func mustLocate(t *testing.T, b []byte) layout {
	t.Helper()
	l, err := locate(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("locate: %v", err)
	}
	if _, err := readManifest(bytes.NewReader(b), l); err != nil {
		t.Fatalf("readManifest: %v", err)
	}
	return l
}

func TestLocatePlain(t *testing.T) {
	stub := bytes.Repeat([]byte{0x7f}, 1000)
	b := testPackBytes(t, stub)
	l := mustLocate(t, b)
	if l.payloadOffset != 1000 || l.dataEnd != uint64(len(b)) {
		t.Fatalf("layout %+v", l)
	}
	if len(b)%8 != 0 {
		t.Fatalf("writer must align the end of the data to 8, got length %d", len(b))
	}
}

// fakePE is a minimal PE32+ header with a security data directory, enough
// for the locator (which reads only the headers).
func fakePE(size int) []byte {
	b := make([]byte, size)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x80:], "PE\x00\x00")
	opt := b[0x80+24:]
	binary.LittleEndian.PutUint16(opt, 0x20b)
	binary.LittleEndian.PutUint32(opt[108:], 16) // NumberOfRvaAndSizes
	return b
}

// signPE appends a fake certificate table the way signers do (8-byte
// aligned) and points data directory 4 at it.
func signPE(b []byte) []byte {
	out := append([]byte(nil), b...)
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	off := len(out)
	cert := make([]byte, 1024)
	binary.LittleEndian.PutUint32(cert, uint32(len(cert)))
	copy(cert[8:], "fake WIN_CERTIFICATE")
	out = append(out, cert...)
	entry := out[0x80+24+112+4*8:]
	binary.LittleEndian.PutUint32(entry, uint32(off))
	binary.LittleEndian.PutUint32(entry[4:], uint32(len(cert)))
	return out
}

func TestLocateAfterAuthenticode(t *testing.T) {
	// Our writer aligns, so the signer adds no padding; a writer that does
	// not align leaves the signer's 1-7 zero bytes between trailer and table.
	for extra := 0; extra < 8; extra++ {
		b := buildPack(t, packSpec{
			stub:      fakePE(4096 + extra),
			entries:   []testEntry{fileEntry("run", 0o755, "#!/bin/sh\n")},
			manifest:  baseManifest("run"),
			unaligned: true,
		})
		signed := signPE(b)
		if l := mustLocate(t, signed); l.dataEnd != uint64(len(b)) {
			t.Fatalf("stub +%d: dataEnd %d, want %d", extra, l.dataEnd, len(b))
		}
	}
	// Without the directory entry the appended table hides the trailer.
	b := testPackBytes(t, fakePE(4096))
	unsigned := signPE(b)
	binary.LittleEndian.PutUint32(unsigned[0x80+24+112+4*8:], 0)
	if _, err := locate(bytes.NewReader(unsigned), int64(len(unsigned))); !errors.Is(err, errNoMagic) {
		t.Fatalf("got %v, want no trailer", err)
	}
}

// fakeMachO is a 64-bit Mach-O header with one LC_CODE_SIGNATURE command;
// sign sets its dataoff after our data and appends a signature blob.
func fakeMachO() []byte {
	b := make([]byte, 4096)
	binary.LittleEndian.PutUint32(b, 0xfeedfacf)
	binary.LittleEndian.PutUint32(b[16:], 2)  // ncmds
	binary.LittleEndian.PutUint32(b[20:], 32) // sizeofcmds
	cmd := b[32:]
	binary.LittleEndian.PutUint32(cmd, 0x19) // LC_SEGMENT_64 stand-in, skipped
	binary.LittleEndian.PutUint32(cmd[4:], 16)
	binary.LittleEndian.PutUint32(cmd[16:], 0x1d) // LC_CODE_SIGNATURE
	binary.LittleEndian.PutUint32(cmd[20:], 16)
	return b
}

func signMachO(b []byte) []byte {
	out := append([]byte(nil), b...)
	for len(out)%16 != 0 {
		out = append(out, 0)
	}
	off := len(out)
	sig := bytes.Repeat([]byte{0xfa, 0xde, 0x0c, 0xc0}, 256)
	out = append(out, sig...)
	binary.LittleEndian.PutUint32(out[32+16+8:], uint32(off))
	binary.LittleEndian.PutUint32(out[32+16+12:], uint32(len(sig)))
	return out
}

func TestLocateAfterMachOResign(t *testing.T) {
	b := testPackBytes(t, fakeMachO())
	signed := signMachO(b)
	if l := mustLocate(t, signed); l.dataEnd != uint64(len(b)) {
		t.Fatalf("dataEnd %d, want %d", l.dataEnd, len(b))
	}
}

func TestLocateRejectsDamage(t *testing.T) {
	good := testPackBytes(t, bytes.Repeat([]byte{1}, 512))
	tl := len(good) - trailerSize
	cases := map[string]struct {
		mutate func([]byte) []byte
		want   string
	}{
		"wrong magic":     {func(b []byte) []byte { b[len(b)-1] ^= 0xff; return b }, "no pack trailer"},
		"trailer crc":     {func(b []byte) []byte { b[tl] ^= 1; return b }, "trailer checksum"},
		"manifest crc":    {func(b []byte) []byte { b[tl-20] ^= 1; return b }, "manifest checksum"},
		"truncated":       {func(b []byte) []byte { return b[:len(b)-100] }, "no pack trailer"},
		"crlf conversion": {func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")) }, ""},
		"newer format":    {func(b []byte) []byte { return retrailer(b, func(tb []byte) { tb[32] = 2 }) }, "newer"},
		"unknown flags":   {func(b []byte) []byte { return retrailer(b, func(tb []byte) { tb[36] = 1 }) }, "flags"},
		"manifest too big": {func(b []byte) []byte {
			return retrailer(b, func(tb []byte) { binary.LittleEndian.PutUint64(tb[24:], 2<<20) })
		}, "out of range"},
		"gap": {func(b []byte) []byte {
			return retrailer(b, func(tb []byte) { binary.LittleEndian.PutUint64(tb[24:], binary.LittleEndian.Uint64(tb[24:])-20) })
		}, "padding"},
		"payload offset zero": {func(b []byte) []byte {
			return retrailer(b, func(tb []byte) { binary.LittleEndian.PutUint64(tb[0:], 0) })
		}, "offset is zero"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b := c.mutate(append([]byte(nil), good...))
			l, err := locate(bytes.NewReader(b), int64(len(b)))
			if err == nil {
				_, err = readManifest(bytes.NewReader(b), l)
			}
			if err == nil {
				t.Fatal("damaged pack accepted")
			}
			if c.want != "" && !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

// retrailer edits trailer fields and recomputes its CRC, so that the check
// under test is the field's own.
func retrailer(b []byte, edit func([]byte)) []byte {
	tb := b[len(b)-trailerSize:]
	edit(tb)
	t := trailer{
		payloadOffset:  binary.LittleEndian.Uint64(tb[0:]),
		payloadSize:    binary.LittleEndian.Uint64(tb[8:]),
		manifestOffset: binary.LittleEndian.Uint64(tb[16:]),
		manifestSize:   binary.LittleEndian.Uint64(tb[24:]),
		manifestCRC:    binary.LittleEndian.Uint32(tb[40:]),
	}
	version, flags := binary.LittleEndian.Uint32(tb[32:]), binary.LittleEndian.Uint32(tb[36:])
	copy(tb, encodeTrailer(t))
	binary.LittleEndian.PutUint32(tb[32:], version)
	binary.LittleEndian.PutUint32(tb[36:], flags)
	binary.LittleEndian.PutUint32(tb[44:], crc32.ChecksumIEEE(tb[:44]))
	return b
}
