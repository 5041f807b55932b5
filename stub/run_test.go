//go:build !windows

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestRunExitCodes(t *testing.T) {
	stub, probe := hostTools(t)
	_, env := cacheEnv(t)
	pack := probePack(t, stub, probe, t.TempDir(), "app", nil)
	for _, code := range []int{0, 1, 42, 255} {
		if r := runPack(t, pack, append(env, "PROBE_EXIT="+itoa(code)), nil); r.code != code {
			t.Errorf("exit %d came through as %d (stderr %q)", code, r.code, r.stderr)
		}
	}
}

func TestRunPassesArgumentsByteForByte(t *testing.T) {
	stub, probe := hostTools(t)
	_, env := cacheEnv(t)
	pack := probePack(t, stub, probe, t.TempDir(), "app", func(m *testManifest) {
		m.Args = []string{"--fixed", "{app}/main.py", "data={data}"}
	})
	args := []string{"plain", "with space", `"double"`, "'single'", "", "ünïcödé 日本", "tab\there", "new\nline", "\xff\xfe not utf-8", "--flag=a b", "*", "$HOME"}
	r := runPack(t, pack, env, nil, args...)
	rep := r.report(t)
	got := rep.args(t)
	inst := rep.Env["PACK_APP_DIR"]
	want := append([]string{"--fixed", inst + "/main.py", "data=" + rep.Env["PACK_DATA_DIR"]}, args...)
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Fatalf("arguments\n got %q\nwant %q", got, want)
	}
}

func TestRunPassesStdinAndWorkingDirectory(t *testing.T) {
	stub, probe := hostTools(t)
	_, env := cacheEnv(t)
	pack := probePack(t, stub, probe, t.TempDir(), "app", nil)
	input := append([]byte("line one\nline two\n"), 0, 1, 2, 255)
	cwd := t.TempDir()
	cmd := exec.Command(pack)
	cmd.Dir = cwd
	cmd.Env = append(os.Environ(), append(env, "PROBE_STDIN=1")...)
	cmd.Stdin = bytes.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var rep probeReport
	json.Unmarshal(out, &rep)
	if rep.StdinHex != hexOf(input) {
		t.Errorf("stdin %s, want %s", rep.StdinHex, hexOf(input))
	}
	if resolved, _ := filepath.EvalSymlinks(cwd); rep.Cwd != cwd && rep.Cwd != resolved {
		t.Errorf("working directory %q, want %q", rep.Cwd, cwd)
	}
}

func TestRunEnvironment(t *testing.T) {
	stub, probe := hostTools(t)
	cache, env := cacheEnv(t)
	dir := t.TempDir()
	pack := probePack(t, stub, probe, dir, "app", func(m *testManifest) {
		m.Env = []string{"TEST_HOME={app}", "TEST_STATE={data}/state", "TEST_PLAIN=x=y"}
		m.Version = "v2.1.0"
	})
	// Inherited values of the stub's variables must not leak through.
	r := runPack(t, pack, append(env, "PACK_STUB=", "PACK_VERSION=bogus", "PACK_OVERRIDE=1", "TEST_PLAIN=caller"), nil)
	rep := r.report(t)
	e := rep.Env
	inst := e["PACK_APP_DIR"]
	if filepath.Dir(inst) != filepath.Join(cache, "test-app") || !strings.HasPrefix(filepath.Base(inst), "v2.1.0-") {
		t.Errorf("PACK_APP_DIR = %q", inst)
	}
	want := map[string]string{
		"PACK_EXE": pack, "PACK_ID": "test-app", "PACK_VERSION": "v2.1.0", "PACK_DATA_DIR": filepath.Join(cache, "test-app", "data"),
		"PACK_STUB_VERSION": "test", "TEST_HOME": inst, "TEST_STATE": filepath.Join(cache, "test-app", "data") + "/state", "TEST_PLAIN": "x=y",
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("%s = %q, want %q", k, e[k], v)
		}
	}
	for _, k := range []string{"PACK_STUB", "PACK_OVERRIDE"} {
		if _, ok := e[k]; ok {
			t.Errorf("%s leaked into the program's environment", k)
		}
	}
	if fi, err := os.Stat(e["PACK_DATA_DIR"]); err != nil || !fi.IsDir() {
		t.Errorf("data directory not created: %v", err)
	}
}

func TestRunNestedPackBehavesAsFresh(t *testing.T) {
	stub, probe := hostTools(t)
	_, env := cacheEnv(t)
	dir := t.TempDir()
	inner := probePack(t, stub, probe, dir, "inner", func(m *testManifest) { m.ID = "inner"; m.Version = "3.0.0" })
	outer := probePack(t, stub, probe, dir, "outer", func(m *testManifest) { m.ID = "outer"; m.Version = "1.0.0" })
	r := runPack(t, outer, append(env, "PROBE_EXEC="+inner, "PROBE_EXIT=7"), nil, "arg")
	if r.code != 7 {
		t.Fatalf("exit %d, want 7 (stderr %q)", r.code, r.stderr)
	}
	e := r.report(t).Env
	if e["PACK_ID"] != "inner" || e["PACK_VERSION"] != "3.0.0" || e["PACK_EXE"] != inner || !strings.Contains(e["PACK_APP_DIR"], "/inner/3.0.0-") {
		t.Fatalf("inner pack saw %v", e)
	}
}

