// Command stub is pack-action's runtime half: a pack is this program with a
// compressed tree, a manifest and a trailer appended (docs/format.md). It
// unpacks the tree once into a per-user cache and runs the program in it.
package main

import (
	"os"
	"path/filepath"
)

func main() {
	os.Exit(start(os.Args[1:]))
}

func start(args []string) int {
	exe, err := selfPath()
	if err != nil {
		return report("pack", fail(exitBadPack, err, "", "cannot find the pack file"))
	}
	p, err := openSelf(exe)
	if err != nil {
		return report(exe, err)
	}
	if cmd, ok := os.LookupEnv("PACK_STUB"); ok && cmd != "" {
		os.Unsetenv("PACK_STUB") // never seen by anything this starts
		err := control(p, cmd, os.Stdout)
		p.close()
		if err != nil {
			return report(exe, err)
		}
		return 0
	}
	removeOldCopies(exe)
	r, inst, override, err := openRunnable(p)
	if err != nil {
		p.close()
		return report(exe, err)
	}
	collectAtStart(inst.dirs, instanceName(r.manifest))
	err = run(r, inst, args, override) // returns only on failure (Unix) or never (Windows)
	return report(exe, err)
}

// report tells the user in one line naming the pack what went wrong and
// what to do.
func report(exe string, err error) int {
	showError(filepath.Base(exe) + ": " + err.Error())
	return exitCode(err)
}

// warn prints one line about something the stub worked around.
func warn(exe, msg string) {
	showWarning(filepath.Base(exe) + ": warning: " + msg)
}
