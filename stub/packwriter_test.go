package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// A pack writer for tests, written from docs/format.md. The TypeScript
// packer is the product's writer; this one lets the stub's tests build any
// pack, including ones a conforming packer would refuse to write.

type testEntry struct {
	Path   string `json:"path"`
	Type   string `json:"type"` // file, dir, symlink, or a raw tar type for bad vectors
	Mode   int64  `json:"mode,omitempty"`
	Data   []byte `json:"-"`
	Target string `json:"target,omitempty"`
}

type testManifest struct {
	Format        int             `json:"format"`
	ID            string          `json:"id"`
	Version       string          `json:"version"`
	Target        string          `json:"target"`
	Command       string          `json:"command"`
	Args          []string        `json:"args"`
	Env           []string        `json:"env"`
	Compression   string          `json:"compression"`
	PayloadSHA256 string          `json:"payloadSha256"`
	PayloadSize   uint64          `json:"payloadSize"`
	UnpackedSize  uint64          `json:"unpackedSize"`
	FileCount     uint64          `json:"fileCount"`
	Packer        string          `json:"packer"`
	Created       string          `json:"created"`
	Windows       *map[string]any `json:"windows,omitempty"`
}

type packSpec struct {
	stub     []byte
	entries  []testEntry
	manifest testManifest
	// mutate lets a test corrupt the manifest after the payload is known.
	mutate func(m *testManifest)
	// unaligned skips the padding a conforming writer adds before the
	// trailer, as a third-party writer might.
	unaligned bool
}

func fileEntry(path string, mode int64, data string) testEntry {
	return testEntry{Path: path, Type: "file", Mode: mode, Data: []byte(data)}
}

func baseManifest(command string) testManifest {
	return testManifest{
		Format: 1, ID: "test-app", Version: "1.0.0", Target: hostTarget(), Command: command,
		Args: []string{}, Env: []string{}, Compression: "zstd", Packer: "stub-tests", Created: "2026-01-01T00:00:00Z",
	}
}

// payload builds the zstd-compressed tar stream for entries (in the order
// given: tests may want a bad order).
func payload(t testing.TB, entries []testEntry) (compressed []byte, unpacked uint64) {
	t.Helper()
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.Path, Mode: e.Mode, Format: tar.FormatPAX}
		switch e.Type {
		case "file":
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(e.Data))
			unpacked += uint64(len(e.Data))
		case "dir":
			hdr.Typeflag, hdr.Name = tar.TypeDir, e.Path+"/"
		case "symlink":
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, e.Target
		case "hardlink":
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, e.Target
		case "fifo":
			hdr.Typeflag = tar.TypeFifo
		default:
			t.Fatalf("unknown entry type %q", e.Type)
		}
		if hdr.Mode == 0 {
			hdr.Mode = 0o644
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if e.Type == "file" {
			tw.Write(e.Data)
		}
	}
	tw.Close()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeAll(tarBuf.Bytes(), nil), unpacked
}

// buildPack assembles [stub][payload][manifest][padding][trailer].
func buildPack(t testing.TB, s packSpec) []byte {
	t.Helper()
	comp, unpacked := payload(t, s.entries)
	sum := sha256.Sum256(comp)
	m := s.manifest
	m.PayloadSHA256 = hex.EncodeToString(sum[:])
	m.PayloadSize = uint64(len(comp))
	m.UnpackedSize = unpacked
	m.FileCount = uint64(len(s.entries))
	if s.mutate != nil {
		s.mutate(&m)
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	mb = append(mb, '\n')
	return assemble(s.stub, comp, mb, !s.unaligned)
}

func assemble(stub, comp, manifestJSON []byte, align bool) []byte {
	var out bytes.Buffer
	out.Write(stub)
	out.Write(comp)
	out.Write(manifestJSON)
	for align && (out.Len()+trailerSize)%8 != 0 {
		out.WriteByte(0)
	}
	out.Write(encodeTrailer(trailer{
		payloadOffset:  uint64(len(stub)),
		payloadSize:    uint64(len(comp)),
		manifestOffset: uint64(len(stub) + len(comp)),
		manifestSize:   uint64(len(manifestJSON)),
		manifestCRC:    crc32.ChecksumIEEE(manifestJSON),
	}))
	return out.Bytes()
}

func hostTarget() string {
	switch {
	case isWindowsHost():
		return "windows-" + hostArch()
	case isDarwinHost():
		return "darwin-" + hostArch()
	}
	return "linux-" + hostArch()
}

func writeFile(t testing.TB, dir, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func sortedEntries(entries []testEntry) []testEntry {
	out := append([]testEntry(nil), entries...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
