package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// The vectors in testdata/vectors/ are packs with what a reader must find in
// them (testdata/vectors/README.md). The Go tests write go/ (with
// -update-vectors) and check every vector, the TypeScript packer's ts/ ones
// included; the TypeScript tests check them all too, so the halves cannot
// drift apart.

var updateVectors = flag.Bool("update-vectors", false, "rewrite testdata/vectors/go from the specs in vectors_test.go")

const vectorsDir = "../testdata/vectors"

type vectorIndex struct {
	Comment string   `json:"comment"`
	Vectors []vector `json:"vectors"`
}

type vector struct {
	File        string          `json:"file"`
	Description string          `json:"description"`
	Expect      string          `json:"expect"` // ok, bad-pack or bad-payload
	Manifest    json.RawMessage `json:"manifest,omitempty"`
	Layout      *vectorLayout   `json:"layout,omitempty"`
	Entries     []vectorEntry   `json:"entries,omitempty"`
}

type vectorLayout struct {
	PayloadOffset  uint64 `json:"payloadOffset"`
	PayloadSize    uint64 `json:"payloadSize"`
	ManifestOffset uint64 `json:"manifestOffset"`
	ManifestSize   uint64 `json:"manifestSize"`
	DataEnd        uint64 `json:"dataEnd"`
}

