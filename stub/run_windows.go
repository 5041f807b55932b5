package main

import (
	"os"
	"path/filepath"
	"syscall"
)

// run starts the program as a child (Windows has no exec) inside a job
// object that kills the whole tree if the stub dies, ignores console control
// events itself (the program receives its own), waits and exits with the
// program's full 32-bit exit code. The stub keeps no handle on the pack file
// while it waits, so the pack can be renamed or replaced.
//
// With the manifest's windows.detach the stub starts the program and exits
// at once (exit code 0): the pack file, say on a network share, is open for
// milliseconds only. The lock goes with the stub (Windows releases a
// process's locks when it exits, inherited handles or not); the cleaner
// tells that a detached program still runs from its files (inUse).
func run(p *pack, inst *instance, callerArgs []string, override bool) error {
	prog := filepath.Join(inst.instance, filepath.FromSlash(p.manifest.Command))
	argv := append([]string{prog}, programArgs(p.manifest, inst.dirs, callerArgs)...)
	w := p.manifest.Windows
	detach := w != nil && w.Detach
	sys := &syscall.SysProcAttr{CreationFlags: createSuspended}
	if w != nil && w.Subsystem == "gui" {
		sys.CreationFlags |= createNoWindow // a console program started by a GUI pack opens no window
	}
	attr := &syscall.ProcAttr{
		Env:   programEnv(p, inst.dirs, override),
		Files: []uintptr{stdHandle(syscall.STD_INPUT_HANDLE), stdHandle(syscall.STD_OUTPUT_HANDLE), stdHandle(syscall.STD_ERROR_HANDLE)},
		Sys:   sys,
	}
	p.close()

	var job syscall.Handle
	var jobErr error = syscall.EINVAL
	if !detach {
		job, jobErr = newKillOnCloseJob()
	}
	_, handle, err := syscall.StartProcess(prog, argv, attr)
	if err != nil {
		return fail(exitNoProgram, err, "check that the pack was built for this system", "cannot start %s", p.manifest.Command)
	}
	child := syscall.Handle(handle)
	if jobErr == nil {
		// Access denied means we run in a job that forbids nesting; run
		// without one rather than not at all (as libuv does).
		call(procAssignProcessToJob, uintptr(job), uintptr(child))
	}
	if !detach {
		ignoreConsoleControl(child)
	}
	if status, _, _ := procNtResumeProcess.Call(uintptr(child)); status != 0 {
		syscall.TerminateProcess(child, 1)
		return fail(exitNoProgram, syscall.Errno(status), "", "cannot start %s", p.manifest.Command)
	}
	if detach {
		os.Exit(0)
	}
	syscall.WaitForSingleObject(child, syscall.INFINITE)
	var code uint32
	if err := syscall.GetExitCodeProcess(child, &code); err != nil {
		return fail(exitNoProgram, err, "", "lost track of %s", p.manifest.Command)
	}
	if jobErr == nil {
		// The program exited on its own: let processes it left behind live.
		setJobKillOnClose(job, false)
	}
	inst.lock.close()
	os.Exit(int(code))
	return nil
}

// stdHandle is a standard handle to pass on, or 0 where there is none (a
// GUI stub has none), which StartProcess skips instead of failing on it.
func stdHandle(which int) uintptr {
	h, err := syscall.GetStdHandle(which)
	if err != nil || h == syscall.InvalidHandle {
		return 0
	}
	return uintptr(h)
}

// ignoreConsoleControl keeps the stub alive through Ctrl-C and Ctrl-Break,
// which Windows sends to every process on the console: the program decides.
// On close, logoff and shutdown the stub waits (Windows allows about 5 s)
// for the program to finish its own handling, so the job does not kill it
// early.
func ignoreConsoleControl(child syscall.Handle) {
	handler := syscall.NewCallback(func(event uint32) uintptr {
		const ctrlClose = 2
		if event >= ctrlClose {
			syscall.WaitForSingleObject(child, 4500)
		}
		return 1
	})
	call(procSetConsoleCtrlHandler, handler, 1)
}
