//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The other targets' stubs, run here through wine (windows-x64) and
// qemu-user with binfmt_misc (linux-arm64). scripts/setup-emulators.sh
// installs and enables both; a missing tool fails the test, never skips it.

func requireTool(t *testing.T, tool, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s is not installed: run scripts/setup-emulators.sh (apt-get install %s)", tool, pkg)
	}
	return p
}

func wineEnv(t *testing.T) []string {
	requireTool(t, "wine", "wine64")
	return []string{"WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml="}
}

func TestWindowsStubUnderWine(t *testing.T) {
	wenv := wineEnv(t)
	stub, probe := tools(t, "windows", "amd64")
	dir := t.TempDir()
	pack := probePack(t, stub, probe, dir, "app.exe", func(m *testManifest) { m.Args = []string{"{app}"} })
	cache := t.TempDir()
	env := append(wenv, "PACK_CACHE_DIR="+cache, "PROBE_EXIT=42")
	r := runPack(t, "wine", env, nil, pack, "two words", `"quoted"`, "ünï")
	if r.code != 42 {
		t.Fatalf("exit %d, want 42 (stderr %q)", r.code, r.stderr)
	}
	rep := r.report(t)
	args := rep.args(t)
	if len(args) != 4 || args[1] != "two words" || args[2] != `"quoted"` || args[3] != "ünï" || !strings.Contains(args[0], "test-app") {
		t.Errorf("arguments %q", args)
	}
	if rep.Env["PACK_ID"] != "test-app" || !strings.HasSuffix(rep.Env["PACK_EXE"], "app.exe") {
		t.Errorf("environment %v", rep.Env)
	}
	// Warm start, and the stub's own failure codes come through too.
	if r := runPack(t, "wine", append(wenv, "PACK_CACHE_DIR="+cache, "PROBE_EXIT=0"), nil, pack); r.code != 0 {
		t.Errorf("warm start: exit %d, stderr %q", r.code, r.stderr)
	}
	b, _ := os.ReadFile(pack)
	bad := writeFile(t, dir, "bad.exe", b[:len(b)-10], 0o755)
	if r := runPack(t, "wine", append(wenv, "PACK_CACHE_DIR="+cache), nil, bad); r.code != exitBadPack {
		t.Errorf("truncated pack under wine: exit %d, want %d (stderr %q)", r.code, exitBadPack, r.stderr)
	}
}

// The stub passes the program's full 32-bit exit code on. Wine keeps only 8
// bits of it at the Unix boundary, so a Windows parent (the probe, unpacked)
// starts the pack and prints the code it saw.
func TestWindowsFullExitCodeUnderWine(t *testing.T) {
	wenv := wineEnv(t)
	stub, probe := tools(t, "windows", "amd64")
	pack := probePack(t, stub, probe, t.TempDir(), "app.exe", nil)
	for _, code := range []string{"3000000000", "4294967295", "259"} {
		env := append(wenv, "PACK_CACHE_DIR="+t.TempDir(), "PROBE_EXEC="+pack, "PROBE_PRINT_EXIT=1", "PROBE_EXIT="+code)
		r := runPack(t, "wine", env, nil, probe)
		lines := strings.Split(strings.TrimSpace(string(r.stdout)), "\n")
		if got := lines[len(lines)-1]; got != code { // the packed probe's report comes first
			t.Errorf("exit code %s came through as %q (stderr %q)", code, got, r.stderr)
		}
	}
}

// A real Authenticode signature (osslsigncode, self-signed certificate)
// appended after packing: the payload is still found and the pack runs.
func TestAuthenticodeSignedPackUnderWine(t *testing.T) {
	wenv := wineEnv(t)
	requireTool(t, "osslsigncode", "osslsigncode")
	requireTool(t, "openssl", "openssl")
	stub, probe := tools(t, "windows", "amd64")
	dir := t.TempDir()
	pack := probePack(t, stub, probe, dir, "app.exe", nil)
	key, cert := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	mustRun(t, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=pack-action test")
	signed := filepath.Join(dir, "signed.exe")
	mustRun(t, "osslsigncode", "sign", "-certs", cert, "-key", key, "-h", "sha256", "-in", pack, "-out", signed)

	b, _ := os.ReadFile(signed)
	unsigned, _ := os.ReadFile(pack)
	l := mustLocate(t, b)
	if len(b) <= len(unsigned) || l.dataEnd != uint64(len(unsigned)) {
		t.Fatalf("signed %d bytes (unsigned %d), dataEnd %d", len(b), len(unsigned), l.dataEnd)
	}
	r := runPack(t, "wine", append(wenv, "PACK_CACHE_DIR="+t.TempDir(), "PROBE_EXIT=7"), nil, signed)
	if r.code != 7 {
		t.Fatalf("signed pack: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestLinuxArm64StubUnderQemu(t *testing.T) {
	requireTool(t, "qemu-aarch64-static", "qemu-user-static")
	// The stub execs the program, so the kernel itself must hand arm64
	// binaries to qemu: binfmt_misc.
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/qemu-aarch64"); err != nil {
		t.Fatal("binfmt_misc has no qemu-aarch64 entry: run scripts/setup-emulators.sh (apt-get install qemu-user-static binfmt-support; mount binfmt_misc)")
	}
	stub, probe := tools(t, "linux", "arm64")
	dir := t.TempDir()
	pack := probePack(t, stub, probe, dir, "app", func(m *testManifest) { m.Target = "linux-arm64" })
	cache, env := cacheEnv(t)
	r := runPack(t, pack, append(env, "PROBE_EXIT=42", "PROBE_STDIN=1"), []byte("from stdin"), "a b", "ç")
	if r.code != 42 {
		t.Fatalf("exit %d, want 42 (stderr %q)", r.code, r.stderr)
	}
	rep := r.report(t)
	if got := rep.args(t); len(got) != 2 || got[0] != "a b" || got[1] != "ç" {
		t.Errorf("arguments %q", got)
	}
	if rep.StdinHex != hexOf([]byte("from stdin")) || !strings.HasPrefix(rep.Env["PACK_APP_DIR"], cache) {
		t.Errorf("report %+v", rep)
	}
	// The arm64 stub's own failures come through the emulator as well.
	b, _ := os.ReadFile(pack)
	bad := writeFile(t, dir, "bad", b[:len(b)-10], 0o755)
	if r := runPack(t, bad, env, nil); r.code != exitBadPack {
		t.Errorf("truncated arm64 pack: exit %d, stderr %q", r.code, r.stderr)
	}
}

func mustRun(t *testing.T, name string, args ...string) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
}
