package main

import (
	"syscall"
	"unsafe"
)

// fileLock is a LockFileEx lock on a lock file. Windows locks are mandatory
// byte-range locks, so the lock covers a byte far past the end of the file
// (which holds nothing). There is no exec on Windows: the stub stays the
// program's parent and holds the handle until the program exits.
type fileLock struct {
	h syscall.Handle
}

const lockOffsetHigh = 1 << 30 // the byte at offset 2^62

func openLock(path string) (*fileLock, error) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE,
		syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE,
		nil, syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, err
	}
	return &fileLock{h: h}, nil
}

func (l *fileLock) lock(flags uintptr) error {
	ol := syscall.Overlapped{OffsetHigh: lockOffsetHigh}
	return call(procLockFileEx, uintptr(l.h), flags, 0, 1, 0, uintptr(unsafe.Pointer(&ol)))
}

func (l *fileLock) lockShared() error    { return l.lock(0) }
func (l *fileLock) lockExclusive() error { return l.lock(lockfileExclusiveLock) }

func (l *fileLock) tryLockExclusive() (bool, error) {
	err := l.lock(lockfileExclusiveLock | lockfileFailImmediately)
	if err == errorLockViolation || err == syscall.ERROR_IO_PENDING {
		return false, nil
	}
	return err == nil, err
}

func (l *fileLock) unlock() error {
	ol := syscall.Overlapped{OffsetHigh: lockOffsetHigh}
	return call(procUnlockFileEx, uintptr(l.h), 0, 1, 0, uintptr(unsafe.Pointer(&ol)))
}

func (l *fileLock) close() error { return syscall.CloseHandle(l.h) }

// stale: the cleaner never deletes lock files on Windows, where a file
// deleted while open blocks new opens until every handle is closed.
func (l *fileLock) stale(path string) bool { return false }
