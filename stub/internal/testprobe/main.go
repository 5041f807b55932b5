// Command testprobe is the program the stub's process tests pack: it reports
// what it was given (arguments as bytes, environment, working directory,
// standard input) and exits as told, so the tests can check that the stub
// passes everything through unchanged.
package main

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

type report struct {
	ArgsHex  []string          `json:"argsHex"`
	Env      map[string]string `json:"env"`
	Cwd      string            `json:"cwd"`
	StdinHex string            `json:"stdinHex,omitempty"`
	Files    map[string]string `json:"files,omitempty"`
}

func main() {
	if p := os.Getenv("PROBE_RAN"); p != "" {
		os.WriteFile(p, []byte("ran"), 0o644)
	}
	if ms, _ := strconv.Atoi(os.Getenv("PROBE_SLEEP_MS")); ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	// PROBE_WAIT_FILE: wait until the test creates the file (the test's
	// "now"), e.g. to update the pack while this program runs.
	for p := os.Getenv("PROBE_WAIT_FILE"); p != ""; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(p); err == nil {
			os.Unsetenv("PROBE_WAIT_FILE")
			break
		}
	}
	if target := os.Getenv("PROBE_EXEC"); target != "" {
		if target == "PACK_EXE" {
			target = os.Getenv("PACK_EXE") // re-execute the pack, as a program moving to an update does
		}
		// Start another pack the way a packed program would, and pass its
		// exit code on.
		os.Unsetenv("PROBE_EXEC")
		cmd := exec.Command(target, os.Args[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		err := cmd.Run()
		if os.Getenv("PROBE_PRINT_EXIT") == "1" {
			// Report the child's full exit code on stdout: an emulator may
			// truncate our own exit status (wine keeps 8 bits).
			if cmd.ProcessState != nil {
				os.Stdout.WriteString(strconv.FormatUint(uint64(uint32(cmd.ProcessState.ExitCode())), 10) + "\n")
				os.Exit(0)
			}
		}
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(99)
		}
		os.Exit(0)
	}
	r := report{Env: map[string]string{}}
	for _, a := range os.Args[1:] {
		r.ArgsHex = append(r.ArgsHex, hex.EncodeToString([]byte(a)))
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PACK_") || strings.HasPrefix(k, "PROBE_") || strings.HasPrefix(k, "TEST_") {
			r.Env[k] = v
		}
	}
	r.Cwd, _ = os.Getwd()
	// PROBE_READ: comma-separated files of the instance directory to report.
	for _, name := range strings.Split(os.Getenv("PROBE_READ"), ",") {
		if name != "" {
			b, err := os.ReadFile(os.Getenv("PACK_APP_DIR") + "/" + name)
			if r.Files == nil {
				r.Files = map[string]string{}
			}
			r.Files[name] = string(b)
			if err != nil {
				r.Files[name] = "error: " + err.Error()
			}
		}
	}
	if os.Getenv("PROBE_STDIN") == "1" {
		b, _ := io.ReadAll(os.Stdin)
		r.StdinHex = hex.EncodeToString(b)
	}
	json.NewEncoder(os.Stdout).Encode(r)
	if done := os.Getenv("PROBE_DONE"); done != "" {
		os.WriteFile(done, []byte("done"), 0o644)
	}
	code, _ := strconv.ParseUint(os.Getenv("PROBE_EXIT"), 10, 32)
	os.Exit(int(uint32(code)))
}
