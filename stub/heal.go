package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The completion marker lists the command and a bounded sample of files
// with their sizes. The warm start stats them: O(1) in the size of the tree,
// yet it notices a tree that a temp cleaner, a virus scanner or a user
// thinned out, and extracts it again instead of running it broken.

const (
	markerHeader = "pack-instance 1"
	maxSamples   = 32
)

type sampleFile struct {
	name string
	size int64
}

type instanceState int

const (
	instanceMissing instanceState = iota // no marker, or one this stub cannot read
	instanceDamaged                      // a sampled file is missing or has another size
	instanceOK
)

func writeMarker(dir string, samples []sampleFile) error {
	if err := os.Mkdir(filepath.Join(dir, reservedDir), 0o700); err != nil {
		return err
	}
	b := []byte(markerHeader + "\n")
	for _, s := range samples {
		b = append(strconv.AppendInt(b, s.size, 10), ' ')
		b = append(append(b, s.name...), '\n')
	}
	return os.WriteFile(filepath.Join(dir, markerPath), b, 0o600)
}

func readShared(path string) ([]byte, error) {
	f, err := openShared(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// checkInstance reads the marker and stats the files it samples.
func checkInstance(dir string) instanceState {
	b, err := readShared(filepath.Join(dir, markerPath))
	lines := strings.Split(string(b), "\n")
	if err != nil || lines[0] != markerHeader {
		return instanceMissing
	}
	for _, line := range lines[1:] {
		size, name, _ := strings.Cut(line, " ")
		fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name)))
		if line != "" && (err != nil || !fi.Mode().IsRegular() || strconv.FormatInt(fi.Size(), 10) != size) {
			return instanceDamaged
		}
	}
	return instanceOK
}

// diffInstance streams the payload and lists the entries of the tree that
// are missing in dir, or differ in type, size or content.
func diffInstance(p *pack, dir string) ([]string, error) {
	var diffs []string
	a, b := make([]byte, 64<<10), make([]byte, 64<<10)
	err := walkPayload(p, func(hdr *tarHeader, body io.Reader) error {
		name := strings.TrimSuffix(hdr.Name, "/")
		if err := checkEntryName(name); err != nil {
			return dataErrorf("payload entry %q: %v", name, err)
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		fi, err := os.Lstat(path)
		same := err == nil
		if same && (hdr.Typeflag == typeReg || hdr.Typeflag == typeRegA) {
			same = fi.Mode().IsRegular() && fi.Size() == hdr.Size && sameContent(path, body, a, b)
		}
		if !same {
			diffs = append(diffs, name)
		}
		return nil
	})
	return diffs, err
}

func sameContent(path string, body io.Reader, a, b []byte) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for {
		n, err := io.ReadFull(body, a)
		m, _ := io.ReadFull(f, b[:n])
		if m != n || !bytes.Equal(a[:n], b[:n]) {
			return false
		}
		if err != nil {
			return true // the entry's end; its size was compared already
		}
	}
}
