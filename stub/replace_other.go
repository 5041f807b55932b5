//go:build !windows

package main

import "os"

// replaceFile renames tmp over dest: a process that has dest open or running
// keeps the old file; everyone else sees the new one at once.
func replaceFile(tmp, dest string) error { return os.Rename(tmp, dest) }

// removeOldCopies: nothing to do where a running file can be replaced.
func removeOldCopies(path string) {}
