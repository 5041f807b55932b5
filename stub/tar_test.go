package main

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestTarReaderMatchesArchiveTar(t *testing.T) {
	long := strings.Repeat("d/", 80) + "file-with-a-long-name.txt"
	longLink := strings.Repeat("../", 50) + "target"
	for _, format := range []tar.Format{tar.FormatUSTAR, tar.FormatPAX, tar.FormatGNU} {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		headers := []*tar.Header{
			{Name: "dir/", Typeflag: tar.TypeDir, Mode: 0o755},
			{Name: "dir/a.txt", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5},
			{Name: "run", Typeflag: tar.TypeReg, Mode: 0o755, Size: 1500},
			{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "dir/a.txt", Mode: 0o777},
		}
		if format != tar.FormatUSTAR {
			headers = append(headers,
				&tar.Header{Name: long, Typeflag: tar.TypeReg, Mode: 0o600, Size: 3},
				&tar.Header{Name: "l2", Typeflag: tar.TypeSymlink, Linkname: longLink})
		}
		for _, h := range headers {
			h.Format = format
			if err := tw.WriteHeader(h); err != nil {
				t.Fatalf("%v: %v", format, err)
			}
			tw.Write(bytes.Repeat([]byte{'x'}, int(h.Size)))
		}
		tw.Close()

		tr := newTarReader(bytes.NewReader(buf.Bytes()))
		for _, want := range headers {
			got, err := tr.Next()
			if err != nil {
				t.Fatalf("%v %s: %v", format, want.Name, err)
			}
			if got.Name != want.Name || got.Linkname != want.Linkname || got.Typeflag != want.Typeflag || got.Mode != want.Mode || got.Size != want.Size {
				t.Fatalf("%v: got %+v, want %+v", format, got, want)
			}
			data, err := io.ReadAll(tr)
			if err != nil || int64(len(data)) != want.Size {
				t.Fatalf("%v %s: read %d bytes, %v", format, want.Name, len(data), err)
			}
		}
		if _, err := tr.Next(); err != io.EOF {
			t.Fatalf("%v: want EOF at the end, got %v", format, err)
		}
	}
}

func TestTarReaderRejectsDamage(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "f", Typeflag: tar.TypeReg, Size: 2000, Mode: 0o644})
	tw.Write(make([]byte, 2000))
	tw.Close()
	good := buf.Bytes()

	corrupt := append([]byte(nil), good...)
	corrupt[10] ^= 0xff // inside the name: checksum no longer matches
	if _, err := newTarReader(bytes.NewReader(corrupt)).Next(); err == nil {
		t.Error("header with a bad checksum accepted")
	}
	tr := newTarReader(bytes.NewReader(good[:1024]))
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(tr); err != io.ErrUnexpectedEOF {
		t.Errorf("truncated entry: got %v, want unexpected EOF", err)
	}
}
