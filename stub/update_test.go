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
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Process tests for updating programs in use (docs/updating.md): the
// override, install, replace, the cleaner and the self-healing cache.

var versionFiles = []string{"a.txt", "lib/b.txt", "lib/c.txt"}

// versionPack packs the probe with files whose content names the version,
// so a run can tell whether it saw one version's tree whole. fill makes the
// files that many bytes long (extraction then takes a while).
func versionPack(t testing.TB, dir, name, version string, fill int, edit func(*testManifest)) string {
	t.Helper()
	stub, probe := hostTools(t)
	stubBytes, _ := os.ReadFile(stub)
	probeBytes, _ := os.ReadFile(probe)
	m := baseManifest("bin/probe")
	m.Version = version
	if edit != nil {
		edit(&m)
	}
	entries := []testEntry{{Path: "bin", Type: "dir", Mode: 0o755}, {Path: "bin/probe", Type: "file", Mode: 0o755, Data: probeBytes}, {Path: "lib", Type: "dir", Mode: 0o755}}
	for _, f := range versionFiles {
		entries = append(entries, testEntry{Path: f, Type: "file", Mode: 0o644, Data: versionContent(version, fill)})
	}
	return writeFile(t, dir, name, buildPack(t, packSpec{stub: stubBytes, manifest: m, entries: sortedEntries(entries)}), 0o755)
}

func versionContent(version string, fill int) []byte {
	b := []byte(version)
	for len(b) < fill {
		b = append(b, '.')
	}
	return b
}

// versionReport is the part of the probe's report these tests read.
type versionReport struct {
	Env   map[string]string `json:"env"`
	Files map[string]string `json:"files"`
}

func reportOf(t testing.TB, r runResult) versionReport {
	t.Helper()
	var rep versionReport
	if err := json.Unmarshal(r.stdout, &rep); err != nil {
		t.Fatalf("probe output %q (exit %d, stderr %q): %v", r.stdout, r.code, r.stderr, err)
	}
	return rep
}

// checkWhole fails unless the run saw every version file of its own version.
func checkWhole(t testing.TB, rep versionReport, fill int) {
	t.Helper()
	v := rep.Env["PACK_VERSION"]
	for _, f := range versionFiles {
		if got := rep.Files[f]; got != string(versionContent(v, fill)) {
			t.Errorf("version %s saw %s = %.40q", v, f, got)
		}
	}
}

var readVersionFiles = "PROBE_READ=" + strings.Join(versionFiles, ",")

// background starts a pack that waits for the returned release function.
type background struct {
	cmd     *exec.Cmd
	out     bytes.Buffer
	release string
	done    chan error
}

func startBackground(t testing.TB, pack string, env []string) *background {
	t.Helper()
	dir := t.TempDir()
	b := &background{release: filepath.Join(dir, "release"), done: make(chan error, 1)}
	ran := filepath.Join(dir, "ran")
	b.cmd = exec.Command(pack)
	b.cmd.Env = append(os.Environ(), append(env, "PROBE_RAN="+ran, "PROBE_WAIT_FILE="+b.release, readVersionFiles)...)
	b.cmd.Stdout = &b.out
	var stderr bytes.Buffer
	b.cmd.Stderr = &stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.done <- b.cmd.Wait() }()
	waitFor(t, func() bool {
		select {
		case err := <-b.done:
			t.Fatalf("background pack exited early: %v, stderr %q", err, stderr.String())
		default:
		}
		_, err := os.Stat(ran)
		return err == nil
	})
	t.Cleanup(func() { b.cmd.Process.Kill() })
	return b
}

func (b *background) finish(t testing.TB) versionReport {
	t.Helper()
	os.WriteFile(b.release, nil, 0o644)
	if err := <-b.done; err != nil {
		t.Fatalf("background pack: %v", err)
	}
	return reportOf(t, runResult{stdout: b.out.Bytes()})
}

func instanceDirs(t testing.TB, idDir string) []string {
	names, _ := readDirNames(idDir, -1)
	var out []string
	for _, n := range names {
		if instanceLike(n) {
			out = append(out, n)
		}
	}
	return out
}

