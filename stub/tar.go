package main

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
)

// A minimal tar reader for payloads: ustar headers, pax extended headers
// (path, linkpath, size) and GNU long names. archive/tar would add 200 KB
// (os/user, time formatting) to every stub for features a payload never uses.

const blockSize = 512

const (
	typeReg     = '0'
	typeRegA    = 0
	typeSymlink = '2'
	typeDir     = '5'
	typePax     = 'x'
	typePaxG    = 'g'
	typeGNUName = 'L'
	typeGNULink = 'K'
)

type tarHeader struct {
	Name     string
	Linkname string
	Typeflag byte
	Mode     int64
	Size     int64
}

type tarReader struct {
	r       io.Reader
	remain  int64 // bytes of the current entry not yet read
	pad     int64 // padding after the current entry
	block   [blockSize]byte
	scratch []byte
}

func newTarReader(r io.Reader) *tarReader { return &tarReader{r: r} }

var errTarHeader = errors.New("invalid tar header")

// Next skips the rest of the current entry and returns the next header, or
// io.EOF at the end-of-archive marker.
func (t *tarReader) Next() (*tarHeader, error) {
	var pax map[string]string
	var longName, longLink string
	for {
		if err := t.skip(); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(t.r, t.block[:]); err != nil {
			return nil, noEOF(err)
		}
		if t.block == [blockSize]byte{} {
			return nil, io.EOF // end-of-archive marker
		}
		hdr, err := t.parseBlock()
		if err != nil {
			return nil, err
		}
		t.remain = hdr.Size
		t.pad = -hdr.Size & (blockSize - 1)
		switch hdr.Typeflag {
		case typePax, typePaxG, typeGNUName, typeGNULink:
			if hdr.Size > 1<<20 {
				return nil, errors.New("tar extended header larger than 1 MiB")
			}
			data := make([]byte, hdr.Size)
			if _, err := io.ReadFull(t, data); err != nil {
				return nil, noEOF(err)
			}
			switch hdr.Typeflag {
			case typePax:
				if pax, err = parsePax(data); err != nil {
					return nil, err
				}
			case typeGNUName:
				longName = string(bytes.TrimRight(data, "\x00"))
			case typeGNULink:
				longLink = string(bytes.TrimRight(data, "\x00"))
			}
			continue // typePaxG: global defaults a payload has no use for
		}
		if longName != "" {
			hdr.Name = longName
		}
		if longLink != "" {
			hdr.Linkname = longLink
		}
		if v, ok := pax["path"]; ok {
			hdr.Name = v
		}
		if v, ok := pax["linkpath"]; ok {
			hdr.Linkname = v
		}
		if v, ok := pax["size"]; ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, errors.New("invalid pax size")
			}
			hdr.Size = n
			t.remain = n
			t.pad = -n & (blockSize - 1)
		}
		if hdr.Typeflag != typeReg && hdr.Typeflag != typeRegA {
			// Only regular files carry data in a payload.
			if hdr.Size != 0 {
				return nil, errors.New("tar entry of type " + quote(string(hdr.Typeflag)) + " has data")
			}
		}
		return hdr, nil
	}
}

func (t *tarReader) parseBlock() (*tarHeader, error) {
	b := t.block[:]
	sum, err := parseOctal(b[148:156])
	if err != nil {
		return nil, errTarHeader
	}
	var unsigned int64
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		unsigned += int64(c)
	}
	if sum != unsigned {
		return nil, errors.New("tar header checksum mismatch")
	}
	name := cString(b[0:100])
	if magic := string(b[257:263]); magic == "ustar\x00" {
		if prefix := cString(b[345:500]); prefix != "" {
			name = prefix + "/" + name
		}
	}
	mode, err := parseOctal(b[100:108])
	if err != nil {
		return nil, errTarHeader
	}
	size, err := parseNumeric(b[124:136])
	if err != nil || size < 0 {
		return nil, errTarHeader
	}
	return &tarHeader{Name: name, Linkname: cString(b[157:257]), Typeflag: b[156], Mode: mode, Size: size}, nil
}

// Read reads the current entry's data.
func (t *tarReader) Read(p []byte) (int, error) {
	if t.remain <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > t.remain {
		p = p[:t.remain]
	}
	n, err := t.r.Read(p)
	t.remain -= int64(n)
	if err == io.EOF && t.remain > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (t *tarReader) skip() error {
	n := t.remain + t.pad
	t.remain, t.pad = 0, 0
	if n == 0 {
		return nil
	}
	if t.scratch == nil {
		t.scratch = make([]byte, 32<<10)
	}
	for n > 0 {
		chunk := t.scratch
		if int64(len(chunk)) > n {
			chunk = chunk[:n]
		}
		m, err := io.ReadFull(t.r, chunk)
		n -= int64(m)
		if err != nil {
			return noEOF(err)
		}
	}
	return nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func parseOctal(b []byte) (int64, error) {
	s := strings.Trim(string(b), " \x00")
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 8, 64)
}

// parseNumeric reads an octal field or a GNU base-256 one (large sizes).
func parseNumeric(b []byte) (int64, error) {
	if len(b) > 0 && b[0]&0x80 != 0 {
		if b[0] != 0x80 {
			return 0, errTarHeader // negative or too large
		}
		var n int64
		for _, c := range b[1:] {
			if n > (1<<63-1)>>8 {
				return 0, errTarHeader
			}
			n = n<<8 | int64(c)
		}
		return n, nil
	}
	return parseOctal(b)
}

// parsePax parses "<len> <key>=<value>\n" records.
func parsePax(data []byte) (map[string]string, error) {
	m := map[string]string{}
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp <= 0 {
			return nil, errors.New("invalid pax record")
		}
		n, err := strconv.Atoi(string(data[:sp]))
		if err != nil || n <= sp+1 || n > len(data) || data[n-1] != '\n' {
			return nil, errors.New("invalid pax record")
		}
		kv := string(data[sp+1 : n-1])
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, errors.New("invalid pax record")
		}
		m[k] = v
		data = data[n:]
	}
	return m, nil
}
