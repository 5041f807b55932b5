package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// A payload that decompresses to far more than its manifest says (a
// damaged or hostile pack) is refused as soon as it exceeds the manifest,
// before the stub writes it out; found by FuzzExtract.
func TestPayloadBombsAreRefusedEarly(t *testing.T) {
	const claimed = 512 << 20 // what the tar says; the manifest says 10 bytes
	cases := map[string]func(tw *tar.Writer, zw io.Writer){
		"entry larger than the manifest": func(tw *tar.Writer, _ io.Writer) {
			tw.WriteHeader(&tar.Header{Name: "run", Typeflag: tar.TypeReg, Mode: 0o755, Size: claimed})
			io.CopyN(tw, zeros{}, claimed)
			tw.Close()
		},
		"more entries than the manifest": func(tw *tar.Writer, _ io.Writer) {
			for i := 0; i < 100000; i++ {
				tw.WriteHeader(&tar.Header{Name: "d" + strconv.Itoa(i), Typeflag: tar.TypeDir, Mode: 0o755})
			}
			tw.WriteHeader(&tar.Header{Name: "run", Typeflag: tar.TypeReg, Mode: 0o755, Size: 10})
			tw.Write([]byte("0123456789"))
			tw.Close()
		},
		"data after the end of the tar": func(tw *tar.Writer, zw io.Writer) {
			tw.WriteHeader(&tar.Header{Name: "run", Typeflag: tar.TypeReg, Mode: 0o755, Size: 10})
			tw.Write([]byte("0123456789"))
			tw.Close()
			io.CopyN(zw, zeros{}, claimed)
		},
	}
	for name, write := range cases {
		t.Run(name, func(t *testing.T) {
			var comp bytes.Buffer
			zw, _ := zstd.NewWriter(&comp, zstd.WithEncoderLevel(zstd.SpeedFastest))
			write(tar.NewWriter(zw), zw)
			zw.Close()
			if comp.Len() > 1<<20 {
				t.Fatalf("the bomb is %d bytes compressed; it should be small", comp.Len())
			}
			sum := sha256.Sum256(comp.Bytes())
			m := baseManifest("run")
			m.PayloadSHA256, m.PayloadSize, m.UnpackedSize, m.FileCount = hex.EncodeToString(sum[:]), uint64(comp.Len()), 10, 1
			mb, _ := json.Marshal(m)
			cache := t.TempDir()
			t.Setenv("PACK_CACHE_DIR", cache)
			p := openTestPack(t, assemble([]byte("stub"), comp.Bytes(), mb, true))
			_, err := openInstance(p)
			if err == nil || exitCode(err) != exitBadData {
				t.Fatalf("got %v, want a payload error", err)
			}
			var written int64
			filepath.Walk(cache, func(_ string, fi os.FileInfo, _ error) error {
				if fi != nil && fi.Mode().IsRegular() {
					written += fi.Size()
				}
				return nil
			})
			// The early checks' words: the count check at the end would also
			// refuse the pack, but only after writing it all out.
			early := strings.Contains(err.Error(), "more than the") || strings.Contains(err.Error(), "continues after the end")
			if written > 1<<20 || !early {
				t.Fatalf("%d bytes written to the cache; error %v", written, err)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}