func control_(t testing.TB, pack string, env []string, cmd string) runResult {
	t.Helper()
	return runPack(t, pack, append(env, "PACK_STUB="+cmd), nil)
}

func TestTwoVersionsSideBySide(t *testing.T) {
	cache, env := cacheEnv(t)
	dir := t.TempDir()
	v1 := versionPack(t, dir, "app", "1.0.0", 0, nil)
	v2 := versionPack(t, dir, "app-2", "2.0.0", 0, nil)
	idDir := filepath.Join(cache, "test-app")

	running := startBackground(t, v1, env)
	if r := control_(t, v1, env, "install:"+v2); r.code != 0 || !strings.Contains(string(r.stdout), "installed test-app 2.0.0") {
		t.Fatalf("install: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r := runPack(t, v1, append(env, readVersionFiles), nil)
	rep := reportOf(t, r)
	if rep.Env["PACK_VERSION"] != "2.0.0" || rep.Env["PACK_OVERRIDE"] != "1" || rep.Env["PACK_EXE"] != v1 || r.stderr != "" {
		t.Fatalf("after install: %v, stderr %q", rep.Env, r.stderr)
	}
	checkWhole(t, rep, 0)
	if got := instanceDirs(t, idDir); len(got) != 2 {
		t.Fatalf("want both versions' instances, have %v", got)
	}
	// v1 still runs: the cleaner leaves it alone.
	if r := control_(t, v1, env, "gc"); r.code != 0 || len(instanceDirs(t, idDir)) != 2 {
		t.Fatalf("gc while v1 runs: exit %d, stdout %q, instances %v", r.code, r.stdout, instanceDirs(t, idDir))
	}
	old := running.finish(t)
	if old.Env["PACK_VERSION"] != "1.0.0" {
		t.Fatalf("the running program was %v", old.Env)
	}
	checkWhole(t, old, 0) // it read its own files after v2 was installed and started
	r = control_(t, v1, env, "gc")
	left := instanceDirs(t, idDir)
	if r.code != 0 || len(left) != 1 || !strings.HasPrefix(left[0], "2.0.0-") || !strings.Contains(string(r.stdout), "removed ") {
		t.Fatalf("gc after v1 exited: exit %d, stdout %q, left %v", r.code, r.stdout, left)
	}
	if m, _ := filepath.Glob(filepath.Join(idDir, "1.0.0-*")); len(m) != 0 {
		t.Errorf("v1 leftovers: %v", m)
	}
	if lines := strings.Split(strings.TrimSpace(string(r.stdout)), "\n"); len(lines) != 2 || !strings.HasSuffix(lines[1], ".lock") {
		t.Errorf("gc should report the instance and its lock file once each: %q", lines)
	}
	if fi, err := os.Stat(filepath.Join(idDir, "data", "override")); err != nil || fi.Size() == 0 {
		t.Errorf("gc touched data/: %v", err)
	}
}

func TestIgnoredOverrides(t *testing.T) {
	dir := t.TempDir()
	v1 := versionPack(t, dir, "app", "1.5.0", 0, nil)
	v2 := versionPack(t, dir, "v2", "2.0.0", 0, nil)
	b2, _ := os.ReadFile(v2)
	l := mustLocate(t, b2)
	cases := map[string][]byte{
		"other id":     readBytes(t, versionPack(t, dir, "other", "2.0.0", 0, func(m *testManifest) { m.ID = "other-app" })),
		"older":        readBytes(t, versionPack(t, dir, "older", "1.4.9", 0, nil)),
		"equal":        readBytes(t, versionPack(t, dir, "equal", "v1.5.0", 0, nil)),
		"other target": readBytes(t, versionPack(t, dir, "target", "2.0.0", 0, func(m *testManifest) { m.Target = "windows-x64" })),
		"corrupt":      flip(b2, int(l.payloadOffset+l.payloadSize/2)),
		"not a pack":   []byte("hello"),
		"truncated":    b2[:len(b2)-100],
	}
	for name, override := range cases {
		t.Run(name, func(t *testing.T) {
			cache, env := cacheEnv(t)
			os.MkdirAll(filepath.Join(cache, "test-app", "data"), 0o700)
			os.Chmod(filepath.Join(cache, "test-app"), 0o700)
			writeFile(t, filepath.Join(cache, "test-app", "data"), "override", override, 0o600)
			r := runPack(t, v1, append(env, readVersionFiles), nil)
			rep := reportOf(t, r)
			if r.code != 0 || rep.Env["PACK_VERSION"] != "1.5.0" || rep.Env["PACK_OVERRIDE"] != "" {
				t.Fatalf("exit %d, ran %v", r.code, rep.Env)
			}
			checkWhole(t, rep, 0)
			if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "app: warning: ignoring the override "+filepath.Join(cache, "test-app", "data", "override")) {
				t.Errorf("want one warning line, got %q", r.stderr)
			}
			if got := instanceDirs(t, filepath.Join(cache, "test-app")); len(got) != 1 {
				t.Errorf("instances %v: an ignored override must leave nothing behind", got)
			}
			assertNoTempDirs(t, filepath.Join(cache, "test-app"))
		})
	}
}

func readBytes(t testing.TB, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInstallRefusesAndLeavesNothing(t *testing.T) {
	cache, env := cacheEnv(t)
	dir := t.TempDir()
	v2 := versionPack(t, dir, "app", "2.0.0", 0, nil)
	v3 := versionPack(t, dir, "v3", "3.0.0", 0, nil)
	b4 := readBytes(t, versionPack(t, dir, "v4", "4.0.0", 0, nil))
	l := mustLocate(t, b4)
	corrupt := writeFile(t, dir, "corrupt", flip(b4, int(l.payloadOffset+l.payloadSize-8)), 0o644)
	if r := control_(t, v2, env, "install:"+v3); r.code != 0 {
		t.Fatalf("install v3: %q", r.stderr)
	}
	data := filepath.Join(cache, "test-app", "data")
	before := readBytes(t, filepath.Join(data, "override"))
	for name, c := range map[string]struct {
		src, msg string
		code     int
	}{
		"older than the installed override": {versionPack(t, dir, "v2b", "2.5.0", 0, nil), "not newer than 3.0.0", exitControl},
		"same version":                      {v3, "not newer than 3.0.0", exitControl},
		"other program":                     {versionPack(t, dir, "o", "9.0.0", 0, func(m *testManifest) { m.ID = "x" }), `it is the program "x"`, exitControl},
		"damaged payload":                   {corrupt, "payload is not a valid zstd tar stream", exitControl},
		"missing file":                      {filepath.Join(dir, "nope"), "cannot use", exitControl},
	} {
		r := control_(t, v2, env, "install:"+c.src)
		if r.code != c.code || !strings.Contains(r.stderr, c.msg) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
	}
	if !bytes.Equal(before, readBytes(t, filepath.Join(data, "override"))) {
		t.Error("a refused install changed the override")
	}
	if names, _ := readDirNames(data, -1); len(names) != 1 {
		t.Errorf("data dir holds %v, want only the override", names)
	}
}

// 16 starts while an update is installed: each runs one version whole.
func TestConcurrentStartsDuringInstall(t *testing.T) {
	cache, env := cacheEnv(t)
	dir := t.TempDir()
	const fill = 1 << 20
	v1 := versionPack(t, dir, "app", "1.0.0", fill, nil)
	v2 := versionPack(t, dir, "v2", "2.0.0", fill, nil)
	// Half the starts race with the install, half begin once it returned
	// (while the first ones still extract and run).
	var wg sync.WaitGroup
	installed := make(chan struct{})
	results := make([]runResult, 16)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i >= len(results)/2 {
				<-installed
			}
			time.Sleep(time.Duration(i%8) * 4 * time.Millisecond)
			results[i] = runPack(t, v1, append(env, readVersionFiles), nil)
		}(i)
	}
	install := control_(t, v1, env, "install:"+v2)
	close(installed)
	wg.Wait()
	if install.code != 0 {
		t.Fatalf("install: %q", install.stderr)
	}
	seen := map[string]int{}
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("start %d: exit %d, stderr %q", i, r.code, r.stderr)
			continue
		}
		rep := reportOf(t, r)
		seen[rep.Env["PACK_VERSION"]]++
		checkWhole(t, rep, fill)
	}
	t.Logf("versions run: %v", seen)
	if seen["2.0.0"] < len(results)/2 {
		t.Errorf("starts after the install ran %v", seen)
	}
	if rep := reportOf(t, runPack(t, v1, append(env, readVersionFiles), nil)); rep.Env["PACK_VERSION"] != "2.0.0" {
		t.Errorf("after the install: %v", rep.Env)
	}
	assertNoTempDirs(t, filepath.Join(cache, "test-app"))
}

