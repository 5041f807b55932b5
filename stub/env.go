package main

import (
	"os"
	"runtime"
	"strings"
)

// stubVersion is set at build time (-X main.stubVersion=...).
var stubVersion = "dev"

// stubVars are the variables the stub sets for the program. Inherited
// values are dropped so a pack started by a packed program behaves as one
// started fresh.
var stubVars = []string{"PACK_STUB", "PACK_EXE", "PACK_ID", "PACK_VERSION", "PACK_APP_DIR", "PACK_DATA_DIR", "PACK_STUB_VERSION", "PACK_OVERRIDE"}

// expand replaces {app} and {data} (docs/format.md section 3.2).
func expand(s string, d dirs) string {
	if !strings.Contains(s, "{") {
		return s
	}
	s = strings.ReplaceAll(s, "{app}", d.instance)
	return strings.ReplaceAll(s, "{data}", d.data)
}

// programArgs is the manifest's fixed arguments, expanded, then the caller's.
func programArgs(m *manifest, d dirs, callerArgs []string) []string {
	args := make([]string, 0, len(m.Args)+len(callerArgs))
	for _, a := range m.Args {
		args = append(args, expand(a, d))
	}
	return append(args, callerArgs...)
}

// programEnv is the caller's environment without the stub's variables, plus
// the manifest's additions, plus the PACK_* variables.
func programEnv(p *pack, d dirs, override bool) []string {
	env := os.Environ()
	for _, k := range stubVars {
		env = unsetEnv(env, k)
	}
	for _, kv := range p.manifest.Env {
		k, v, _ := strings.Cut(kv, "=")
		env = setEnv(env, k, expand(v, d))
	}
	vars := [][2]string{
		{"PACK_EXE", p.path},
		{"PACK_ID", p.manifest.ID},
		{"PACK_VERSION", p.manifest.Version},
		{"PACK_APP_DIR", d.instance},
		{"PACK_DATA_DIR", d.data},
		{"PACK_STUB_VERSION", stubVersion},
	}
	if override {
		vars = append(vars, [2]string{"PACK_OVERRIDE", "1"})
	}
	for _, kv := range vars {
		env = setEnv(env, kv[0], kv[1])
	}
	return env
}

func sameKey(a, b string) bool {
	if runtime.GOOS != "windows" || len(a) != len(b) {
		return a == b
	}
	// Windows compares names without regard to case; strings.EqualFold
	// would bring in the Unicode tables for names that are ASCII in practice.
	for i := 0; i < len(a); i++ {
		if upper(a[i]) != upper(b[i]) {
			return false
		}
	}
	return true
}

func unsetEnv(env []string, key string) []string {
	out := env[:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !sameKey(k, key) {
			out = append(out, kv)
		}
	}
	return out
}

func setEnv(env []string, key, value string) []string {
	return append(unsetEnv(env, key), key+"="+value)
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
