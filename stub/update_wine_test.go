//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Windows behaviour of updating programs in use, under wine: the GUI stub,
// detach, and renaming or replacing a console pack while it runs. Wine
// enforces Windows sharing modes between Windows processes, so a rename is
// done by a Windows process (cmd.exe, or the stub itself).

var guiStubOnce struct {
	sync.Once
	path string
	err  error
}

// guiStub builds the GUI-subsystem stub as scripts/build-stubs.mjs does.
func guiStub(t *testing.T) string {
	t.Helper()
	tools(t, "windows", "amd64") // creates the build directory
	guiStubOnce.Do(func() {
		guiStubOnce.path = filepath.Join(buildRoot, "windows-amd64", "stub-gui.exe")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -X main.stubVersion=test -H=windowsgui", "-o", guiStubOnce.path, ".")
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			guiStubOnce.err = errorf("go build (gui): %v\n%s", err, out)
		}
	})
	if guiStubOnce.err != nil {
		t.Fatal(guiStubOnce.err)
	}
	return guiStubOnce.path
}

func windowsOpts(subsystem string, detach bool) func(*testManifest) {
	return func(m *testManifest) {
		m.Windows = &map[string]any{"subsystem": subsystem, "detach": detach}
	}
}

// winPath is path as a Windows program under wine sees it.
func winPath(path string) string { return "Z:" + strings.ReplaceAll(path, "/", `\`) }

// startWine starts a pack under wine with output to files (a detached
// program keeps pipes open after wine returns) and returns when it exits.
func startWine(t *testing.T, env []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command("wine", args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, out
}

func TestGUIStubUnderWine(t *testing.T) {
	wenv := wineEnv(t)
	_, probe := tools(t, "windows", "amd64")
	pack := probePack(t, guiStub(t), probe, t.TempDir(), "gui.exe", windowsOpts("gui", false))
	r := runPack(t, "wine", append(wenv, "PACK_CACHE_DIR="+t.TempDir(), "PROBE_EXIT=7"), nil, pack, "arg")
	if r.code != 7 {
		t.Fatalf("GUI pack: exit %d, want 7 (stdout %q, stderr %q)", r.code, r.stdout, r.stderr)
	}
	if rep := r.report(t); rep.Env["PACK_ID"] != "test-app" || len(rep.ArgsHex) != 1 {
		t.Errorf("GUI pack ran with %v", rep)
	}
	// The stub's own errors still reach a redirected standard error.
	b, _ := os.ReadFile(pack)
	bad := writeFile(t, t.TempDir(), "bad.exe", b[:len(b)-10], 0o755)
	if r := runPack(t, "wine", wenv, nil, bad); r.code != exitBadPack || !strings.Contains(r.stderr, "bad.exe: not a pack") {
		t.Errorf("damaged GUI pack: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestDetachUnderWine(t *testing.T) {
	wenv := wineEnv(t)
	_, probe := tools(t, "windows", "amd64")
	pack := probePack(t, guiStub(t), probe, t.TempDir(), "detached.exe", windowsOpts("gui", true))
	dir := t.TempDir()
	ran, release, done := filepath.Join(dir, "ran"), filepath.Join(dir, "release"), filepath.Join(dir, "done")
	env := append(wenv, "PACK_CACHE_DIR="+t.TempDir(), "PROBE_RAN="+ran, "PROBE_WAIT_FILE="+release, "PROBE_DONE="+done, "PROBE_EXIT=5")
	cmd, out := startWine(t, env, pack)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			b, _ := os.ReadFile(out)
			t.Fatalf("detached start: %v (the program's code must not come through), output %q", err, b)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the stub waited for the detached program")
	}
	// The stub is gone; the program runs on until released.
	waitFor(t, func() bool { _, err := os.Stat(ran); return err == nil })
	if _, err := os.Stat(done); err == nil {
		t.Fatal("the program finished before it was released")
	}
	// Not checked here: that the cleaner leaves a detached program's
	// instance alone. Windows refuses to open a running program's files
	// without sharing (inUse) or to rename a directory it runs from, and the
	// program inherits the lock's handle; wine emulates none of these.
	os.WriteFile(release, nil, 0o644)
	waitFor(t, func() bool { _, err := os.Stat(done); return err == nil })
}

// A console pack, while its program runs, can be renamed by another
// Windows process, and replaced with PACK_STUB=replace: (rename aside).
func TestRunningConsolePackCanBeRenamedUnderWine(t *testing.T) {
	wenv := wineEnv(t)
	stub, probe := tools(t, "windows", "amd64")
	dir := t.TempDir()
	pack := probePack(t, stub, probe, dir, "app.exe", nil)
	v2 := probePack(t, stub, probe, t.TempDir(), "v2.exe", func(m *testManifest) { m.Version = "2.0.0" })
	cache := t.TempDir()
	sig := t.TempDir()
	ran, release := filepath.Join(sig, "ran"), filepath.Join(sig, "release")
	env := append(wenv, "PACK_CACHE_DIR="+cache)
	cmd, out := startWine(t, append(env, "PROBE_RAN="+ran, "PROBE_WAIT_FILE="+release, "PROBE_EXIT=3"), pack)
	waitFor(t, func() bool { _, err := os.Stat(ran); return err == nil })

	moved := filepath.Join(dir, "moved.exe")
	if r := runPack(t, "wine", wenv, nil, "cmd", "/c", "move", winPath(pack), winPath(moved)); r.code != 0 {
		t.Fatalf("renaming the running pack: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(moved); err != nil {
		t.Fatalf("not renamed: %v", err)
	}
	// Replace it in place while it runs: the running file is renamed aside.
	r := runPack(t, "wine", append(env, "PACK_STUB=replace:"+winPath(v2)), nil, moved)
	if r.code != 0 || !strings.Contains(string(r.stdout), "installed test-app 2.0.0") {
		t.Fatalf("replace while running: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if !bytes.Equal(readBytes(t, moved), readBytes(t, v2)) {
		t.Fatal("the pack file is not the new pack")
	}
	os.WriteFile(release, nil, 0o644)
	if err := cmd.Wait(); err == nil || cmd.ProcessState.ExitCode() != 3 {
		b, _ := os.ReadFile(out)
		t.Fatalf("the running program: %v, output %q", err, b)
	}
	if rep := runPack(t, "wine", env, nil, moved).report(t); rep.Env["PACK_VERSION"] != "2.0.0" {
		t.Errorf("next start ran %v", rep.Env)
	}
	// That start removed the old file set aside, now that nothing runs it.
	if names, _ := readDirNames(dir, -1); len(names) != 1 {
		t.Errorf("left next to the pack: %v", names)
	}
}