// A long-running program moves to the update by re-executing PACK_EXE.
func TestReexecMovesToTheUpdate(t *testing.T) {
	_, env := cacheEnv(t)
	dir := t.TempDir()
	v1 := versionPack(t, dir, "app", "1.0.0", 0, nil)
	v2 := versionPack(t, dir, "v2", "2.0.0", 0, nil)
	running := startBackground(t, v1, append(env, "PROBE_EXEC=PACK_EXE"))
	if r := control_(t, v1, env, "install:"+v2); r.code != 0 {
		t.Fatalf("install: %q", r.stderr)
	}
	rep := running.finish(t)
	if rep.Env["PACK_VERSION"] != "2.0.0" || rep.Env["PACK_OVERRIDE"] != "1" || rep.Env["PACK_EXE"] != v1 {
		t.Fatalf("after re-executing PACK_EXE: %v", rep.Env)
	}
	checkWhole(t, rep, 0)
}

func TestReplaceWhileRunning(t *testing.T) {
	_, env := cacheEnv(t)
	dir := t.TempDir()
	v1 := versionPack(t, dir, "app", "1.0.0", 0, nil)
	v2 := versionPack(t, t.TempDir(), "v2", "2.0.0", 0, nil)
	running := startBackground(t, v1, env)
	before, _ := os.Stat(v1) // 0755 less the umask
	r := control_(t, v1, env, "replace:"+v2)
	if r.code != 0 || !strings.Contains(string(r.stdout), "installed test-app 2.0.0 at "+v1) {
		t.Fatalf("replace: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if !bytes.Equal(readBytes(t, v1), readBytes(t, v2)) {
		t.Fatal("the pack file is not the new pack")
	}
	if fi, _ := os.Stat(v1); fi.Mode().Perm() != before.Mode().Perm() {
		t.Errorf("mode %v, want the old file's %v", fi.Mode().Perm(), before.Mode().Perm())
	}
	if names, _ := readDirNames(dir, -1); len(names) != 1 {
		t.Errorf("left next to the pack: %v", names)
	}
	old := running.finish(t)
	if old.Env["PACK_VERSION"] != "1.0.0" {
		t.Fatalf("the running program became %v", old.Env)
	}
	checkWhole(t, old, 0)
	rep := reportOf(t, runPack(t, v1, append(env, readVersionFiles), nil))
	if rep.Env["PACK_VERSION"] != "2.0.0" || rep.Env["PACK_OVERRIDE"] != "" {
		t.Fatalf("next start: %v", rep.Env)
	}
	checkWhole(t, rep, 0)

	other := versionPack(t, t.TempDir(), "o", "3.0.0", 0, func(m *testManifest) { m.ID = "other" })
	if r := control_(t, v1, env, "replace:"+other); r.code != exitControl || !strings.Contains(r.stderr, "not \"test-app\"") {
		t.Errorf("replace with another program: exit %d, stderr %q", r.code, r.stderr)
	}
	if !bytes.Equal(readBytes(t, v1), readBytes(t, v2)) {
		t.Error("a refused replace changed the pack")
	}
}

func TestDeletedFilesAreRepairedAtStart(t *testing.T) {
	_, env := cacheEnv(t)
	pack := versionPack(t, t.TempDir(), "app", "1.0.0", 100, nil)
	inst := strings.TrimSpace(string(control_(t, pack, env, "where").stdout))
	for _, damage := range []func(){
		func() { os.Remove(filepath.Join(inst, "lib", "b.txt")) },
		func() { os.RemoveAll(filepath.Join(inst, "lib")) },
		func() { os.Truncate(filepath.Join(inst, "a.txt"), 3) },
		func() { os.Remove(filepath.Join(inst, "bin", "probe")) },
	} {
		damage()
		r := runPack(t, pack, append(env, readVersionFiles), nil)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("start after damage: exit %d, stderr %q", r.code, r.stderr)
		}
		checkWhole(t, reportOf(t, r), 100)
	}
}

