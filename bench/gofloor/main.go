// go-floor: the least a Go program can do, to measure what the Go runtime's
// start costs on this machine next to the stub's warm start.
//
//	go-floor            exits 0 (the runtime's start alone)
//	go-floor PROG ARGS  execs PROG (the floor for a Go stub that execs, as
//	                    ours does on Unix)
package main

import (
	"os"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		os.Exit(0)
	}
	err := syscall.Exec(os.Args[1], os.Args[1:], os.Environ())
	os.Stderr.WriteString("go-floor: exec " + os.Args[1] + ": " + err.Error() + "\n")
	os.Exit(127)
}
