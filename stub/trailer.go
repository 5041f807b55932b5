package main

import (
	"encoding/binary"
	"errors"
)

// The trailer is the fixed 64-byte record at the end of a pack's data
// (docs/format.md section 2). It locates the payload and the manifest.
const (
	trailerSize     = 64
	formatVersion   = 1
	maxManifestSize = 1 << 20
	maxPadding      = 7
)

var trailerMagic = [16]byte{0x89, 'P', 'A', 'C', 'K', '-', 'A', 'C', 'T', 'I', 'O', 'N', '\r', '\n', 0x1a, '\n'}

type trailer struct {
	payloadOffset  uint64
	payloadSize    uint64
	manifestOffset uint64
	manifestSize   uint64
	formatVersion  uint32
	flags          uint32
	manifestCRC    uint32
}

var errNoMagic = errors.New("no pack trailer found")

// parseTrailer decodes and checks a trailer that ends at dataEnd.
func parseTrailer(b []byte, dataEnd uint64) (trailer, error) {
	var t trailer
	if len(b) != trailerSize {
		return t, errNoMagic
	}
	if [16]byte(b[48:64]) != trailerMagic {
		return t, errNoMagic
	}
	if crc32IEEE(b[:44]) != binary.LittleEndian.Uint32(b[44:48]) {
		return t, errors.New("trailer checksum mismatch")
	}
	t.payloadOffset = binary.LittleEndian.Uint64(b[0:])
	t.payloadSize = binary.LittleEndian.Uint64(b[8:])
	t.manifestOffset = binary.LittleEndian.Uint64(b[16:])
	t.manifestSize = binary.LittleEndian.Uint64(b[24:])
	t.formatVersion = binary.LittleEndian.Uint32(b[32:])
	t.flags = binary.LittleEndian.Uint32(b[36:])
	t.manifestCRC = binary.LittleEndian.Uint32(b[40:])
	if t.formatVersion != formatVersion {
		if t.formatVersion > formatVersion {
			return t, errorf("pack format %d is newer than this stub understands (%d)", t.formatVersion, formatVersion)
		}
		return t, errorf("unknown pack format %d", t.formatVersion)
	}
	if t.flags != 0 {
		return t, errorf("unknown trailer flags %x", t.flags)
	}
	if t.payloadOffset == 0 {
		return t, errors.New("payload offset is zero")
	}
	if t.manifestOffset != t.payloadOffset+t.payloadSize || t.manifestOffset < t.payloadOffset {
		return t, errors.New("manifest does not follow the payload")
	}
	if t.manifestSize == 0 || t.manifestSize > maxManifestSize {
		return t, errorf("manifest size %d out of range", t.manifestSize)
	}
	manifestEnd := t.manifestOffset + t.manifestSize
	if manifestEnd < t.manifestOffset || dataEnd < trailerSize || manifestEnd > dataEnd-trailerSize {
		return t, errors.New("manifest overlaps the trailer")
	}
	if dataEnd-trailerSize-manifestEnd > maxPadding {
		return t, errors.New("too much padding before the trailer")
	}
	return t, nil
}

// encodeTrailer is the writer's half; the stub uses it to write override
// files and the tests use it to build packs.
func encodeTrailer(t trailer) []byte {
	b := make([]byte, trailerSize)
	binary.LittleEndian.PutUint64(b[0:], t.payloadOffset)
	binary.LittleEndian.PutUint64(b[8:], t.payloadSize)
	binary.LittleEndian.PutUint64(b[16:], t.manifestOffset)
	binary.LittleEndian.PutUint64(b[24:], t.manifestSize)
	binary.LittleEndian.PutUint32(b[32:], formatVersion)
	binary.LittleEndian.PutUint32(b[36:], 0)
	binary.LittleEndian.PutUint32(b[40:], t.manifestCRC)
	binary.LittleEndian.PutUint32(b[44:], crc32IEEE(b[:44]))
	copy(b[48:], trailerMagic[:])
	return b
}
