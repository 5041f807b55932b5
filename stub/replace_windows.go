package main

import (
	"os"
	"path/filepath"
	"syscall"
)

// replaceFile puts tmp at dest, in one rename where it can. A running
// program's file can be renamed on Windows but not replaced or deleted, so
// then dest is first renamed aside to .<name>.old-<random>, tmp takes its
// place, and the old file is deleted now or, while it still runs, at a
// later start (removeOldCopies).
func replaceFile(tmp, dest string) error {
	if err := os.Rename(tmp, dest); err == nil || !transient(err) {
		return err
	}
	dir, base := filepath.Split(dest)
	reserve, err := os.CreateTemp(dir, "."+base+".old-*")
	if err != nil {
		return err
	}
	old := reserve.Name()
	reserve.Close()
	moved := true
	if err := renameRetry(dest, old); err != nil {
		os.Remove(old)
		if !os.IsNotExist(err) {
			return err
		}
		moved = false
	}
	if err := renameRetry(tmp, dest); err != nil {
		if moved {
			renameRetry(old, dest)
		}
		return err
	}
	if moved {
		os.Remove(old)
	}
	return nil
}

// removeOldCopies deletes files that replaceFile renamed aside next to path
// and that no process runs any more. One directory query with a pattern,
// which SMB answers on the server.
func removeOldCopies(path string) {
	dir, base := filepath.Split(path)
	pattern, err := syscall.UTF16PtrFromString(dir + "." + base + ".old-*")
	if err != nil {
		return
	}
	var fd syscall.Win32finddata
	h, err := syscall.FindFirstFile(pattern, &fd)
	if err != nil {
		return
	}
	defer syscall.FindClose(h)
	for {
		os.Remove(dir + syscall.UTF16ToString(fd.FileName[:]))
		if syscall.FindNextFile(h, &fd) != nil {
			return
		}
	}
}
