package main

import (
	"syscall"
	"unsafe"
)

// A GUI-subsystem stub has no console: with no standard error to write to,
// an error goes to a message box, and a warning is dropped (a box for a
// warning would stop every start).

func showError(line string) {
	if writeStderr(line) {
		return
	}
	text, _ := syscall.UTF16PtrFromString(line)
	title, _ := syscall.UTF16PtrFromString("Cannot start the program")
	const mbOK, mbIconError = 0x0, 0x10
	syscall.NewLazyDLL("user32.dll").NewProc("MessageBoxW").Call(0, uintptr(unsafe.Pointer(text)), uintptr(unsafe.Pointer(title)), mbOK|mbIconError)
}

func showWarning(line string) { writeStderr(line) }

func writeStderr(line string) bool {
	h, err := syscall.GetStdHandle(syscall.STD_ERROR_HANDLE)
	if err != nil || h == 0 || h == syscall.InvalidHandle {
		return false
	}
	b := []byte(line + "\n")
	var n uint32
	return syscall.WriteFile(h, b, &n, nil) == nil
}
