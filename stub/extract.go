package main

import (
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// errData marks a failure caused by the payload's content (as opposed to the
// disk): the pack is damaged or was not written by a conforming packer.
type errData struct{ msg string }

func (e *errData) Error() string { return e.msg }

func dataErrorf(format string, args ...any) error {
	return &errData{msg: sprintf(format, args...)}
}

// extractStats is what an extraction found, checked against the manifest.
type extractStats struct {
	files        uint64 // tar entries
	unpackedSize uint64 // bytes of regular files
}

// extractPayload unpacks the payload into dest (an empty, private directory)
// while hashing the compressed bytes, and checks the hash, the sizes and the
// entry rules of docs/format.md section 4. On error dest may hold a partial
// tree; the caller removes it.
func extractPayload(p *pack, dest string) error {
	_, err := extractSampled(p, dest)
	return err
}

// extractSampled is extractPayload that also returns the files the
// completion marker samples.
func extractSampled(p *pack, dest string) ([]sampleFile, error) {
	m := p.manifest
	x := &extractor{dest: dest, seen: map[string]bool{}, links: map[string]bool{}, made: map[string]bool{dest: true},
		umask: processUmask(), buf: make([]byte, 256<<10),
		command: m.Command, stride: m.FileCount/maxSamples + 1}
	err := walkPayload(p, x.entry)
	if err != nil {
		return nil, err
	}
	if x.stats.files != m.FileCount || x.stats.unpackedSize != m.UnpackedSize {
		return nil, dataErrorf("payload has %d entries and %d bytes, the manifest says %d and %d",
			x.stats.files, x.stats.unpackedSize, m.FileCount, m.UnpackedSize)
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	fi, err := os.Stat(filepath.Join(dest, filepath.FromSlash(m.Command)))
	if err != nil || !fi.Mode().IsRegular() {
		return nil, dataErrorf("command %q is not a file in the payload", m.Command)
	}
	return x.samples, nil
}

// walkPayload decompresses the payload and hands each tar entry to fn while
// hashing the compressed bytes; it fails if the hash is not the manifest's.
func walkPayload(p *pack, fn func(*tarHeader, io.Reader) error) error {
	// As many frames at once as the stub may run threads (GOMAXPROCS is at
	// least 1), up to 4.
	return walkFrames(p, fn, min(runtime.GOMAXPROCS(0), maxFrameWorkers))
}

// walkFrames is walkPayload decoding up to workers frames at once.
func walkFrames(p *pack, fn func(*tarHeader, io.Reader) error, workers int) error {
	dec := readFrames(p.file, int64(p.layout.payloadOffset), int64(p.layout.payloadSize), workers)
	tr := newTarReader(dec)
	// The hash is known only at the end: until then, hold the stream to the
	// manifest's counts, so a damaged or hostile payload cannot make the stub
	// write (or read) more than the pack claims to hold.
	m := p.manifest
	var entries, unpacked uint64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return dataErrorf("payload is not a valid zstd tar stream: %v", err)
		}
		if entries++; entries > m.FileCount {
			return dataErrorf("payload has more than the %d entries the manifest says", m.FileCount)
		}
		if hdr.Typeflag == typeReg || hdr.Typeflag == typeRegA {
			if unpacked += uint64(hdr.Size); hdr.Size < 0 || unpacked > m.UnpackedSize {
				return dataErrorf("payload holds more than the %d bytes the manifest says", m.UnpackedSize)
			}
		}
		if err := fn(hdr, tr); err != nil {
			return err
		}
	}
	// Read the rest of the stream, up to the finder's end, so that every
	// payload byte is hashed; after the tar's end only its padding may follow.
	if n, err := io.Copy(io.Discard, io.LimitReader(dec, maxTarTail+1)); err != nil {
		return dataErrorf("payload is not a valid zstd stream: %v", err)
	} else if n > maxTarTail {
		return dataErrorf("payload continues after the end of its tar stream")
	}
	if got := hexString(dec.sum); got != p.manifest.PayloadSHA256 {
		return dataErrorf("payload sha256 is %s, the manifest says %s", got, p.manifest.PayloadSHA256)
	}
	return nil
}

// maxTarTail is how much may follow a tar's end-of-archive marker: writers
// pad to a record (10 KiB by default); 1 MiB leaves room for any record size.
const maxTarTail = 1 << 20

// dataReader marks errors reading the payload as data errors, so that a
// damaged stream is not reported as a disk failure.
type dataReader struct{ r io.Reader }

func (d dataReader) Read(b []byte) (int, error) {
	n, err := d.r.Read(b)
	if err != nil && err != io.EOF {
		err = dataErrorf("payload is damaged: %v", err)
	}
	return n, err
}

type extractor struct {
	dest   string
	stats  extractStats
	seen   map[string]bool
	links  map[string]bool // symlinks created so far: nothing is written through them
	dirs   []dirMode       // directories whose mode the umask cut, set again at the end
	made   map[string]bool // directories known to exist: no MkdirAll for their entries
	umask  os.FileMode
	copies []linkCopy // symlinks Windows would not create, done as copies at the end
	buf    []byte

	command    string
	stride     uint64 // sample one file every stride entries
	nextSample uint64
	samples    []sampleFile
}

