package main

import (
	"errors"
	"os"
)

// pack is an opened pack file: where its parts are and what its manifest says.
type pack struct {
	path          string   // the pack file, as given to the program in PACK_EXE
	file          *os.File // open for reading the payload
	layout        layout
	manifest      *manifest
	manifestBytes []byte
}

// openPack opens a pack file and reads its trailer and manifest. Others may
// rename the file meanwhile (openShared).
func openPack(path string) (*pack, error) {
	f, err := openShared(path)
	if err != nil {
		return nil, fail(exitBadPack, err, "", "cannot open the pack")
	}
	p, err := readPack(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return p, nil
}

// readPack reads the trailer and manifest of an open pack file.
func readPack(f *os.File, path string) (*pack, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fail(exitBadPack, err, "", "cannot read the pack")
	}
	l, err := locate(f, fi.Size())
	if errors.Is(err, errNoMagic) {
		return nil, fail(exitBadPack, nil, "if it was transferred in text mode or truncated, "+hintRedownload,
			"not a pack, or damaged: no pack trailer found")
	}
	if err != nil {
		return nil, fail(exitBadPack, err, hintRedownload, "pack is damaged")
	}
	mb, err := readManifest(f, l)
	if err != nil {
		return nil, fail(exitBadPack, err, hintRedownload, "pack is damaged")
	}
	m, err := parseManifest(mb, l.trailer)
	if err != nil {
		return nil, fail(exitBadPack, err, hintRedownload, "pack manifest is invalid")
	}
	return &pack{path: path, file: f, layout: l, manifest: m, manifestBytes: mb}, nil
}

func (p *pack) close() {
	if p.file != nil {
		p.file.Close()
		p.file = nil
	}
}
