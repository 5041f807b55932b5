package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sprintf knows only a few verbs and no flags or widths: a format that uses
// more prints garbage in the one message a user gets. Check every call.
func TestFormatStringsUseOnlySprintfVerbs(t *testing.T) {
	formatArg := map[string]int{"sprintf": 0, "errorf": 0, "dataErrorf": 0, "fail": 3}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok {
				return true
			}
			i, known := formatArg[id.Name]
			if !known || len(call.Args) <= i {
				return true
			}
			lit, ok := call.Args[i].(*ast.BasicLit)
			if !ok {
				return true
			}
			format, _ := strconv.Unquote(lit.Value)
			for j := 0; j < len(format); j++ {
				if format[j] != '%' {
					continue
				}
				j++
				if j == len(format) || !strings.ContainsRune("sqdvwxo%", rune(format[j])) {
					t.Errorf("%s: %s(%s): sprintf does not know %%%s", fset.Position(lit.Pos()), id.Name, lit.Value, format[j:min(j+1, len(format))])
				}
			}
			checked++
			return true
		})
	}
	if checked < 50 {
		t.Fatalf("checked only %d format strings: is the list of formatting functions still right?", checked)
	}
}

func TestSprintfVerbs(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{sprintf("mode %o", uint32(0o775)), "mode 0775"},
		{sprintf("flags %x", uint32(255)), "flags 0xff"},
		{sprintf("%d %s %q %v%%", -3, "a", "b\n", "c"), `-3 a "b\x0a" c%`},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
