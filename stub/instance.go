package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"
)

// instance is a complete instance directory with a shared lock held on it:
// while the lock is held no cleaner removes the directory.
type instance struct {
	dirs
	lock *fileLock
}

// openInstance returns the pack's instance directory, extracting it first if
// needed (the cold path). The warm path is a shared lock, reading the marker
// and a bounded number of stats.
func openInstance(p *pack) (*instance, error) {
	d, err := cacheDirs(p.manifest)
	if err != nil {
		return nil, err
	}
	if err := d.prepare(); err != nil {
		return nil, err
	}
	var lk *fileLock
	defer func() {
		if lk != nil {
			lk.close()
		}
	}()
	// A cleaner may take the directory between our exclusive and shared lock
	// (flock does not convert atomically), or delete the lock file we opened
	// (stale): check again, a few times.
	for attempt := 0; attempt < 5; attempt++ {
		if lk == nil {
			if lk, err = openLock(d.lockPath); err != nil {
				return nil, d.lockFailed(err)
			}
		}
		if err := lk.lockShared(); err != nil {
			return nil, d.lockFailed(err)
		}
		if lk.stale(d.lockPath) {
			lk.close()
			lk = nil
			continue
		}
		switch checkInstance(d.instance) {
		case instanceOK:
			inst := &instance{dirs: d, lock: lk}
			lk = nil
			return inst, nil
		case instanceDamaged:
			// Files were deleted under us: extract again beside the running
			// instances of this version (they hold the shared lock too).
			if err := extractInstance(p, d, false); err != nil {
				return nil, err
			}
			continue
		}
		if err := lk.unlock(); err != nil {
			return nil, d.lockFailed(err)
		}
		if err := lk.lockExclusive(); err != nil {
			return nil, d.lockFailed(err)
		}
		if !lk.stale(d.lockPath) && checkInstance(d.instance) != instanceOK {
			if err := extractInstance(p, d, false); err != nil {
				return nil, err
			}
		}
		if err := lk.unlock(); err != nil {
			return nil, d.lockFailed(err)
		}
	}
	return nil, fail(exitCache, nil, "another process keeps removing it; stop cache cleaners and retry", "instance directory %s vanished", d.instance)
}

func (d dirs) lockFailed(err error) error {
	return fail(exitCache, err, "check the permissions of "+d.idDir, "cannot lock %s", d.lockPath)
}

// extractInstance extracts into a sibling temporary directory, writes the
// completion marker last and renames the directory into place. A directory
// already there (incomplete or damaged) is first moved into a temporary
// directory, which the cleaner deletes once no one runs that version. On any
// failure the cache is left as it was. force replaces even a directory that
// passes the marker's check (verify found a difference it cannot see).
func extractInstance(p *pack, d dirs, force bool) error {
	name := instanceName(p.manifest)
	tmp, err := makeTempDir(d.idDir, ".tmp-"+name+"-")
	if err != nil {
		return fail(exitExtract, err, "check free space and permissions in "+d.idDir, "cannot create a temporary directory")
	}
	samples, err := extractSampled(p, tmp)
	if err == nil {
		err = writeMarker(tmp, samples)
	}
	if err != nil {
		removeAll(tmp)
		return extractFailure(err)
	}
	if _, err := os.Lstat(d.instance); err == nil {
		if !force && checkInstance(d.instance) == instanceOK { // another start repaired it meanwhile
			removeAll(tmp)
			return nil
		}
		aside, err := makeTempDir(d.idDir, ".tmp-"+name+"-")
		if err == nil {
			err = os.Rename(d.instance, filepath.Join(aside, "old"))
		}
		if err != nil {
			removeAll(tmp)
			return fail(exitCache, err, "close the program's running instances and retry", "cannot replace the damaged instance %s", d.instance)
		}
	}
	if err := renameRetry(tmp, d.instance); err != nil {
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
	var se *stubError
	if errors.As(err, &se) {
		return err
	}
	var de *errData
	if errors.As(err, &de) {
		return fail(exitBadData, nil, "the pack is damaged: "+hintRedownload+"; nothing was run", "payload failed verification: %s", de.msg)
	}
	return fail(exitExtract, err, "check free space and permissions of the cache directory (PACK_CACHE_DIR)", "extraction failed")
}

// makeTempDir creates a new private directory; os.MkdirTemp's names are
// random enough here, and crypto/rand would cost the stub 150 KB.
func makeTempDir(parent, prefix string) (string, error) {
	return os.MkdirTemp(parent, prefix+"*")
}

// removeAll removes a tree even where the pack made directories read-only.
func removeAll(dir string) { removeUntil(dir, time.Time{}) }

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