func TestVerifyRepairsAModifiedFile(t *testing.T) {
	_, env := cacheEnv(t)
	pack := versionPack(t, t.TempDir(), "app", "1.0.0", 200<<10, nil)
	inst := strings.TrimSpace(string(control_(t, pack, env, "where").stdout))
	r := control_(t, pack, env, "verify")
	if r.code != 0 || string(r.stdout) != "verified "+inst+": intact\n" {
		t.Fatalf("verify of an intact tree: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	// Same size, one byte changed deep inside: only the full check sees it.
	f := filepath.Join(inst, "lib", "c.txt")
	b := readBytes(t, f)
	b[150<<10] = 'X'
	os.WriteFile(f, b, 0o644)
	r = control_(t, pack, env, "verify")
	if r.code != 0 || !strings.Contains(string(r.stdout), "differs: lib/c.txt\n") || !strings.Contains(string(r.stdout), "extracted again") {
		t.Fatalf("verify: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	checkWhole(t, reportOf(t, runPack(t, pack, append(env, readVersionFiles), nil)), 200<<10)
	if r := control_(t, pack, env, "verify"); !strings.HasSuffix(string(r.stdout), ": intact\n") {
		t.Errorf("verify after the repair: %q", r.stdout)
	}
}

func TestGCRemovesCrashedExtractions(t *testing.T) {
	cache, env := cacheEnv(t)
	pack := versionPack(t, t.TempDir(), "app", "1.0.0", 0, nil)
	inst := strings.TrimSpace(string(control_(t, pack, env, "where").stdout))
	idDir := filepath.Join(cache, "test-app")
	name := filepath.Base(inst)
	// A crashed extraction of this version (read-only parts included) and
	// one of another version whose extraction is still going (it holds the
	// lock exclusively).
	crashed := filepath.Join(idDir, ".tmp-"+name+"-123456")
	os.MkdirAll(filepath.Join(crashed, "sub"), 0o700)
	os.WriteFile(filepath.Join(crashed, "sub", "f"), []byte("x"), 0o400)
	os.Chmod(filepath.Join(crashed, "sub"), 0o500)
	busy := filepath.Join(idDir, ".tmp-0.9.0-0123456789ab-999")
	os.Mkdir(busy, 0o700)
	fd, err := unix.Open(filepath.Join(idDir, "0.9.0-0123456789ab.lock"), unix.O_RDWR|unix.O_CREAT, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	unix.Flock(fd, unix.LOCK_EX)
	defer unix.Close(fd)
	foreign := filepath.Join(idDir, "notes")
	os.Mkdir(foreign, 0o700)

	r := control_(t, pack, env, "gc")
	if r.code != 0 {
		t.Fatalf("gc: %q", r.stderr)
	}
	if _, err := os.Stat(crashed); !os.IsNotExist(err) {
		t.Errorf("crashed extraction still there (%v); gc said %q", err, r.stdout)
	}
	for _, keep := range []string{busy, foreign, inst, filepath.Join(idDir, "data")} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("gc removed %s", keep)
		}
	}
	if !complete(inst) {
		t.Error("gc damaged the current instance")
	}
}

// The cleaner runs at start at most once a day: a fresh stamp means no
// clean-up, an old one means one, then a fresh stamp again.
func TestGCAtStartOncePerDay(t *testing.T) {
	cache, env := cacheEnv(t)
	dir := t.TempDir()
	v1 := versionPack(t, dir, "app", "1.0.0", 0, nil)
	v2 := versionPack(t, dir, "v2", "2.0.0", 0, nil)
	idDir := filepath.Join(cache, "test-app")
	stamp := filepath.Join(idDir, gcStamp)
	runPack(t, v1, env, nil)
	runPack(t, v2, env, nil) // the first start of this id cleans up (nothing) and stamps
	if _, err := os.Stat(stamp); err != nil {
		t.Fatalf("no stamp after a start: %v", err)
	}
	if got := instanceDirs(t, idDir); len(got) != 2 {
		t.Fatalf("instances %v", got)
	}
	runPack(t, v2, env, nil)
	if got := instanceDirs(t, idDir); len(got) != 2 {
		t.Fatalf("a start with a fresh stamp cleaned up: %v", got)
	}
	old := time.Now().Add(-25 * time.Hour)
	os.Chtimes(stamp, old, old)
	runPack(t, v2, env, nil)
	if got := instanceDirs(t, idDir); len(got) != 1 || !strings.HasPrefix(got[0], "2.0.0-") {
		t.Fatalf("a start with a day-old stamp left %v", got)
	}
	if fi, _ := os.Stat(stamp); time.Since(fi.ModTime()) > time.Minute {
		t.Error("stamp not renewed")
	}
}

// A real crash: an extraction killed halfway leaves its temporary
// directory, which the cleaner removes (nothing holds its lock any more).
func TestGCRemovesAKilledExtraction(t *testing.T) {
	stub, probe := hostTools(t)
	cache, env := cacheEnv(t)
	big := make([]byte, 64<<20)
	seed := uint64(7)
	for i := 0; i+8 <= len(big); i += 8 {
		seed = seed*6364136223846793005 + 1442695040888963407
		for j := 0; j < 8; j++ {
			big[i+j] = byte(seed >> (8 * j))
		}
	}
	b := buildPack(t, packSpec{stub: readBytes(t, stub), manifest: baseManifest("probe"), entries: []testEntry{
		{Path: "big.bin", Type: "file", Mode: 0o644, Data: big}, {Path: "probe", Type: "file", Mode: 0o755, Data: readBytes(t, probe)},
	}})
	pack := writeFile(t, t.TempDir(), "big", b, 0o755)
	idDir := filepath.Join(cache, "test-app")
	cmd := exec.Command(pack)
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var temp string
	waitFor(t, func() bool {
		m, _ := filepath.Glob(filepath.Join(idDir, ".tmp-*", "big.bin"))
		if len(m) == 1 {
			temp = filepath.Dir(m[0])
		}
		return temp != ""
	})
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(temp); err != nil {
		t.Fatalf("the killed extraction left nothing to clean (%v): the test needs a slower extraction", err)
	}
	r := control_(t, pack, env, "gc")
	if r.code != 0 || !strings.Contains(string(r.stdout), "removed "+temp) {
		t.Fatalf("gc: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	assertNoTempDirs(t, idDir)
}

// The marker samples a bounded number of files, the command among them: the
// warm start's cost does not grow with the tree.
func TestMarkerSamplesABoundedNumberOfFiles(t *testing.T) {
	stub, probe := hostTools(t)
	_, env := cacheEnv(t)
	entries := []testEntry{{Path: "zz", Type: "dir", Mode: 0o755}, {Path: "zz/probe", Type: "file", Mode: 0o755, Data: readBytes(t, probe)}}
	for i := 0; i < 500; i++ {
		entries = append(entries, fileEntry("f/"+itoa(1000+i), 0o644, itoa(i)))
	}
	entries = append([]testEntry{{Path: "f", Type: "dir", Mode: 0o755}}, entries...)
	b := buildPack(t, packSpec{stub: readBytes(t, stub), manifest: baseManifest("zz/probe"), entries: sortedEntries(entries)})
	pack := writeFile(t, t.TempDir(), "many", b, 0o755)
	inst := strings.TrimSpace(string(control_(t, pack, env, "where").stdout))
	lines := strings.Split(strings.TrimSpace(string(readBytes(t, filepath.Join(inst, markerPath)))), "\n")
	if lines[0] != markerHeader || len(lines) < 10 || len(lines) > 34 { // header, command, at most 32 samples
		t.Fatalf("marker has %d lines: %q", len(lines), lines)
	}
	if !strings.Contains(strings.Join(lines, "\n"), " zz/probe\n") && !strings.HasSuffix(strings.Join(lines, "\n"), " zz/probe") {
		t.Errorf("the command is not sampled: %q", lines)
	}
	// The last file of the payload is sampled too: the sample spans the tree.
	if !strings.Contains(strings.Join(lines, "\n"), " f/14") {
		t.Errorf("the sample does not reach the end of the tree: %q", lines)
	}
}
