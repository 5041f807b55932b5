//go:build !windows

package main

import (
	"os"
	"syscall"
)

// openShared opens a file for reading without os.Open's registration with
// the runtime's poller (an epoll instance, an eventfd and a failed epoll_ctl
// for a regular file): on the warm path, which opens only the pack and the
// marker, that is a tenth of the stub's own system calls.
func openShared(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}

// createFile creates a new file for writing, without the poller, as
// openShared: extraction creates one per payload file.
func createFile(path string, mode os.FileMode) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, uint32(mode))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}

// processUmask is the bits new files and directories lose.
func processUmask() os.FileMode {
	old := syscall.Umask(0o022)
	syscall.Umask(old)
	return os.FileMode(old)
}

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
