package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// dirs are the places one pack uses in the per-user cache
// (docs/format.md section 6).
type dirs struct {
	root     string // cache root
	idDir    string // <root>/<id>
	instance string // <root>/<id>/<version>-<hash12>, the program's {app}
	lockPath string // <root>/<id>/<version>-<hash12>.lock
	data     string // <root>/<id>/data, the program's {data}
}

const markerPath = reservedDir + "/complete"

// cacheRoot is $PACK_CACHE_DIR, else the OS per-user cache directory + /pack.
func cacheRoot() (string, error) {
	if d := os.Getenv("PACK_CACHE_DIR"); d != "" {
		return filepath.Abs(d)
	}
	var base string
	switch runtime.GOOS {
	case "windows":
		base = os.Getenv("LOCALAPPDATA")
		if base == "" {
			return "", errors.New("%LOCALAPPDATA% is not set")
		}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, "Library", "Caches")
	default:
		base = os.Getenv("XDG_CACHE_HOME")
		if base == "" || !filepath.IsAbs(base) {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			base = filepath.Join(home, ".cache")
		}
	}
	return filepath.Join(base, "pack"), nil
}

// instanceName is <version>-<first 12 hex digits of the payload hash>.
func instanceName(m *manifest) string {
	return m.Version + "-" + m.PayloadSHA256[:12]
}

func cacheDirs(m *manifest) (dirs, error) {
	root, err := cacheRoot()
	if err != nil {
		return dirs{}, fail(exitCache, err, "set PACK_CACHE_DIR to a private directory", "cannot find the per-user cache directory")
	}
	id := filepath.Join(root, m.ID)
	name := instanceName(m)
	return dirs{
		root:     root,
		idDir:    id,
		instance: filepath.Join(id, name),
		lockPath: filepath.Join(id, name+".lock"),
		data:     filepath.Join(id, "data"),
	}, nil
}

// prepare creates the root, id and data directories, private to the user,
// and refuses ones another user could have planted files in.
func (d dirs) prepare() error {
	for _, dir := range []string{d.root, d.idDir, d.data} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fail(exitCache, err, "check the permissions of the cache directory or set PACK_CACHE_DIR", "cannot create %s", dir)
		}
	}
	for _, dir := range []string{d.root, d.idDir} {
		if err := checkPrivate(dir); err != nil {
			return fail(exitCache, nil, sprintf("remove it or set PACK_CACHE_DIR to a directory only you can write (%v)", err), "refusing to use %s", dir)
		}
	}
	return nil
}

// complete reports whether an instance directory holds a finished extraction.
func complete(instance string) bool {
	fi, err := os.Stat(filepath.Join(instance, markerPath))
	return err == nil && fi.Mode().IsRegular()
}
