//go:build !windows

package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// run replaces the stub with the program (execve): same PID, so signals,
// job control and the exit status are the program's own. The shared lock's
// descriptor is inherited, keeping the instance locked while it runs.
func run(p *pack, inst *instance, callerArgs []string, override bool) error {
	prog := filepath.Join(inst.instance, filepath.FromSlash(p.manifest.Command))
	argv := append([]string{prog}, programArgs(p.manifest, inst.dirs, callerArgs)...)
	env := programEnv(p, inst.dirs, override)
	p.close()
	var err error
	for try := 0; try < 5; try++ {
		err = syscall.Exec(prog, argv, env)
		if !errors.Is(err, syscall.ETXTBSY) {
			break
		}
		time.Sleep(10 * time.Millisecond << try) // a writer's descriptor leaked into a fork; it goes away
	}
	return fail(exitNoProgram, err, execHint(prog, err), "cannot start %s", p.manifest.Command)
}

func execHint(prog string, err error) string {
	switch {
	case errors.Is(err, syscall.EACCES):
		if fi, serr := os.Stat(prog); serr == nil && fi.Mode().Perm()&0o111 != 0 {
			return "the cache is on a file system mounted noexec: set PACK_CACHE_DIR to another place"
		}
		return "the command is not executable: pack it with its execute bit set"
	case errors.Is(err, syscall.ENOEXEC):
		return "the command is not a program for this system (wrong target, or a script without a #! line)"
	case errors.Is(err, syscall.ENOENT):
		return "the command or its interpreter is missing (check the #! line and the target)"
	}
	return ""
}
