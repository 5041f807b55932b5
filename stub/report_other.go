//go:build !windows

package main

import "os"

func showError(line string)   { os.Stderr.WriteString(line + "\n") }
func showWarning(line string) { os.Stderr.WriteString(line + "\n") }