func TestRunSignalDeathIsTheProgramsOwn(t *testing.T) {
	stub, probe := hostTools(t)
	_, env := cacheEnv(t)
	pack := probePack(t, stub, probe, t.TempDir(), "app", nil)
	cmd := exec.Command(pack)
	cmd.Env = append(os.Environ(), append(env, "PROBE_SLEEP_MS=5000")...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The stub execs the program: the PID we started is the program's.
	waitFor(t, func() bool { return strings.Contains(readCmdline(cmd.Process.Pid), "probe") })
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	ws := err.(*exec.ExitError).Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("wait status %v, want killed by SIGTERM", ws)
	}
}

func TestConcurrentColdStarts(t *testing.T) {
	stub, probe := hostTools(t)
	cache, env := cacheEnv(t)
	pack := probePack(t, stub, probe, t.TempDir(), "app", nil)
	var wg sync.WaitGroup
	results := make([]runResult, 32)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = runPack(t, pack, append(env, "PROBE_EXIT=3"), nil)
		}(i)
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 3 {
			t.Errorf("start %d: exit %d, stderr %q", i, r.code, r.stderr)
		}
	}
	names, _ := readDirNames(filepath.Join(cache, "test-app"), -1)
	var instances []string
	for _, n := range names {
		if fi, _ := os.Stat(filepath.Join(cache, "test-app", n)); fi.IsDir() && n != "data" {
			instances = append(instances, n)
		}
	}
	if len(instances) != 1 {
		t.Errorf("want one instance directory, got %v", instances)
	}
	assertNoTempDirs(t, filepath.Join(cache, "test-app"))
}

func TestDamagedPackNeverRunsTheProgram(t *testing.T) {
	stub, probe := hostTools(t)
	dir := t.TempDir()
	good, _ := os.ReadFile(probePack(t, stub, probe, dir, "good", nil))
	stubSize, _ := os.Stat(stub)
	l := mustLocate(t, good)
	cases := map[string]struct {
		bytes []byte
		code  int
	}{
		"flipped payload byte": {flip(good, int(l.payloadOffset+l.payloadSize/2)), exitBadData},
		"truncated":            {good[:len(good)-4096], exitBadPack},
		"wrong magic":          {flip(good, len(good)-1), exitBadPack},
		"stub alone":           {good[:stubSize.Size()], exitBadPack},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cache, env := cacheEnv(t)
			path := writeFile(t, dir, strings.ReplaceAll(name, " ", "-"), c.bytes, 0o755)
			ran := filepath.Join(dir, name+".ran")
			r := runPack(t, path, append(env, "PROBE_RAN="+ran), nil)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d (stderr %q)", r.code, c.code, r.stderr)
			}
			if _, err := os.Stat(ran); err == nil {
				t.Fatal("the program ran from a damaged pack")
			}
			if lines := strings.Count(strings.TrimRight(r.stderr, "\n"), "\n"); lines != 0 || !strings.HasPrefix(r.stderr, filepath.Base(path)+": ") {
				t.Errorf("want one line naming the pack, got %q", r.stderr)
			}
			assertNoTempDirs(t, filepath.Join(cache, "test-app"))
		})
	}
}

func flip(b []byte, at int) []byte {
	out := append([]byte(nil), b...)
	out[at] ^= 0x40
	return out
}

