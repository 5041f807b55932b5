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
func run(p *pack, inst *instance, callerArgs []string, override bool) error {
	prog := filepath.Join(inst.instance, filepath.FromSlash(p.manifest.Command))
	argv := append([]string{prog}, programArgs(p.manifest, inst.dirs, callerArgs)...)
	attr := &syscall.ProcAttr{
		Env:   programEnv(p, inst.dirs, override),
		Files: []uintptr{os.Stdin.Fd(), os.Stdout.Fd(), os.Stderr.Fd()},
		Sys:   &syscall.SysProcAttr{CreationFlags: createSuspended},
	}
	p.close()

	job, jobErr := newKillOnCloseJob()
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
	ignoreConsoleControl(child)
	if status, _, _ := procNtResumeProcess.Call(uintptr(child)); status != 0 {
		syscall.TerminateProcess(child, 1)
		return fail(exitNoProgram, syscall.Errno(status), "", "cannot start %s", p.manifest.Command)
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
