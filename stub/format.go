package main

import (
	"strconv"
	"strings"
)

// sprintf is the small subset of fmt.Sprintf the stub's messages use
// (%s %q %d %v %w %x %o %%). fmt and the reflect package it needs would add
// 180 KB to every stub.
func sprintf(format string, args ...any) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		verb := format[i]
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		if len(args) == 0 {
			b.WriteString("%!" + string(verb) + "(MISSING)")
			continue
		}
		arg := args[0]
		args = args[1:]
		b.WriteString(formatArg(verb, arg))
	}
	return b.String()
}

func formatArg(verb byte, arg any) string {
	var s string
	var n uint64
	var neg, isNum bool
	switch v := arg.(type) {
	case string:
		s = v
	case error:
		s = v.Error()
	case int:
		n, neg, isNum = uint64(v), v < 0, true
		if neg {
			n = uint64(-v)
		}
	case int64:
		n, neg, isNum = uint64(v), v < 0, true
		if neg {
			n = uint64(-v)
		}
	case uint64:
		n, isNum = v, true
	case uint32:
		n, isNum = uint64(v), true
	case byte:
		n, isNum = uint64(v), true
	default:
		s = "?"
	}
	if isNum {
		base := 10
		prefix := ""
		switch verb {
		case 'x':
			base, prefix = 16, "0x"
		case 'o':
			base, prefix = 8, "0"
		}
		s = prefix + strconv.FormatUint(n, base)
		if neg {
			s = "-" + s
		}
		return s
	}
	if verb == 'q' {
		return quote(s)
	}
	return s
}

// quote is strconv.Quote for messages: printable ASCII stays, the rest
// becomes \xNN (strconv's Unicode tables would cost the stub 10 KB).
func quote(s string) string {
	const digits = "0123456789abcdef"
	b := []byte{'"'}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < ' ' || c >= 0x7f:
			b = append(b, '\\', 'x', digits[c>>4], digits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}

// errorf is fmt.Errorf for sprintf's verbs; %w wraps its error.
func errorf(format string, args ...any) error {
	var wrapped error
	for _, a := range args {
		if e, ok := a.(error); ok && strings.Contains(format, "%w") {
			wrapped = e
		}
	}
	return &wrapError{msg: sprintf(format, args...), err: wrapped}
}

type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

// hexString is encoding/hex's EncodeToString, which would bring in fmt.
func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&0xf]
	}
	return string(out)
}
