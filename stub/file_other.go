//go:build !windows

package main

import "os"

func openShared(path string) (*os.File, error) { return os.Open(path) }

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func renameRetry(from, to string) error { return os.Rename(from, to) }

// inUse: on Unix the lock, inherited by the program, says it all.
func inUse(dir string) bool { return false }
