package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// openShared opens a file for reading and lets others rename or delete it
// meanwhile (FILE_SHARE_DELETE, which os.Open does not give): a pack or an
// override being read for a moment must not block its own replacement.
func openShared(path string) (*os.File, error) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ,
		syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE,
		nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

func createFile(path string, mode os.FileMode) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
}

func processUmask() os.FileMode { return 0 }

// syncDir: NTFS journals renames; a directory cannot be flushed without
// backup semantics, which a normal user may lack.
func syncDir(dir string) error { return nil }

// renameRetry renames, retrying for about two seconds while a virus scanner
// or another start holds the file open (as Go's cmd/internal/robustio does).
func renameRetry(from, to string) error {
	deadline := time.Now().Add(2 * time.Second)
	delay := time.Millisecond
	for {
		err := os.Rename(from, to)
		if err == nil || !transient(err) || complete(to) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(delay + time.Duration(time.Now().UnixNano()%int64(delay))) // jitter
		if delay < 100*time.Millisecond {
			delay *= 2
		}
	}
}

func transient(err error) bool {
	return errors.Is(err, syscall.ERROR_ACCESS_DENIED) || errors.Is(err, errorSharingViolation)
}

// inUse reports whether a program runs from an instance directory, for a
// detached program that outlived the stub and its lock: Windows lets no one
// open a running program's files (the sampled ones) without sharing. (The
// rename of the directory, which the cleaner does next, fails then too.)
func inUse(dir string) bool {
	b, _ := os.ReadFile(filepath.Join(dir, markerPath))
	for _, line := range strings.Split(string(b), "\n") {
		if _, name, ok := strings.Cut(line, " "); ok {
			p, _ := syscall.UTF16PtrFromString(filepath.Join(dir, filepath.FromSlash(name)))
			h, err := syscall.CreateFile(p, syscall.GENERIC_READ, 0, nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
			if err == errorSharingViolation {
				return true
			}
			if err == nil {
				syscall.CloseHandle(h)
			}
		}
	}
	return false
}
