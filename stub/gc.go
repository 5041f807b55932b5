package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// The cleaner removes what no process uses from a per-id directory: instance
// directories of other versions and temporary directories (crashed
// extractions, replaced damaged trees). A version is in use while someone
// holds its lock file <version>-<hash12>.lock; the cleaner takes it
// exclusively without waiting, so it never touches a running version, and
// it never touches data/.

const (
	gcStamp  = ".gc-stamp" // its mtime: when the cleaner last ran at a start
	gcEvery  = 24 * time.Hour
	gcBudget = 50 * time.Millisecond // at start: never delay the program noticeably
)

// collectAtStart runs the cleaner at most once a day per id, bounded in
// time. On other starts it costs one stat.
func collectAtStart(d dirs, keep string) {
	stamp := filepath.Join(d.idDir, gcStamp)
	now := time.Now()
	if fi, err := os.Stat(stamp); err == nil {
		if age := now.Unix() - fi.ModTime().Unix(); age < int64(gcEvery/time.Second) && age > -3600 {
			return
		}
	}
	// Claim the day first, so that concurrent starts do not all collect.
	if os.WriteFile(stamp, nil, 0o600) == nil {
		collect(d.idDir, keep, now.Add(gcBudget))
	}
}

// collect removes from idDir what no one holds, except the instance named
// keep, and stops at deadline (zero: none); a later run finishes. It
// returns the names it removed.
func collect(idDir, keep string, deadline time.Time) []string {
	names, _ := readDirNames(idDir, -1)
	var removed []string
	for _, n := range names {
		if !deadline.IsZero() && time.Now().After(deadline) {
			break
		}
		if _, err := os.Lstat(filepath.Join(idDir, n)); err != nil {
			continue // removed earlier in this pass, with its instance
		}
		name, temp := n, strings.HasPrefix(n, ".tmp-")
		if temp { // .tmp-<version>-<hash12>-<random>
			name = n[:strings.LastIndexByte(n, '-')+1]
			name = strings.TrimSuffix(strings.TrimPrefix(name, ".tmp-"), "-")
		} else if strings.HasSuffix(n, ".lock") {
			name = strings.TrimSuffix(n, ".lock")
			if _, err := os.Lstat(filepath.Join(idDir, name)); err == nil || runtime.GOOS == "windows" {
				continue // goes with its instance directory; Windows keeps lock files
			}
		}
		if !instanceLike(name) || name == keep && !temp {
			continue // not ours (data/, a user's file), or in use by this pack
		}
		lockPath := filepath.Join(idDir, name+".lock")
		lk, err := openLock(lockPath)
		if err != nil {
			continue
		}
		if ok, _ := lk.tryLockExclusive(); ok && !lk.stale(lockPath) && removeUnder(idDir, n, deadline) {
			removed = append(removed, n)
			// The lock file goes last, while we hold it: a start that opened
			// it meanwhile notices (fileLock.stale). Windows keeps it: a
			// deleted file still open there blocks new opens.
			if !temp && runtime.GOOS != "windows" && os.Remove(lockPath) == nil && n != name+".lock" {
				removed = append(removed, name+".lock")
			}
		}
		lk.close()
	}
	return removed
}

// removeUnder removes idDir/n. An instance directory is first renamed into
// a temporary directory, so no start sees it half deleted (on Windows the
// rename also fails while a detached program runs from it); a deletion cut
// short by the deadline is then finished by a later run.
func removeUnder(idDir, n string, deadline time.Time) bool {
	path := filepath.Join(idDir, n)
	if strings.HasSuffix(n, ".lock") {
		return true // removed by the caller, last
	}
	if !strings.HasPrefix(n, ".") {
		if inUse(path) {
			return false
		}
		aside, err := makeTempDir(idDir, ".tmp-"+n+"-")
		if err != nil {
			return false
		}
		if err := os.Rename(path, filepath.Join(aside, "old")); err != nil {
			os.Remove(aside)
			return false
		}
		path = aside
	}
	removeUntil(path, deadline)
	_, err := os.Lstat(path)
	return os.IsNotExist(err)
}

// instanceLike reports whether name is <version>-<12 lowercase hex digits>.
func instanceLike(name string) bool {
	i := len(name) - 13
	return i > 0 && name[i] == '-' && validVersion(name[:i]) && allOf(name[i+1:], 12, 12, func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' })
}

// removeUntil deletes a tree, even where the pack made directories
// read-only, and stops at deadline (zero: none).
func removeUntil(path string, deadline time.Time) {
	if !deadline.IsZero() && time.Now().After(deadline) || os.Remove(path) == nil {
		return
	}
	if fi, err := os.Lstat(path); err != nil || !fi.IsDir() {
		return
	}
	os.Chmod(path, 0o700)
	names, _ := readDirNames(path, -1)
	for _, n := range names {
		removeUntil(filepath.Join(path, n), deadline)
	}
	os.Remove(path)
}
