package main

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// renameDir retries for about two seconds while a virus scanner holds the
// freshly written files open (as Go's cmd/internal/robustio does).
func renameDir(from, to string) error {
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
