package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestCacheRoot(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the XDG rules are Linux's") // the suite runs on Linux in CI
	}
	t.Setenv("PACK_CACHE_DIR", "")
	t.Setenv("XDG_CACHE_HOME", "/x/cache")
	if r, _ := cacheRoot(); r != "/x/cache/pack" {
		t.Errorf("XDG_CACHE_HOME: got %s", r)
	}
	t.Setenv("XDG_CACHE_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/u")
	if r, _ := cacheRoot(); r != "/home/u/.cache/pack" {
		t.Errorf("relative XDG_CACHE_HOME must be ignored: got %s", r)
	}
	t.Setenv("PACK_CACHE_DIR", "/p")
	if r, _ := cacheRoot(); r != "/p" {
		t.Errorf("PACK_CACHE_DIR: got %s", r)
	}
}

func TestCacheDirsLayout(t *testing.T) {
	t.Setenv("PACK_CACHE_DIR", "/cache")
	m := &manifest{ID: "tool", Version: "v2.0.0", PayloadSHA256: "0123456789abcdef" + strings.Repeat("0", 48)}
	d, err := cacheDirs(m)
	if err != nil {
		t.Fatal(err)
	}
	want := dirs{root: "/cache", idDir: "/cache/tool", instance: "/cache/tool/v2.0.0-0123456789ab",
		lockPath: "/cache/tool/v2.0.0-0123456789ab.lock", data: "/cache/tool/data"}
	if d != want {
		t.Fatalf("got %+v, want %+v", d, want)
	}
}

func TestPrepareRefusesUnsafeDirs(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("ownership checks are Unix's")
	}
	root := t.TempDir()
	d := dirs{root: filepath.Join(root, "c"), idDir: filepath.Join(root, "c", "id"), data: filepath.Join(root, "c", "id", "data")}
	if err := d.prepare(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{d.root, d.idDir, d.data} {
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
			t.Errorf("%s created with mode %o, want 0700", dir, fi.Mode().Perm())
		}
	}
	os.Chmod(d.idDir, 0o770)
	if err := d.prepare(); err == nil || exitCode(err) != exitCache {
		t.Errorf("group-writable id dir: got %v", err)
	}
	os.Chmod(d.idDir, 0o700)
	os.Chmod(d.root, 0o757)
	if err := d.prepare(); err == nil || !strings.Contains(err.Error(), "writable by group or others") {
		t.Errorf("world-writable root: got %v", err)
	}
	os.Chmod(d.root, 0o700)

	// A directory owned by someone else: as root, make one; otherwise "/"
	// is one already.
	other := "/"
	if os.Getuid() == 0 {
		other = filepath.Join(root, "other")
		os.Mkdir(other, 0o700)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	if err := checkPrivate(other); err == nil || !strings.Contains(err.Error(), "owned by uid") {
		t.Errorf("directory of another user: got %v", err)
	}
}
