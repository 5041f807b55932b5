package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// instance is a complete instance directory with a shared lock held on it:
// while the lock is held no cleaner removes the directory.
type instance struct {
	dirs
	lock *fileLock
}

// openInstance returns the pack's instance directory, extracting it first if
// needed (the cold path). The warm path is a shared lock and one stat.
func openInstance(p *pack) (*instance, error) {
	d, err := cacheDirs(p.manifest)
	if err != nil {
		return nil, err
	}
	if err := d.prepare(); err != nil {
		return nil, err
	}
	lk, err := openLock(d.lockPath)
	if err != nil {
		return nil, fail(exitCache, err, "check the permissions of "+d.idDir, "cannot open the lock file")
	}
	inst := &instance{dirs: d, lock: lk}
	// A cleaner may take the directory between our exclusive and shared lock
	// (flock does not convert atomically): check again, a few times.
	for attempt := 0; attempt < 5; attempt++ {
		if err := lk.lockShared(); err != nil {
			lk.close()
			return nil, fail(exitCache, err, "", "cannot lock %s", d.lockPath)
		}
		if complete(d.instance) {
			return inst, nil
		}
		if err := lk.unlock(); err != nil {
			lk.close()
			return nil, fail(exitCache, err, "", "cannot unlock %s", d.lockPath)
		}
		if err := lk.lockExclusive(); err != nil {
			lk.close()
			return nil, fail(exitCache, err, "", "cannot lock %s", d.lockPath)
		}
		if !complete(d.instance) {
			if err := extractInstance(p, d); err != nil {
				lk.close()
				return nil, err
			}
		}
		if err := lk.unlock(); err != nil {
			lk.close()
			return nil, fail(exitCache, err, "", "cannot unlock %s", d.lockPath)
		}
	}
	lk.close()
	return nil, fail(exitCache, nil, "another process keeps removing it; stop cache cleaners and retry", "instance directory %s vanished", d.instance)
}

// extractInstance extracts into a sibling temporary directory, writes the
// completion marker last and renames the directory into place. It runs under
// the exclusive lock; on any failure the cache is left as it was.
func extractInstance(p *pack, d dirs) error {
	// A directory without a marker is the remains of an older, interrupted
	// scheme or a user's copy: never run it, replace it.
	if _, err := os.Lstat(d.instance); err == nil {
		if err := os.RemoveAll(d.instance); err != nil {
			return fail(exitCache, err, "delete it by hand", "cannot remove incomplete instance %s", d.instance)
		}
	}
	tmp, err := makeTempDir(d.idDir, ".tmp-"+instanceName(p.manifest)+"-")
	if err != nil {
		return fail(exitExtract, err, "check free space and permissions in "+d.idDir, "cannot create a temporary directory")
	}
	if err := extractPayload(p, tmp); err != nil {
		removeAll(tmp)
		return extractFailure(err)
	}
	if err := writeMarker(tmp, p.manifestBytes); err != nil {
		removeAll(tmp)
		return fail(exitExtract, err, "check free space in "+d.idDir, "cannot write the completion marker")
	}
	if err := renameDir(tmp, d.instance); err != nil {
		if complete(d.instance) { // another process won the race
			removeAll(tmp)
			return nil
		}
		removeAll(tmp)
		return fail(exitExtract, err, "check permissions in "+d.idDir, "cannot move the extracted tree into place")
	}
	return nil
}

func extractFailure(err error) error {
	var de *errData
	if errors.As(err, &de) {
		return fail(exitBadData, nil, "the pack is damaged: "+hintRedownload+"; nothing was run", "payload failed verification: %s", de.msg)
	}
	return fail(exitExtract, err, "check free space and permissions of the cache directory (PACK_CACHE_DIR)", "extraction failed")
}

func writeMarker(dir string, manifest []byte) error {
	if err := os.Mkdir(filepath.Join(dir, reservedDir), 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, markerPath), manifest, 0o600)
}

// makeTempDir creates a new private directory; os.MkdirTemp's names are
// random enough here, and crypto/rand would cost the stub 150 KB.
func makeTempDir(parent, prefix string) (string, error) {
	return os.MkdirTemp(parent, prefix+"*")
}

// removeAll removes a tree even where the pack made directories read-only.
func removeAll(dir string) {
	if os.RemoveAll(dir) == nil {
		return
	}
	makeWritable(dir)
	os.RemoveAll(dir)
}

func makeWritable(dir string) {
	os.Chmod(dir, 0o700)
	names, _ := readDirNames(dir, -1)
	for _, name := range names {
		p := filepath.Join(dir, name)
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			makeWritable(p)
		}
	}
}

// readDirNames lists up to n names (all for n < 0), unsorted: os.ReadDir's
// sorting would add the slices package to the stub for nothing.
func readDirNames(dir string, n int) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(n)
	if err == io.EOF {
		err = nil
	}
	return names, err
}
