package main

import (
	"os"
	"path/filepath"
)

// selfPath is the absolute path of the pack file, given to the program as
// PACK_EXE.
func selfPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.Abs(exe)
}