type dirMode struct {
	path string
	mode os.FileMode
}

type linkCopy struct{ link, target string }

func (x *extractor) entry(hdr *tarHeader, r io.Reader) error {
	name := hdr.Name
	if hdr.Typeflag == typeDir {
		name = strings.TrimSuffix(name, "/")
	}
	if err := checkEntryName(name); err != nil {
		return dataErrorf("payload entry %q: %v", hdr.Name, err)
	}
	if x.seen[name] {
		return dataErrorf("payload entry %q appears twice", name)
	}
	x.seen[name] = true
	// Never write through a symlink of the tree: a link that is harmless on
	// its own ("a" -> ".") could otherwise carry a later entry outside.
	for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
		if x.links[dir] {
			return dataErrorf("payload entry %q is inside the symlink %q", name, dir)
		}
	}
	// Every system call counts with 20,000 small files: entries come after
	// their directory, so MkdirAll (which stats) is for the odd tar without.
	target := filepath.Join(x.dest, filepath.FromSlash(name))
	if parent := filepath.Dir(target); !x.made[parent] {
		if err := os.MkdirAll(parent, 0o700); err != nil {
			return err
		}
		x.made[parent] = true
	}
	x.stats.files++
	switch hdr.Typeflag {
	case typeReg, typeRegA:
		if hdr.Size < 0 {
			return dataErrorf("payload entry %q has a negative size", name)
		}
		x.stats.unpackedSize += uint64(hdr.Size)
		x.sample(name, hdr.Size)
		return x.file(target, os.FileMode(hdr.Mode)&0o777|0o600, hdr.Size, r)
	case typeDir:
		mode := os.FileMode(hdr.Mode)&0o777 | 0o700
		if err := os.Mkdir(target, mode); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		} else if err != nil || mode&x.umask != 0 {
			x.dirs = append(x.dirs, dirMode{target, mode})
		}
		x.made[target] = true
		return nil
	case typeSymlink:
		if err := checkLinkTarget(name, hdr.Linkname); err != nil {
			return dataErrorf("payload symlink %q -> %q: %v", name, hdr.Linkname, err)
		}
		x.links[name] = true
		if err := os.Symlink(filepath.FromSlash(hdr.Linkname), target); err != nil {
			if runtime.GOOS == "windows" {
				// Creating symlinks needs a privilege or developer mode.
				x.copies = append(x.copies, linkCopy{target, filepath.Join(filepath.Dir(target), filepath.FromSlash(hdr.Linkname))})
				return nil
			}
			return err
		}
		return nil
	default:
		return dataErrorf("payload entry %q has type %q: only files, directories and symlinks are allowed", name, hdr.Typeflag)
	}
}

// sample picks the command and up to maxSamples files spread over the tree
// for the completion marker: the warm start checks them (checkInstance).
func (x *extractor) sample(name string, size int64) {
	if name != x.command && (x.stats.files < x.nextSample || len(x.samples) >= maxSamples) || strings.Contains(name, "\n") {
		return
	}
	x.samples = append(x.samples, sampleFile{name, size})
	if name != x.command {
		x.nextSample = x.stats.files + x.stride
	}
}

func (x *extractor) file(target string, mode os.FileMode, size int64, r io.Reader) error {
	f, err := createFile(target, mode)
	if err != nil {
		return err
	}
	n, err := io.CopyBuffer(f, dataReader{io.LimitReader(r, size)}, x.buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != size {
		return dataErrorf("payload entry %q is truncated", target)
	}
	if mode&x.umask != 0 { // the umask removed bits the pack asked for
		return os.Chmod(target, mode)
	}
	return nil
}

// finish copies the symlinks Windows refused, then sets directory modes,
// deepest first, so read-only directories did not block their contents.
func (x *extractor) finish() error {
	for _, c := range x.copies {
		if err := copyTree(c.target, c.link); err != nil {
			return errorf("copying %s for a symlink: %w", c.target, err)
		}
	}
	for i := len(x.dirs) - 1; i >= 0; i-- {
		if err := os.Chmod(x.dirs[i].path, x.dirs[i].mode); err != nil {
			return err
		}
	}
	return nil
}

// checkLinkTarget allows only relative targets that stay inside the tree
// when resolved against the link's directory.
func checkLinkTarget(name, target string) error {
	switch {
	case target == "":
		return errors.New("empty target")
	case strings.HasPrefix(target, "/") || strings.ContainsAny(target, "\\:\x00"):
		return errors.New("absolute or non-portable target")
	}
	resolved := path.Join(path.Dir(name), target)
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return errors.New("target leaves the tree")
	}
	return nil
}

func copyTree(src, dst string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		if err := os.MkdirAll(dst, 0o700); err != nil {
			return err
		}
		names, err := readDirNames(src, -1)
		if err != nil {
			return err
		}
		for _, name := range names {
			if err := copyTree(filepath.Join(src, name), filepath.Join(dst, name)); err != nil {
				return err
			}
		}
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm()|0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
