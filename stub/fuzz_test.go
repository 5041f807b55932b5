package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addVectorSeeds seeds a fuzz target with every vector pack: the seed corpus
// lives in testdata/vectors, next to what the packs must read as.
func addVectorSeeds(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(vectorsDir, "*", "*.pack"))
	if len(paths) == 0 {
		f.Fatal("no vector packs to seed the corpus with")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzReadPack: the trailer and manifest parser never panics, never reads
// outside the file, and whatever it accepts satisfies the format's rules.
func FuzzReadPack(f *testing.F) {
	addVectorSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		l, err := locate(r, int64(len(b)))
		if err != nil {
			return
		}
		if l.dataEnd > uint64(len(b)) || l.manifestOffset+l.manifestSize > l.dataEnd {
			t.Fatalf("layout %+v outside a %d-byte file", l, len(b))
		}
		mb, err := readManifest(r, l)
		if err != nil {
			return
		}
		m, err := parseManifest(mb, l.trailer)
		if err != nil {
			return
		}
		if err := m.validate(); err != nil || m.PayloadSize != l.payloadSize {
			t.Fatalf("accepted an invalid manifest: %v", err)
		}
	})
}

// FuzzExtract: whatever the payload holds, extraction never panics and never
// writes outside its directory.
func FuzzExtract(f *testing.F) {
	addVectorSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := func() (*pack, error) {
			path := filepath.Join(t.TempDir(), "p")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				return nil, err
			}
			return openPack(path)
		}()
		if err != nil {
			return
		}
		defer p.close()
		parent := t.TempDir()
		dest := filepath.Join(parent, "x")
		os.Mkdir(dest, 0o700)
		extractPayload(p, dest)
		names, _ := readDirNames(parent, -1)
		for _, n := range names {
			if n != "x" && !strings.HasPrefix(n, "p") {
				t.Fatalf("extraction wrote %s outside its directory", n)
			}
		}
	})
}
