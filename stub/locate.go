package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// layout is where a pack's parts sit in its file.
type layout struct {
	trailer
	dataEnd uint64 // end of our data: the file size, or where a signature starts
}

// locate finds the trailer with a bounded number of small reads
// (docs/format.md section 5): at the end of the file, else where the PE
// certificate table or the Mach-O code signature begins.
func locate(r io.ReaderAt, size int64) (layout, error) {
	l, err := trailerBefore(r, uint64(size), maxPadding)
	if !errors.Is(err, errNoMagic) {
		return l, err
	}
	// Not at the end: a signer may have appended its signature after our data.
	if end, ok := peCertificateOffset(r, size); ok {
		return trailerBefore(r, end, maxPadding)
	}
	if end, ok := machoSignatureOffset(r, size); ok {
		return trailerBefore(r, end, machoSignaturePadding)
	}
	return layout{}, errNoMagic
}

// codesign aligns the signature it appends to 16 bytes.
const machoSignaturePadding = 15

// trailerBefore looks for a trailer ending at end, or up to padding zero
// bytes before it.
func trailerBefore(r io.ReaderAt, end uint64, padding int) (layout, error) {
	if end < trailerSize {
		return layout{}, errNoMagic
	}
	window := uint64(trailerSize + padding)
	if window > end {
		window = end
	}
	buf := make([]byte, window)
	if _, err := r.ReadAt(buf, int64(end-window)); err != nil {
		return layout{}, errorf("reading the trailer: %w", err)
	}
	for k := 0; k <= padding && trailerSize+k <= len(buf); k++ {
		if k > 0 && buf[len(buf)-k] != 0 {
			break // only zero bytes may follow the trailer
		}
		tb := buf[len(buf)-k-trailerSize : len(buf)-k]
		if !bytes.Equal(tb[48:], trailerMagic[:]) {
			continue
		}
		dataEnd := end - uint64(k)
		t, err := parseTrailer(tb, dataEnd)
		if err != nil {
			return layout{}, err
		}
		return layout{trailer: t, dataEnd: dataEnd}, nil
	}
	return layout{}, errNoMagic
}

// readManifest reads the manifest bytes and checks their CRC.
func readManifest(r io.ReaderAt, l layout) ([]byte, error) {
	b := make([]byte, l.manifestSize)
	if _, err := r.ReadAt(b, int64(l.manifestOffset)); err != nil {
		return nil, errorf("reading the manifest: %w", err)
	}
	if crc32IEEE(b) != l.manifestCRC {
		return nil, errors.New("manifest checksum mismatch")
	}
	return b, nil
}

// peCertificateOffset returns the file offset of an Authenticode certificate
// table, read from the PE security data directory (index 4).
func peCertificateOffset(r io.ReaderAt, size int64) (uint64, bool) {
	var dos [64]byte
	if _, err := r.ReadAt(dos[:], 0); err != nil || dos[0] != 'M' || dos[1] != 'Z' {
		return 0, false
	}
	peOff := int64(binary.LittleEndian.Uint32(dos[0x3c:]))
	// PE signature (4) + COFF header (20) + optional header up to the
	// security entry of a PE32+ header (112 + 4*8 + 8).
	var hdr [4 + 20 + 152]byte
	if peOff <= 0 || peOff+int64(len(hdr)) > size {
		return 0, false
	}
	if _, err := r.ReadAt(hdr[:], peOff); err != nil || !bytes.Equal(hdr[:4], []byte("PE\x00\x00")) {
		return 0, false
	}
	opt := hdr[24:]
	var dirs int
	switch binary.LittleEndian.Uint16(opt) {
	case 0x10b:
		dirs = 96
	case 0x20b:
		dirs = 112
	default:
		return 0, false
	}
	numDirs := binary.LittleEndian.Uint32(opt[dirs-4:])
	if numDirs <= 4 {
		return 0, false
	}
	entry := opt[dirs+4*8:]
	off := uint64(binary.LittleEndian.Uint32(entry))
	length := uint64(binary.LittleEndian.Uint32(entry[4:]))
	if off == 0 || length == 0 || off+length > uint64(size) {
		return 0, false
	}
	return off, true
}

// machoSignatureOffset returns LC_CODE_SIGNATURE's dataoff of a 64-bit
// Mach-O file: where a re-signed pack's signature starts.
func machoSignatureOffset(r io.ReaderAt, size int64) (uint64, bool) {
	const (
		magic64         = 0xfeedfacf
		lcCodeSignature = 0x1d
		headerSize      = 32
		maxCmds         = 1 << 20
	)
	var h [headerSize]byte
	if _, err := r.ReadAt(h[:], 0); err != nil || binary.LittleEndian.Uint32(h[:]) != magic64 {
		return 0, false
	}
	ncmds := binary.LittleEndian.Uint32(h[16:])
	sizeofcmds := binary.LittleEndian.Uint32(h[20:])
	if sizeofcmds > maxCmds || int64(headerSize+sizeofcmds) > size {
		return 0, false
	}
	cmds := make([]byte, sizeofcmds)
	if _, err := r.ReadAt(cmds, headerSize); err != nil {
		return 0, false
	}
	for i := uint32(0); i < ncmds && len(cmds) >= 8; i++ {
		cmd := binary.LittleEndian.Uint32(cmds)
		cmdsize := binary.LittleEndian.Uint32(cmds[4:])
		if cmdsize < 8 || int(cmdsize) > len(cmds) {
			return 0, false
		}
		if cmd == lcCodeSignature && cmdsize >= 16 {
			off := uint64(binary.LittleEndian.Uint32(cmds[8:]))
			n := uint64(binary.LittleEndian.Uint32(cmds[12:]))
			if off == 0 || off+n > uint64(size) {
				return 0, false
			}
			return off, true
		}
		cmds = cmds[cmdsize:]
	}
	return 0, false
}
