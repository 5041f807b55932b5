package main

import (
	"errors"
)

// Exit codes of the stub's own failures (docs/format.md section 7). They sit
// above the shells' 128+signal range so they are unlikely to be mistaken for
// the program's own status.
const (
	exitControl   = 246 // bad PACK_STUB value, or a control command failed
	exitBadPack   = 247 // not a pack, or the trailer/manifest is damaged
	exitBadData   = 248 // payload failed verification
	exitCache     = 249 // cache directory unusable
	exitExtract   = 250 // extraction failed (I/O)
	exitNoProgram = 251 // the program could not be started
)

// stubError is a failure the stub reports in one line: what went wrong and
// what the user can do about it.
type stubError struct {
	code int
	what string
	hint string
	err  error
}

func (e *stubError) Error() string {
	msg := e.what
	if e.err != nil {
		msg += ": " + e.err.Error()
	}
	if e.hint != "" {
		msg += "; " + e.hint
	}
	return msg
}

func (e *stubError) Unwrap() error { return e.err }

func fail(code int, err error, hint string, format string, args ...any) error {
	return &stubError{code: code, what: sprintf(format, args...), hint: hint, err: err}
}

// exitCode maps an error to the stub's exit code.
func exitCode(err error) int {
	var se *stubError
	if errors.As(err, &se) {
		return se.code
	}
	return exitExtract
}

const (
	hintRedownload = "download the pack again"
	hintNewerStub  = "use a newer pack-action stub"
)