type vectorEntry struct {
	Path   string `json:"path"`
	Type   string `json:"type"`
	Mode   int64  `json:"mode,omitempty"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Target string `json:"target,omitempty"`
}

type vectorSpec struct {
	name, description, expect string
	spec                      packSpec
	post                      func([]byte) []byte // damage after assembly
}

func vectorSpecs() []vectorSpec {
	app := fileEntry("bin/app", 0o755, "#!/bin/sh\necho hello\n")
	basic := []testEntry{
		{Path: "bin", Type: "dir", Mode: 0o755}, app,
		{Path: "lib", Type: "dir", Mode: 0o755}, fileEntry("lib/data.txt", 0o644, strings.Repeat("data ", 300)),
		fileEntry("lib/private.key", 0o600, "secret"), fileEntry("empty", 0o644, ""),
		fileEntry("é/日本.txt", 0o644, "unicode names"), {Path: "current", Type: "symlink", Target: "lib"},
		{Path: "bin/data", Type: "symlink", Target: "../lib/data.txt"},
	}
	m := func(edit func(*testManifest)) testManifest {
		mm := baseManifest("bin/app")
		mm.Target = "linux-x64"
		mm.Version = "v1.2.3"
		mm.Args = []string{"--home", "{app}/lib", "--state={data}"}
		mm.Env = []string{"APP_HOME={app}", "APP_STATE={data}/state"}
		if edit != nil {
			edit(&mm)
		}
		return mm
	}
	stub := []byte("not a real stub: vectors carry a placeholder where the native loader goes\n")
	long := strings.Repeat("long-directory-name/", 8) + "file.txt"
	gui := map[string]any{"subsystem": "gui", "detach": true}
	bad := func(name, desc, expect string, entries []testEntry, edit func(*testManifest), post func([]byte) []byte) vectorSpec {
		return vectorSpec{name, desc, expect, packSpec{stub: stub, entries: entries, manifest: m(nil), mutate: edit}, post}
	}
	return []vectorSpec{
		{"basic", "files with modes, directories, symlinks, unicode and empty files, args and env with {app} and {data}", "ok",
			packSpec{stub: stub, entries: basic, manifest: m(nil)}, nil},
		{"long-names", "a path and a symlink target over 100 bytes (pax headers)", "ok",
			packSpec{stub: stub, entries: []testEntry{app, fileEntry(long, 0o644, "deep"), {Path: "l", Type: "symlink", Target: long}}, manifest: m(nil)}, nil},
		{"signed-pe", "an Authenticode certificate table after the data, found through the PE security directory", "ok",
			packSpec{stub: fakePE(1024), entries: []testEntry{app}, manifest: m(func(x *testManifest) { x.Target = "windows-x64" })}, signPE},
		{"signed-macho", "a code signature after the data, found through LC_CODE_SIGNATURE", "ok",
			packSpec{stub: fakeMachO(), entries: []testEntry{app}, manifest: m(func(x *testManifest) { x.Target = "darwin-arm64" })}, signMachO},
		{"unaligned", "no padding before the trailer (a writer need not align)", "ok",
			packSpec{stub: []byte("odd-sized stub"), entries: []testEntry{app}, manifest: m(nil), unaligned: true}, nil},
		{"windows-gui", "windows options in the manifest, and a semver version with pre-release and build parts", "ok",
			packSpec{stub: stub, entries: []testEntry{fileEntry("app.exe", 0o755, "MZ")}, manifest: m(func(x *testManifest) {
				x.Target, x.Command, x.Windows, x.Version = "windows-arm64", "app.exe", &gui, "2.0.0-rc.1+build.5"
			})}, nil},
		bad("bad-hash", "payloadSha256 does not match the payload", "bad-payload", []testEntry{app},
			func(x *testManifest) { x.PayloadSHA256 = strings.Repeat("0", 64) }, nil),
		bad("bad-dotdot", "an entry named ../evil", "bad-payload", []testEntry{app, fileEntry("../evil", 0o644, "x")}, nil, nil),
		bad("bad-absolute", "an entry with an absolute path", "bad-payload", []testEntry{app, fileEntry("/tmp/evil", 0o644, "x")}, nil, nil),
		bad("bad-symlink-escape", "a symlink whose target leaves the tree", "bad-payload", []testEntry{app, {Path: "l", Type: "symlink", Target: "../../etc/passwd"}}, nil, nil),
		bad("bad-through-symlink", "an entry written through a symlink of the tree", "bad-payload",
			[]testEntry{app, {Path: "a", Type: "symlink", Target: "."}, {Path: "a/b", Type: "symlink", Target: ".."}}, nil, nil),
		bad("bad-hardlink", "a hard link entry", "bad-payload", []testEntry{app, {Path: "h", Type: "hardlink", Target: "bin/app"}}, nil, nil),
		bad("bad-count", "fileCount does not match the payload", "bad-payload", []testEntry{app}, func(x *testManifest) { x.FileCount++ }, nil),
		bad("bad-magic", "the trailer magic is damaged", "bad-pack", []testEntry{app}, nil, func(b []byte) []byte { b[len(b)-3] ^= 0xff; return b }),
		bad("bad-trailer-crc", "a trailer field changed without its CRC", "bad-pack", []testEntry{app}, nil, func(b []byte) []byte { b[len(b)-64+10] ^= 1; return b }),
		bad("bad-manifest-crc", "a manifest byte changed without its CRC", "bad-pack", []testEntry{app}, nil, func(b []byte) []byte {
			i := bytes.Index(b, []byte(`"test-app"`))
			b[i+1] = 'T'
			return b
		}),
		bad("bad-manifest-id", "an id with a slash", "bad-pack", []testEntry{app}, func(x *testManifest) { x.ID = "a/b" }, nil),
		bad("bad-newer-format", "format version 2 in the trailer", "bad-pack", []testEntry{app}, nil, func(b []byte) []byte {
			return retrailer(b, func(tb []byte) { tb[32] = 2 })
		}),
		bad("bad-crlf", "the pack after a text-mode transfer turned CR LF into LF", "bad-pack", []testEntry{app}, nil, func(b []byte) []byte {
			return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		}),
	}
}

func TestWriteGoVectors(t *testing.T) {
	if !*updateVectors {
		return // the vectors are checked by TestVectors; this only rewrites them
	}
	dir := filepath.Join(vectorsDir, "go")
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o755)
	idx := vectorIndex{Comment: "written by stub/vectors_test.go (go test -run TestWriteGoVectors -update-vectors); see ../README.md"}
	for _, vs := range vectorSpecs() {
		if vs.expect == "ok" {
			vs.spec.entries = withParents(vs.spec.entries)
		}
		b := buildPack(t, vs.spec)
		if vs.post != nil {
			b = vs.post(b)
		}
		file := vs.name + ".pack"
		writeFile(t, dir, file, b, 0o644)
		v := vector{File: file, Description: vs.description, Expect: vs.expect}
		if vs.expect != "bad-pack" {
			v.Manifest, v.Layout, v.Entries = describe(t, b, vs.spec.entries)
		}
		idx.Vectors = append(idx.Vectors, v)
	}
	out, _ := json.MarshalIndent(idx, "", "  ")
	writeFile(t, dir, "index.json", append(out, '\n'), 0o644)
}

// withParents adds the directory entries a conforming writer emits before
// their contents (docs/format.md section 4), in path order.
func withParents(entries []testEntry) []testEntry {
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Path] = true
	}
	out := append([]testEntry(nil), entries...)
	for _, e := range entries {
		for dir := filepath.ToSlash(filepath.Dir(e.Path)); dir != "."; dir = filepath.ToSlash(filepath.Dir(dir)) {
			if !have[dir] {
				have[dir] = true
				out = append(out, testEntry{Path: dir, Type: "dir", Mode: 0o755})
			}
		}
	}
	return sortedEntries(out)
}

// describe is what a reader must find: the manifest, the layout, and the
// entries as the packer wrote them.
func describe(t *testing.T, b []byte, entries []testEntry) (json.RawMessage, *vectorLayout, []vectorEntry) {
	l := mustLocate(t, b)
	mb, _ := readManifest(bytes.NewReader(b), l)
	var ves []vectorEntry
	for _, e := range sortedEntries(entries) {
		ve := vectorEntry{Path: e.Path, Type: e.Type, Mode: e.Mode, Target: e.Target}
		if e.Type == "file" {
			sum := sha256.Sum256(e.Data)
			ve.Size, ve.SHA256 = int64(len(e.Data)), hex.EncodeToString(sum[:])
		}
		ves = append(ves, ve)
	}
	return json.RawMessage(bytes.TrimSpace(mb)), &vectorLayout{l.payloadOffset, l.payloadSize, l.manifestOffset, l.manifestSize, l.dataEnd}, ves
}

func TestVectors(t *testing.T) {
	for _, side := range []string{"go", "ts"} {
		raw, err := os.ReadFile(filepath.Join(vectorsDir, side, "index.json"))
		if err != nil {
			if side == "ts" && errors.Is(err, fs.ErrNotExist) {
				t.Errorf("no TypeScript-written vectors in %s/ts: run the packer's vector test to write them", vectorsDir)
				continue
			}
			t.Fatal(err)
		}
		var idx vectorIndex
		if err := json.Unmarshal(raw, &idx); err != nil {
			t.Fatalf("%s/index.json: %v", side, err)
		}
		if len(idx.Vectors) == 0 {
			t.Errorf("%s/index.json lists no vectors", side)
		}
		for _, v := range idx.Vectors {
			t.Run(side+"/"+v.File, func(t *testing.T) { checkVector(t, filepath.Join(vectorsDir, side, v.File), v) })
		}
	}
}

func checkVector(t *testing.T, path string, v vector) {
	p, err := openPack(path)
	if v.Expect == "bad-pack" {
		if err == nil || exitCode(err) != exitBadPack {
			t.Fatalf("want a bad-pack error, got %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	var got, want any
	json.Unmarshal(p.manifestBytes, &got)
	json.Unmarshal(v.Manifest, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("manifest\n got %s\nwant %s", p.manifestBytes, v.Manifest)
	}
	l := p.layout
	if gl := (vectorLayout{l.payloadOffset, l.payloadSize, l.manifestOffset, l.manifestSize, l.dataEnd}); v.Layout == nil || gl != *v.Layout {
		t.Errorf("layout %+v, want %+v", gl, v.Layout)
	}
	dest := t.TempDir()
	err = extractPayload(p, dest)
	if v.Expect == "bad-payload" {
		var de *errData
		if !errors.As(err, &de) {
			t.Fatalf("want a payload error, got %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	found := walkTree(t, dest)
	for i := range v.Entries {
		v.Entries[i].Mode = normalizeMode(v.Entries[i])
	}
	if !reflect.DeepEqual(found, v.Entries) {
		t.Errorf("extracted\n got %+v\nwant %+v", found, v.Entries)
	}
}

// normalizeMode is docs/format.md section 4: files gain owner rw,
// directories owner rwx; symlinks have no mode.
func normalizeMode(e vectorEntry) int64 {
	switch {
	case runtime.GOOS == "windows" || e.Type == "symlink":
		return 0
	case e.Type == "dir":
		return e.Mode&0o777 | 0o700
	}
	return e.Mode&0o777 | 0o600
}

func walkTree(t *testing.T, root string) []vectorEntry {
	var out []vectorEntry
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		fi, _ := os.Lstat(p)
		e := vectorEntry{Path: rel}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			e.Type = "symlink"
			target, _ := os.Readlink(p)
			e.Target = filepath.ToSlash(target)
		case fi.IsDir():
			e.Type, e.Mode = "dir", int64(fi.Mode().Perm())
		default:
			data, _ := os.ReadFile(p)
			sum := sha256.Sum256(data)
			e.Type, e.Mode, e.Size, e.SHA256 = "file", int64(fi.Mode().Perm()), int64(len(data)), hex.EncodeToString(sum[:])
		}
		if runtime.GOOS == "windows" {
			e.Mode = 0
		}
		out = append(out, e)
		return nil
	})
	return out
}
