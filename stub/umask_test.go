//go:build !windows

package main

import (
	"strconv"
	"syscall"
	"testing"
)

// The pack's modes come through whatever the umask: the stub creates files
// and directories with their final modes and chmods only what the umask cut.
func TestExtractsTreeUnderUmask(t *testing.T) {
	for _, mask := range []int{0o077, 0o027, 0o002, 0} {
		t.Run("umask-"+strconv.FormatInt(int64(mask), 8), func(t *testing.T) {
			old := syscall.Umask(mask)
			defer syscall.Umask(old)
			checkExtractsTree(t)
		})
	}
}
