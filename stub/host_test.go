package main

import (
	"runtime"
	"strings"
)

func isWindowsHost() bool { return runtime.GOOS == "windows" }
func isDarwinHost() bool  { return runtime.GOOS == "darwin" }

func hostArch() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x64"
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
