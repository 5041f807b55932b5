package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func validManifestJSON(t *testing.T, edit func(map[string]any)) []byte {
	t.Helper()
	m := map[string]any{
		"format": 1, "id": "app", "version": "v1.2.3", "target": "linux-x64", "command": "bin/app",
		"args": []string{"{app}/main.py"}, "env": []string{"PYTHONHOME={app}"}, "compression": "zstd",
		"payloadSha256": strings.Repeat("ab", 32), "payloadSize": 10, "unpackedSize": 20, "fileCount": 2,
		"packer": "test", "created": "2026-01-01T00:00:00Z",
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseManifestValid(t *testing.T) {
	m, err := parseManifest(validManifestJSON(t, func(m map[string]any) { m["future"] = map[string]any{"x": 1} }), trailer{payloadSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "app" || m.Version != "v1.2.3" || m.Command != "bin/app" || m.Args[0] != "{app}/main.py" || m.Env[0] != "PYTHONHOME={app}" || m.FileCount != 2 {
		t.Fatalf("decoded %+v", m)
	}
}

func TestParseManifestRejects(t *testing.T) {
	cases := map[string]func(map[string]any){
		"format 2":         func(m map[string]any) { m["format"] = 2 },
		"id with slash":    func(m map[string]any) { m["id"] = "a/b" },
		"id too long":      func(m map[string]any) { m["id"] = strings.Repeat("a", 65) },
		"id dotdot":        func(m map[string]any) { m["id"] = ".." },
		"empty version":    func(m map[string]any) { m["version"] = "" },
		"version space":    func(m map[string]any) { m["version"] = "1.0 beta" },
		"unknown target":   func(m map[string]any) { m["target"] = "linux-riscv64" },
		"absolute command": func(m map[string]any) { m["command"] = "/bin/sh" },
		"command escapes":  func(m map[string]any) { m["command"] = "../x" },
		"command in .pack": func(m map[string]any) { m["command"] = ".pack/complete" },
		"env without =":    func(m map[string]any) { m["env"] = []string{"FOO"} },
		"env PACK_":        func(m map[string]any) { m["env"] = []string{"PACK_ID=x"} },
		"env bad name":     func(m map[string]any) { m["env"] = []string{"1A=x"} },
		"compression":      func(m map[string]any) { m["compression"] = "gzip" },
		"sha uppercase":    func(m map[string]any) { m["payloadSha256"] = strings.Repeat("AB", 32) },
		"size mismatch":    func(m map[string]any) { m["payloadSize"] = 11 },
		"size as string":   func(m map[string]any) { m["payloadSize"] = "10" },
		"fractional count": func(m map[string]any) { m["fileCount"] = 1.5 },
		"missing id":       func(m map[string]any) { delete(m, "id") },
		"args not strings": func(m map[string]any) { m["args"] = []any{1} },
		"windows on linux": func(m map[string]any) { m["windows"] = map[string]any{"subsystem": "gui"} },
	}
	for name, edit := range cases {
		if _, err := parseManifest(validManifestJSON(t, edit), trailer{payloadSize: 10}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := parseManifest([]byte(`[1]`), trailer{}); err == nil {
		t.Error("non-object accepted")
	}
}

func TestCheckEntryName(t *testing.T) {
	for _, ok := range []string{"a", "a/b.txt", "é/日本.txt", ".hidden", "a/.pack", "a..b"} {
		if err := checkEntryName(ok); err != nil {
			t.Errorf("%q rejected: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "/a", "a//b", "./a", "a/./b", "..", "a/../b", "a\\b", "C:x", "a\x00b", ".pack", ".pack/x", strings.Repeat("a", 4097)} {
		if err := checkEntryName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCheckLinkTarget(t *testing.T) {
	ok := [][2]string{{"l", "a"}, {"d/l", "../a"}, {"d/e/l", "../../x/y"}, {"l", "."}, {"d/l", "missing"}}
	for _, c := range ok {
		if err := checkLinkTarget(c[0], c[1]); err != nil {
			t.Errorf("%s -> %s rejected: %v", c[0], c[1], err)
		}
	}
	bad := [][2]string{{"l", "/etc/passwd"}, {"l", ".."}, {"d/l", "../.."}, {"l", "a/../../b"}, {"l", ""}, {"l", "C:\\x"}, {"l", "a\\..\\.."}}
	for _, c := range bad {
		if err := checkLinkTarget(c[0], c[1]); err == nil {
			t.Errorf("%s -> %s accepted", c[0], c[1])
		}
	}
}

func TestExpand(t *testing.T) {
	d := dirs{instance: "/c/app/1.0-abc", data: "/c/app/data"}
	got := expand("--x={app}/main.py:{data}/{app}", d)
	if want := "--x=/c/app/1.0-abc/main.py:/c/app/data//c/app/1.0-abc"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if expand("{apps}", d) != "{apps}" {
		t.Fatal("expanded a token that is not {app}")
	}
}
