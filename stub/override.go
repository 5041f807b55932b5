package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// An override is a newer pack of the same program placed at
// <data dir>/override (PACK_STUB=install:<file> puts it there). The stub
// runs whichever of its own payload and the override's is newer, so a
// program can update itself without replacing the pack file, which may be
// running, read-only or shared.

func overridePath(d dirs) string { return filepath.Join(d.data, "override") }

// openRunnable opens the instance of the newest usable version: the
// override's or the embedded one. An unusable override is ignored with one
// warning. The returned pack keeps p's path (PACK_EXE is the file the user
// started); p is closed if the override is used.
func openRunnable(p *pack) (*pack, *instance, bool, error) {
	d, _ := cacheDirs(p.manifest)
	o, why := findOverride(p)
	if o != nil {
		// Its payload is verified on its cold path (extraction checks the
		// hash); an extracted override instance is trusted like any other.
		inst, err := openInstance(o)
		if err == nil {
			p.close()
			o.path = p.path
			return o, inst, true, nil
		}
		o.close()
		if exitCode(err) != exitBadData {
			return nil, nil, false, err
		}
		why = "its payload failed verification"
	}
	if why != "" {
		warn(p.path, "ignoring the override "+overridePath(d)+": "+why+"; running the embedded version "+p.manifest.Version+" (install a newer one or delete it)")
	}
	inst, err := openInstance(p)
	return p, inst, false, err
}

// findOverride opens the override if there is one for p's program that is
// newer than p. Otherwise it returns nil and why it is ignored ("" if there
// is none). Without an override this costs one failed open.
func findOverride(p *pack) (*pack, string) {
	d, err := cacheDirs(p.manifest)
	if err != nil {
		return nil, ""
	}
	o, err := openPack(overridePath(d))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, ""
		}
		return nil, err.Error()
	}
	if why := mismatch(p.manifest, o.manifest); why != "" {
		o.close()
		return nil, why
	}
	if compareVersions(o.manifest.Version, p.manifest.Version) <= 0 {
		o.close()
		return nil, sprintf("its version %s is not newer than %s", o.manifest.Version, p.manifest.Version)
	}
	return o, ""
}

// mismatch says why a pack cannot stand in for one with manifest m.
func mismatch(m, n *manifest) string {
	switch {
	case n.ID != m.ID:
		return sprintf("it is the program %q, not %q", n.ID, m.ID)
	case n.Target != m.Target:
		return sprintf("it is built for %s, not %s", n.Target, m.Target)
	}
	return ""
}

// place checks the pack at src and copies it to dest the way package
// managers install files: a temporary file in the same directory, flushed,
// its payload verified, renamed over dest, the directory flushed. Whoever
// opens dest sees the old file or the new one, never a part; whoever runs
// the old one keeps it (see replaceFile for Windows).
//
// install (replace false): dest is the override, and the pack must be a
// newer version of p's program for p's target. replace: dest is the pack
// file itself; any version of the program will do.
func place(p *pack, src string, replace bool, stdout io.Writer) error {
	n, err := openPack(src)
	if err != nil {
		return fail(exitControl, err, "", "cannot use %s", src)
	}
	defer n.close()
	why := mismatch(p.manifest, n.manifest)
	dest, mode := p.path, os.FileMode(0o600)
	if fi, err := os.Stat(dest); replace && err == nil {
		mode = fi.Mode().Perm()
	}
	if !replace {
		current := p.manifest.Version
		if o, _ := findOverride(p); o != nil {
			current = o.manifest.Version
			o.close()
		}
		if why == "" && compareVersions(n.manifest.Version, current) <= 0 {
			why = "its version " + n.manifest.Version + " is not newer than " + current
		}
		d, err := cacheDirs(p.manifest)
		if err == nil {
			err = d.prepare()
		}
		if err != nil {
			return err
		}
		dest = overridePath(d)
	}
	if why != "" {
		return fail(exitControl, nil, "use a newer pack of the same program and target", "cannot use %s: %s", src, why)
	}
	p.close() // Windows: hold nothing on the file being replaced
	dir := filepath.Dir(dest)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".new-*")
	if err != nil {
		return fail(exitControl, err, "check free space and permissions in "+dir, "cannot create a temporary file")
	}
	name := tmp.Name()
	_, err = io.Copy(tmp, io.NewSectionReader(n.file, 0, 1<<62)) // the whole file, signature too
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		var c *pack
		if c, err = openPack(name); err == nil {
			err = walkPayload(c, func(*tarHeader, io.Reader) error { return nil })
			c.close()
		}
	}
	if err == nil {
		err = replaceFile(name, dest)
	}
	if err != nil {
		os.Remove(name)
		return fail(exitControl, err, "nothing was changed", "cannot put %s at %s", src, dest)
	}
	syncDir(dir)
	_, err = io.WriteString(stdout, "installed "+n.manifest.ID+" "+n.manifest.Version+" at "+dest+"\n")
	return err
}
