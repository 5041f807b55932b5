//go:build !windows

package main

import (
	"os"
	"syscall"
)

// checkPrivate refuses a directory owned by another user or writable by
// group or others: someone else could plant files the program would run.
func checkPrivate(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		if fi, err = os.Stat(dir); err != nil {
			return err
		}
	}
	if !fi.IsDir() {
		return errorf("not a directory")
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Getuid(); int(st.Uid) != uid {
		return errorf("owned by uid %d, not by you (uid %d)", st.Uid, uid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return errorf("writable by group or others (mode %o)", uint32(fi.Mode().Perm()))
	}
	return nil
}
