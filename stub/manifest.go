package main

import (
	"errors"
	"strconv"
	"strings"
)

// manifest is the pack's JSON description (docs/format.md section 3).
type manifest struct {
	Format        uint64
	ID            string
	Version       string
	Target        string
	Command       string
	Args          []string
	Env           []string
	Compression   string
	PayloadSHA256 string
	PayloadSize   uint64
	UnpackedSize  uint64
	FileCount     uint64
	Packer        string
	Created       string
	Windows       *windowsOptions
}

type windowsOptions struct {
	Subsystem string
	Detach    bool
}

var targets = []string{"linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64", "windows-arm64"}

// Character-class checks, written out because regexp would add 90 KB to
// every stub.
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func allOf(s string, minLen, maxLen int, ok func(byte) bool) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func validID(s string) bool {
	return allOf(s, 1, 64, func(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '-' }) && s != "." && s != ".."
}

func validVersion(s string) bool {
	return allOf(s, 1, 128, func(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '+' || c == '-' }) && s != "." && s != ".."
}

func validEnvName(s string) bool {
	return allOf(s, 1, 1<<16, func(c byte) bool { return isAlnum(c) || c == '_' }) && !(s[0] >= '0' && s[0] <= '9')
}

func validSHA256(s string) bool {
	return allOf(s, 64, 64, func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' })
}

// parseManifest decodes and validates a manifest against its trailer.
func parseManifest(b []byte, t trailer) (*manifest, error) {
	v, err := parseJSON(string(b))
	if err != nil {
		return nil, errorf("manifest is not valid JSON: %w", err)
	}
	o, ok := v.(*jsonObject)
	if !ok {
		return nil, errors.New("manifest is not a JSON object")
	}
	var m manifest
	if err := m.decode(o); err != nil {
		return nil, err
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	if m.PayloadSize != t.payloadSize {
		return nil, errorf("manifest payloadSize %d differs from the trailer's %d", m.PayloadSize, t.payloadSize)
	}
	return &m, nil
}

// decode reads the manifest's fields; unknown keys are ignored so that later
// minor additions stay readable.
func (m *manifest) decode(o *jsonObject) error {
	d := fieldDecoder{o: o}
	m.Format = d.uint("format", true)
	m.ID = d.str("id", true)
	m.Version = d.str("version", true)
	m.Target = d.str("target", true)
	m.Command = d.str("command", true)
	m.Args = d.strs("args")
	m.Env = d.strs("env")
	m.Compression = d.str("compression", true)
	m.PayloadSHA256 = d.str("payloadSha256", true)
	m.PayloadSize = d.uint("payloadSize", true)
	m.UnpackedSize = d.uint("unpackedSize", true)
	m.FileCount = d.uint("fileCount", true)
	m.Packer = d.str("packer", false)
	m.Created = d.str("created", false)
	if v, ok := o.get("windows"); ok && v != nil {
		w, ok := v.(*jsonObject)
		if !ok {
			return errors.New(`manifest "windows" is not an object`)
		}
		wd := fieldDecoder{o: w}
		m.Windows = &windowsOptions{Subsystem: wd.str("subsystem", false), Detach: wd.bool("detach")}
		if wd.err != nil {
			return wd.err
		}
	}
	return d.err
}

// fieldDecoder reads typed fields, keeping the first error.
type fieldDecoder struct {
	o   *jsonObject
	err error
}

func (d *fieldDecoder) field(key string, required bool) (any, bool) {
	v, ok := d.o.get(key)
	if (!ok || v == nil) && required && d.err == nil {
		d.err = errorf("manifest has no %q", key)
	}
	return v, ok && v != nil
}

func (d *fieldDecoder) wrongType(key, want string) {
	if d.err == nil {
		d.err = errorf("manifest %q is not %s", key, want)
	}
}

func (d *fieldDecoder) str(key string, required bool) string {
	v, ok := d.field(key, required)
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		d.wrongType(key, "a string")
	}
	return s
}

func (d *fieldDecoder) uint(key string, required bool) uint64 {
	v, ok := d.field(key, required)
	if !ok {
		return 0
	}
	n, isNum := v.(jsonNumber)
	u, err := strconv.ParseUint(string(n), 10, 64)
	if !isNum || err != nil || u >= 1<<53 {
		d.wrongType(key, "a whole number below 2^53")
	}
	return u
}

func (d *fieldDecoder) bool(key string) bool {
	v, ok := d.field(key, false)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		d.wrongType(key, "true or false")
	}
	return b
}

func (d *fieldDecoder) strs(key string) []string {
	v, ok := d.field(key, false)
	if !ok {
		return nil
	}
	a, isArr := v.([]any)
	if !isArr {
		d.wrongType(key, "an array of strings")
		return nil
	}
	out := make([]string, 0, len(a))
	for _, e := range a {
		s, isStr := e.(string)
		if !isStr {
			d.wrongType(key, "an array of strings")
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (m *manifest) validate() error {
	if m.Format != uint64(formatVersion) {
		return errorf("manifest format %d, want %d", m.Format, formatVersion)
	}
	if !validID(m.ID) {
		return errorf("invalid id %q: use 1-64 of A-Z a-z 0-9 . _ -", m.ID)
	}
	if !validVersion(m.Version) {
		return errorf("invalid version %q", m.Version)
	}
	if !knownTarget(m.Target) {
		return errorf("unknown target %q", m.Target)
	}
	if err := checkEntryName(m.Command); err != nil {
		return errorf("invalid command %q: %v", m.Command, err)
	}
	for _, kv := range m.Env {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || !validEnvName(name) {
			return errorf("invalid env entry %q: want NAME=VALUE", kv)
		}
		if strings.HasPrefix(name, "PACK_") {
			return errorf("env entry %q: PACK_ variables are the stub's own", kv)
		}
	}
	if m.Compression != "zstd" {
		return errorf("unknown compression %q", m.Compression)
	}
	if !validSHA256(m.PayloadSHA256) {
		return errors.New("payloadSha256 is not 64 lowercase hex digits")
	}
	if m.Windows != nil {
		if !strings.HasPrefix(m.Target, "windows-") {
			return errors.New("windows options on a non-Windows target")
		}
		if s := m.Windows.Subsystem; s != "" && s != "console" && s != "gui" {
			return errorf("unknown windows subsystem %q", s)
		}
	}
	return nil
}

func knownTarget(t string) bool {
	for _, k := range targets {
		if t == k {
			return true
		}
	}
	return false
}

// checkEntryName enforces the path rules of docs/format.md section 4 on a
// tar entry name (a directory's trailing slash already removed).
func checkEntryName(name string) error {
	switch {
	case name == "":
		return errors.New("empty path")
	case len(name) > 4096:
		return errors.New("path longer than 4096 bytes")
	case strings.HasPrefix(name, "/"):
		return errors.New("absolute path")
	case strings.ContainsAny(name, "\\:\x00"):
		return errors.New(`path contains \, : or NUL`)
	}
	for _, part := range strings.Split(name, "/") {
		switch part {
		case "":
			return errors.New("empty path component")
		case ".", "..":
			return errors.New("path component . or ..")
		}
	}
	if name == reservedDir || strings.HasPrefix(name, reservedDir+"/") {
		return errorf("%s is reserved for the stub", reservedDir)
	}
	return nil
}

// reservedDir holds the stub's own files inside an instance directory.
const reservedDir = ".pack"
