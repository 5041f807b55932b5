package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func openTestPack(t *testing.T, b []byte) *pack {
	t.Helper()
	path := writeFile(t, t.TempDir(), "app.pack", b, 0o755)
	p, err := openPack(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	return p
}

func TestOpenInstanceExtractsTree(t *testing.T) { checkExtractsTree(t) }

// checkExtractsTree extracts a tree of every entry kind and checks its
// bytes, modes and links (umask_test.go runs it under other umasks).
func checkExtractsTree(t *testing.T) {
	cache := t.TempDir()
	os.Chmod(cache, 0o700) // the stub refuses a cache others can write to, as the umask may have made it
	t.Setenv("PACK_CACHE_DIR", cache)
	big := bytes.Repeat([]byte("0123456789"), 100000)
	entries := []testEntry{
		{Path: "bin", Type: "dir", Mode: 0o755},
		fileEntry("bin/app", 0o755, "#!/bin/sh\necho hi\n"),
		{Path: "lib", Type: "dir", Mode: 0o555}, // read-only: its files must still be written
		fileEntry("lib/data.bin", 0o644, string(big)),
		fileEntry("deep/er/than/its/parents.txt", 0o600, "no directory entries above me"),
		fileEntry("é/日本.txt", 0o644, "unicode"),
		{Path: "current", Type: "symlink", Target: "lib"},
		{Path: "bin/data", Type: "symlink", Target: "../lib/data.bin"},
		fileEntry("empty", 0o644, ""),
	}
	p := openTestPack(t, buildPack(t, packSpec{stub: []byte("stub"), entries: entries, manifest: baseManifest("bin/app")}))
	inst, err := openInstance(p)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.lock.close()
	if !complete(inst.instance) {
		t.Fatal("no completion marker")
	}
	got, err := os.ReadFile(filepath.Join(inst.instance, "lib", "data.bin"))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("lib/data.bin: %d bytes, %v", len(got), err)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{"bin/app": 0o755, "lib/data.bin": 0o644, "deep/er/than/its/parents.txt": 0o600, "lib": 0o755 | os.ModeDir} {
			fi, err := os.Lstat(filepath.Join(inst.instance, path))
			if err != nil {
				t.Fatal(err)
			}
			// Directories keep their bits plus owner rwx so the cache can be cleaned.
			if path == "lib" {
				want = 0o755 | os.ModeDir
			}
			if fi.Mode() != want && !(path == "lib" && fi.Mode().Perm() == 0o755) {
				t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
			}
		}
		if target, err := os.Readlink(filepath.Join(inst.instance, "current")); err != nil || target != "lib" {
			t.Errorf("symlink current -> %q, %v", target, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(inst.instance, "bin", "data")); !bytes.Equal(b, big) {
		t.Error("reading through the symlink bin/data failed")
	}
	assertNoTempDirs(t, filepath.Join(cache, "test-app"))
}

func assertNoTempDirs(t *testing.T, idDir string) {
	t.Helper()
	names, _ := readDirNames(idDir, -1)
	for _, n := range names {
		if strings.HasPrefix(n, ".tmp-") {
			t.Errorf("temporary directory %s left behind", n)
		}
	}
}

func TestExtractRejectsBadPayloads(t *testing.T) {
	run := fileEntry("run", 0o755, "#!/bin/sh\n")
	cases := map[string]packSpec{
		"dotdot entry":         {entries: []testEntry{run, fileEntry("../evil", 0o644, "x")}},
		"absolute entry":       {entries: []testEntry{run, fileEntry("/tmp/evil", 0o644, "x")}},
		"dotdot inside":        {entries: []testEntry{run, fileEntry("a/../../evil", 0o644, "x")}},
		"escaping symlink":     {entries: []testEntry{run, {Path: "l", Type: "symlink", Target: "../../etc"}}},
		"absolute symlink":     {entries: []testEntry{run, {Path: "l", Type: "symlink", Target: "/etc"}}},
		"write through link":   {entries: []testEntry{run, {Path: "a", Type: "symlink", Target: "."}, {Path: "a/b", Type: "symlink", Target: ".."}}},
		"file through link":    {entries: []testEntry{run, {Path: "d", Type: "symlink", Target: "."}, fileEntry("d/x", 0o644, "x")}},
		"hard link":            {entries: []testEntry{run, {Path: "h", Type: "hardlink", Target: "run"}}},
		"fifo":                 {entries: []testEntry{run, {Path: "f", Type: "fifo"}}},
		"duplicate":            {entries: []testEntry{run, fileEntry("x", 0o644, "1"), fileEntry("x", 0o644, "2")}},
		"reserved .pack":       {entries: []testEntry{run, fileEntry(".pack/complete", 0o644, "fake")}},
		"hash mismatch":        {entries: []testEntry{run}, mutate: func(m *testManifest) { m.PayloadSHA256 = strings.Repeat("0", 64) }},
		"file count mismatch":  {entries: []testEntry{run}, mutate: func(m *testManifest) { m.FileCount = 5 }},
		"size mismatch":        {entries: []testEntry{run}, mutate: func(m *testManifest) { m.UnpackedSize = 1 }},
		"command not in tree":  {entries: []testEntry{fileEntry("other", 0o755, "x")}},
		"command is directory": {entries: []testEntry{{Path: "run", Type: "dir", Mode: 0o755}}},
	}
	for name, spec := range cases {
		t.Run(name, func(t *testing.T) {
			cache := t.TempDir()
			t.Setenv("PACK_CACHE_DIR", cache)
			spec.stub = []byte("stub")
			spec.manifest = baseManifest("run")
			p := openTestPack(t, buildPack(t, spec))
			_, err := openInstance(p)
			if err == nil {
				t.Fatal("bad payload accepted")
			}
			if exitCode(err) != exitBadData {
				t.Fatalf("exit code %d (%v), want %d", exitCode(err), err, exitBadData)
			}
			if !strings.Contains(err.Error(), "nothing was run") {
				t.Errorf("message %q does not say the program was not run", err)
			}
			d, _ := cacheDirs(p.manifest)
			if _, err := os.Stat(d.instance); !os.IsNotExist(err) {
				t.Errorf("instance directory exists after a failed extraction")
			}
			assertNoTempDirs(t, d.idDir)
			if _, err := os.Stat(filepath.Join(filepath.Dir(cache), "evil")); err == nil {
				t.Errorf("an entry escaped the extraction directory")
			}
		})
	}
}

func TestFlippedPayloadByteIsCaught(t *testing.T) {
	entries := []testEntry{fileEntry("run", 0o755, strings.Repeat("payload ", 5000))}
	good := buildPack(t, packSpec{stub: []byte("stub"), entries: entries, manifest: baseManifest("run")})
	l := mustLocate(t, good)
	// Flip a spread of payload bytes, first to last: every one must be refused.
	for i := uint64(0); i <= 4; i++ {
		off := l.payloadOffset + i*(l.payloadSize-1)/4
		cache := t.TempDir()
		t.Setenv("PACK_CACHE_DIR", cache)
		b := append([]byte(nil), good...)
		b[off] ^= 0x01
		p := openTestPack(t, b)
		if _, err := openInstance(p); err == nil || exitCode(err) != exitBadData {
			t.Fatalf("flipped byte at %d: got %v", off, err)
		}
	}
}

func TestReplacesInstanceWithoutMarker(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("PACK_CACHE_DIR", cache)
	p := openTestPack(t, buildPack(t, packSpec{stub: []byte("s"), entries: []testEntry{fileEntry("run", 0o755, "ok")}, manifest: baseManifest("run")}))
	d, _ := cacheDirs(p.manifest)
	// A half-written tree from a crash or a user's copy, without a marker.
	os.MkdirAll(d.instance, 0o700)
	os.WriteFile(filepath.Join(d.instance, "run"), []byte("half"), 0o755)
	inst, err := openInstance(p)
	if err != nil {
		t.Fatal(err)
	}
	inst.lock.close()
	if b, _ := os.ReadFile(filepath.Join(d.instance, "run")); string(b) != "ok" {
		t.Fatalf("instance not replaced: run = %q", b)
	}
}
