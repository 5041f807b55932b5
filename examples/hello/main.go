// hello is the example program the demo packs for all six targets. It shows
// what a packed program sees: its arguments, its stdin, the PACK_* variables
// the stub sets, a data file from its tree, and its exit status.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

func main() {
	greeting := "hello"
	// The greeting file sits next to the program in the packed tree.
	if exe, err := os.Executable(); err == nil {
		if b, err := os.ReadFile(filepath.Join(filepath.Dir(exe), "share", "greeting.txt")); err == nil {
			greeting = strings.TrimSpace(string(b))
		}
	}
	fmt.Printf("%s from %s/%s\n", greeting, runtime.GOOS, runtime.GOARCH)
	exit := 0
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--exit":
			// --exit N: leave with status N, to show it passes through the stub.
			if i+1 < len(args) {
				exit, _ = strconv.Atoi(args[i+1])
				i++
			}
		case "--stdin":
			// --stdin: copy standard input to standard output.
			b, _ := io.ReadAll(bufio.NewReader(os.Stdin))
			fmt.Printf("stdin: %s\n", b)
		case "--env":
			for _, kv := range os.Environ() {
				if strings.HasPrefix(kv, "PACK_") || strings.HasPrefix(kv, "HELLO_") {
					fmt.Println(kv)
				}
			}
		default:
			fmt.Printf("arg: %s\n", args[i])
		}
	}
	os.Exit(exit)
}
