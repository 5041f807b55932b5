package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The process tests build the real stub and a probe program, pack the probe
// and run the pack as a user would.

var (
	buildOnce sync.Map // GOOS/GOARCH -> *builtTools
	buildRoot string
)

type builtTools struct {
	once  sync.Once
	stub  string
	probe string
	err   error
}

func TestMain(m *testing.M) {
	var err error
	buildRoot, err = os.MkdirTemp("", "stub-test-build-")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(buildRoot)
	os.Exit(code)
}

// tools builds the stub and the probe for a target once per test run.
func tools(t testing.TB, goos, goarch string) (stub, probe string) {
	t.Helper()
	v, _ := buildOnce.LoadOrStore(goos+"/"+goarch, &builtTools{})
	bt := v.(*builtTools)
	bt.once.Do(func() {
		exe := ""
		if goos == "windows" {
			exe = ".exe"
		}
		dir := filepath.Join(buildRoot, goos+"-"+goarch)
		bt.stub = filepath.Join(dir, "stub"+exe)
		bt.probe = filepath.Join(dir, "probe"+exe)
		for _, b := range [][2]string{{bt.stub, "."}, {bt.probe, "./internal/testprobe"}} {
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -X main.stubVersion=test", "-o", b[0], b[1])
			cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				bt.err = errorf("go build %s for %s/%s: %v\n%s", b[1], goos, goarch, err, out)
				return
			}
		}
	})
	if bt.err != nil {
		t.Fatal(bt.err)
	}
	return bt.stub, bt.probe
}

func hostTools(t testing.TB) (stub, probe string) { return tools(t, runtime.GOOS, runtime.GOARCH) }

// probePack writes a pack of the probe built by stubPath, into dir.
func probePack(t testing.TB, stubPath, probePath, dir, name string, edit func(*testManifest)) string {
	t.Helper()
	stub, err := os.ReadFile(stubPath)
	if err != nil {
		t.Fatal(err)
	}
	probe, err := os.ReadFile(probePath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := "bin/probe" + filepath.Ext(probePath)
	m := baseManifest(cmd)
	if strings.HasSuffix(stubPath, ".exe") {
		m.Target = "windows-x64"
	}
	if edit != nil {
		edit(&m)
	}
	b := buildPack(t, packSpec{
		stub:     stub,
		entries:  []testEntry{{Path: "bin", Type: "dir", Mode: 0o755}, {Path: cmd, Type: "file", Mode: 0o755, Data: probe}},
		manifest: m,
	})
	return writeFile(t, dir, name, b, 0o755)
}

type probeReport struct {
	ArgsHex  []string          `json:"argsHex"`
	Env      map[string]string `json:"env"`
	Cwd      string            `json:"cwd"`
	StdinHex string            `json:"stdinHex"`
}

func (r probeReport) args(t testing.TB) []string {
	var out []string
	for _, h := range r.ArgsHex {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

type runResult struct {
	code   int
	stdout []byte
	stderr string
}

func runPack(t testing.TB, path string, env []string, stdin []byte, args ...string) runResult {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", path, err)
	}
	return runResult{code, stdout.Bytes(), stderr.String()}
}

func (r runResult) report(t testing.TB) probeReport {
	t.Helper()
	var rep probeReport
	if err := json.Unmarshal(r.stdout, &rep); err != nil {
		t.Fatalf("probe output %q (exit %d, stderr %q): %v", r.stdout, r.code, r.stderr, err)
	}
	return rep
}

func cacheEnv(t testing.TB) (string, []string) {
	cache := t.TempDir()
	return cache, []string{"PACK_CACHE_DIR=" + cache}
}
