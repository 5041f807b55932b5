//go:build !windows

package main

import "os"

func renameDir(from, to string) error { return os.Rename(from, to) }
