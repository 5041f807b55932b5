package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// control carries out a PACK_STUB command: the stub's own interface, kept in
// the environment so it never takes any of the program's arguments.
func control(p *pack, cmd string, stdout io.Writer) error {
	verb, arg, _ := strings.Cut(cmd, ":")
	switch verb {
	case "info":
		return printInfo(p, stdout)
	case "where", "verify":
		r, inst, _, err := openRunnable(p)
		if err != nil {
			return err
		}
		defer inst.lock.close()
		if verb == "verify" {
			return verify(r, inst, stdout)
		}
		_, err = io.WriteString(stdout, inst.instance+"\n")
		return err
	case "gc":
		d, err := cacheDirs(p.manifest)
		if err != nil {
			return err
		}
		// Keep the version this pack runs: the override's if it is newer.
		keep := instanceName(p.manifest)
		if o, _ := findOverride(p); o != nil {
			keep = instanceName(o.manifest)
			o.close()
		}
		removeOldCopies(p.path)
		for _, name := range collect(d.idDir, keep, time.Time{}) {
			if _, err := io.WriteString(stdout, "removed "+filepath.Join(d.idDir, name)+"\n"); err != nil {
				return err
			}
		}
		return nil
	case "extract", "install", "replace":
		if arg == "" {
			return fail(exitControl, nil, "use PACK_STUB="+verb+":<path>", "%s needs a path", verb)
		}
		if verb != "extract" {
			return place(p, arg, verb == "replace", stdout)
		}
		return extractTo(p, arg)
	}
	return fail(exitControl, nil, "use info, where, verify, gc, extract:<dir>, install:<pack> or replace:<pack>", "unknown PACK_STUB command %q", cmd)
}

// verify compares every entry of the instance with the payload and, if
// any differs, extracts the version again.
func verify(p *pack, inst *instance, stdout io.Writer) error {
	diffs, err := diffInstance(p, inst.instance)
	if err != nil {
		return extractFailure(err)
	}
	out := ""
	for _, name := range diffs {
		out += "differs: " + name + "\n"
	}
	out += "verified " + inst.instance + ": "
	if len(diffs) == 0 {
		out += "intact\n"
	} else {
		if err := extractInstance(p, inst.dirs, true); err != nil {
			return err
		}
		out += "extracted again\n"
	}
	_, err = io.WriteString(stdout, out)
	return err
}

// printInfo prints the manifest with the stub's version, the pack's layout
// and the instance directory it would use.
func printInfo(p *pack, w io.Writer) error {
	v, err := parseJSON(string(p.manifestBytes))
	info, ok := v.(*jsonObject)
	if err != nil || !ok {
		return fail(exitBadPack, err, hintRedownload, "manifest is invalid")
	}
	info.set("stub", stubVersion)
	info.set("layout", &jsonObject{members: []jsonMember{
		{"payloadOffset", p.layout.payloadOffset},
		{"payloadSize", p.layout.payloadSize},
		{"manifestOffset", p.layout.manifestOffset},
		{"manifestSize", p.layout.manifestSize},
		{"dataEnd", p.layout.dataEnd},
	}})
	if d, err := cacheDirs(p.manifest); err == nil {
		info.set("instanceDir", d.instance)
		info.set("dataDir", d.data)
	}
	_, err = w.Write(append(writeJSON(nil, info, ""), '\n'))
	return err
}

// extractTo verifies and extracts the tree into dir, which must not exist or
// be empty. The tree appears whole or not at all.
func extractTo(p *pack, dir string) error {
	dir, err := filepath.Abs(dir)
	if names, rerr := readDirNames(dir, 1); rerr == nil {
		if len(names) > 0 {
			return fail(exitControl, nil, "choose a new or empty directory", "%s is not empty", dir)
		}
		err = os.Remove(dir) // replaced by the extracted tree below
	} else if !errors.Is(rerr, os.ErrNotExist) {
		err = rerr
	}
	var tmp string
	if err == nil {
		err = os.MkdirAll(filepath.Dir(dir), 0o755)
	}
	if err == nil {
		tmp, err = makeTempDir(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-")
	}
	if err == nil {
		if err := extractPayload(p, tmp); err != nil {
			removeAll(tmp)
			return extractFailure(err)
		}
		if err = os.Chmod(tmp, 0o755); err == nil {
			err = renameRetry(tmp, dir)
		}
		if err != nil {
			removeAll(tmp)
		}
	}
	if err != nil {
		return fail(exitExtract, err, "check the path, free space and permissions", "cannot extract to %s", dir)
	}
	return nil
}
