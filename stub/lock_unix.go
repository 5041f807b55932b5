//go:build !windows

package main

import (
	"errors"

	"golang.org/x/sys/unix"
)

// fileLock is an flock(2) lock on a lock file. Its descriptor is opened
// without close-on-exec so the lock survives execve and stays held for as
// long as the program (and any child that inherits it) runs.
type fileLock struct {
	fd int
}

func openLock(path string) (*fileLock, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT, 0o600)
	if err != nil {
		return nil, err
	}
	return &fileLock{fd: fd}, nil
}

func (l *fileLock) lock(how int) error {
	for {
		err := unix.Flock(l.fd, how)
		if err == unix.EINTR {
			continue
		}
		if errors.Is(err, unix.ENOLCK) || errors.Is(err, unix.EOPNOTSUPP) {
			return nil // a file system without locks: rely on atomic rename alone
		}
		return err
	}
}

func (l *fileLock) lockShared() error    { return l.lock(unix.LOCK_SH) }
func (l *fileLock) lockExclusive() error { return l.lock(unix.LOCK_EX) }

// tryLockExclusive takes the exclusive lock only if no one holds the lock.
func (l *fileLock) tryLockExclusive() (bool, error) {
	err := unix.Flock(l.fd, unix.LOCK_EX|unix.LOCK_NB)
	if err == unix.EWOULDBLOCK {
		return false, nil
	}
	return err == nil, err
}

func (l *fileLock) unlock() error { return unix.Flock(l.fd, unix.LOCK_UN) }

func (l *fileLock) close() error { return unix.Close(l.fd) }

// stale reports whether the lock file was deleted (by a cleaner, holding the
// exclusive lock) since we opened it: a lock on a file no longer at path
// protects nothing.
func (l *fileLock) stale(path string) bool {
	var a, b unix.Stat_t
	if unix.Fstat(l.fd, &a) != nil || unix.Stat(path, &b) != nil {
		return true
	}
	return a.Dev != b.Dev || a.Ino != b.Ino
}