func TestKilledDuringExtractionRecovers(t *testing.T) {
	stub, probe := hostTools(t)
	cache, env := cacheEnv(t)
	stubBytes, _ := os.ReadFile(stub)
	probeBytes, _ := os.ReadFile(probe)
	// Enough incompressible data that extraction takes a while.
	big := make([]byte, 96<<20)
	seed := uint64(1)
	for i := 0; i+8 <= len(big); i += 8 {
		seed = seed*6364136223846793005 + 1442695040888963407
		for j := 0; j < 8; j++ {
			big[i+j] = byte(seed >> (8 * j))
		}
	}
	b := buildPack(t, packSpec{stub: stubBytes, manifest: baseManifest("probe"), entries: []testEntry{
		{Path: "probe", Type: "file", Mode: 0o755, Data: probeBytes}, {Path: "big.bin", Type: "file", Mode: 0o644, Data: big},
	}})
	pack := writeFile(t, t.TempDir(), "big", b, 0o755)
	idDir := filepath.Join(cache, "test-app")

	cmd := exec.Command(pack)
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		names, _ := readDirNames(idDir, -1)
		for _, n := range names {
			if strings.HasPrefix(n, ".tmp-") {
				return true
			}
		}
		return false
	})
	cmd.Process.Kill()
	cmd.Wait()
	if r := runPack(t, pack, append(env, "PROBE_EXIT=5"), nil); r.code != 5 {
		t.Fatalf("start after a killed extraction: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestWarmStartDoesNotReadThePayload(t *testing.T) {
	stub, probe := hostTools(t)
	_, env := cacheEnv(t)
	pack := probePack(t, stub, probe, t.TempDir(), "app", nil)
	if r := runPack(t, pack, env, nil); r.code != 0 {
		t.Fatalf("cold start: %q", r.stderr)
	}
	// Damage the payload in place: a warm start that hashed or read it
	// would fail; ours only reads the trailer and the manifest.
	b, _ := os.ReadFile(pack)
	l := mustLocate(t, b)
	os.WriteFile(pack, flip(b, int(l.payloadOffset+l.payloadSize/2)), 0o755)
	if r := runPack(t, pack, append(env, "PROBE_EXIT=9"), nil); r.code != 9 {
		t.Fatalf("warm start: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestLockIsHeldWhileTheProgramRuns(t *testing.T) {
	stub, probe := hostTools(t)
	cache, env := cacheEnv(t)
	pack := probePack(t, stub, probe, t.TempDir(), "app", nil)
	cmd := exec.Command(pack)
	cmd.Env = append(os.Environ(), append(env, "PROBE_SLEEP_MS=1500")...)
	cmd.Start()
	var lockPath string
	waitFor(t, func() bool {
		m, _ := filepath.Glob(filepath.Join(cache, "test-app", "*.lock"))
		if len(m) == 1 && strings.Contains(readCmdline(cmd.Process.Pid), "probe") {
			lockPath = m[0]
			return true
		}
		return false
	})
	fd, err := unix.Open(lockPath, unix.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != unix.EWOULDBLOCK {
		t.Fatalf("exclusive lock while the program runs: %v, want EWOULDBLOCK", err)
	}
	cmd.Wait()
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatalf("exclusive lock after the program exited: %v", err)
	}
}

func TestControlCommands(t *testing.T) {
	stub, probe := hostTools(t)
	_, env := cacheEnv(t)
	dir := t.TempDir()
	pack := probePack(t, stub, probe, dir, "app", nil)
	ran := filepath.Join(dir, "ran")
	env = append(env, "PROBE_RAN="+ran)

	r := runPack(t, pack, append(env, "PACK_STUB=info"), nil)
	var info map[string]any
	if err := json.Unmarshal(r.stdout, &info); err != nil || r.code != 0 {
		t.Fatalf("info: %v, exit %d, %q", err, r.code, r.stdout)
	}
	if info["id"] != "test-app" || info["stub"] != "test" || info["layout"] == nil || info["instanceDir"] == nil {
		t.Errorf("info: %v", info)
	}

	r = runPack(t, pack, append(env, "PACK_STUB=where"), nil)
	where := strings.TrimSpace(string(r.stdout))
	if r.code != 0 || !complete(where) {
		t.Errorf("where: %q, exit %d, stderr %q", where, r.code, r.stderr)
	}

	out := filepath.Join(dir, "extracted")
	r = runPack(t, pack, append(env, "PACK_STUB=extract:"+out), nil)
	if fi, err := os.Stat(filepath.Join(out, "bin", "probe")); r.code != 0 || err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("extract: exit %d, %v, stderr %q", r.code, err, r.stderr)
	}
	r = runPack(t, pack, append(env, "PACK_STUB=extract:"+out), nil)
	if r.code != exitControl || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("extract into a non-empty dir: exit %d, %q", r.code, r.stderr)
	}

	r = runPack(t, pack, append(env, "PACK_STUB=bogus"), nil)
	if r.code != exitControl || !strings.Contains(r.stderr, "unknown PACK_STUB command") {
		t.Errorf("bogus: exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(ran); err == nil {
		t.Error("a control command ran the program")
	}
}

func TestCacheOwnedByAnotherUserIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Fatal("this test makes a directory owned by another user and needs root (CI runs as root)")
	}
	stub, probe := hostTools(t)
	cache, env := cacheEnv(t)
	pack := probePack(t, stub, probe, t.TempDir(), "app", nil)
	planted := filepath.Join(cache, "test-app")
	os.Mkdir(planted, 0o755)
	os.Chown(planted, 65534, 65534)
	r := runPack(t, pack, env, nil)
	if r.code != exitCache || !strings.Contains(r.stderr, "owned by uid 65534") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func readCmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + itoa(pid) + "/cmdline")
	return string(b)
}

func itoa(n int) string { return formatArg('d', n) }

func hexOf(b []byte) string { return hexString(b) }
