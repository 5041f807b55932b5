package main

import (
	"syscall"
	"unsafe"
)

// The few Win32 calls the stub needs beyond package syscall, loaded lazily.
// golang.org/x/sys/windows would bring in package net (300 KB) for them.
var (
	kernel32                    = syscall.NewLazyDLL("kernel32.dll")
	procLockFileEx              = kernel32.NewProc("LockFileEx")
	procUnlockFileEx            = kernel32.NewProc("UnlockFileEx")
	procCreateJobObjectW        = kernel32.NewProc("CreateJobObjectW")
	procSetInformationJobObject = kernel32.NewProc("SetInformationJobObject")
	procAssignProcessToJob      = kernel32.NewProc("AssignProcessToJobObject")
	procSetConsoleCtrlHandler   = kernel32.NewProc("SetConsoleCtrlHandler")
	procNtResumeProcess         = syscall.NewLazyDLL("ntdll.dll").NewProc("NtResumeProcess")
)

const (
	lockfileFailImmediately = 0x1
	lockfileExclusiveLock   = 0x2
	errorLockViolation      = syscall.Errno(33)
	errorSharingViolation   = syscall.Errno(32)
	createSuspended         = 0x4
	createNoWindow          = 0x08000000
	jobKillOnJobClose       = 0x2000
	jobExtendedLimitInfo    = 9
)

// call runs a Win32 BOOL function and turns FALSE into its last error.
func call(p *syscall.LazyProc, args ...uintptr) error {
	r, _, err := p.Call(args...)
	if r == 0 {
		if err == nil || err == syscall.Errno(0) {
			return syscall.EINVAL
		}
		return err
	}
	return nil
}

// jobLimits is JOBOBJECT_EXTENDED_LIMIT_INFORMATION (64-bit layout).
type jobLimits struct {
	perProcessUserTimeLimit int64
	perJobUserTimeLimit     int64
	limitFlags              uint32
	minimumWorkingSetSize   uintptr
	maximumWorkingSetSize   uintptr
	activeProcessLimit      uint32
	affinity                uintptr
	priorityClass           uint32
	schedulingClass         uint32
	ioCounters              [6]uint64
	processMemoryLimit      uintptr
	jobMemoryLimit          uintptr
	peakProcessMemoryUsed   uintptr
	peakJobMemoryUsed       uintptr
}

func setJobKillOnClose(job syscall.Handle, on bool) error {
	var info jobLimits
	if on {
		info.limitFlags = jobKillOnJobClose
	}
	return call(procSetInformationJobObject, uintptr(job), jobExtendedLimitInfo, uintptr(unsafe.Pointer(&info)), unsafe.Sizeof(info))
}

func newKillOnCloseJob() (syscall.Handle, error) {
	r, _, err := procCreateJobObjectW.Call(0, 0)
	if r == 0 {
		return 0, err
	}
	job := syscall.Handle(r)
	if err := setJobKillOnClose(job, true); err != nil {
		syscall.CloseHandle(job)
		return 0, err
	}
	return job, nil
}
