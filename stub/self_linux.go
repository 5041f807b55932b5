package main

// openSelf opens the running pack through /proc/self/exe: the file this
// process was started from, even if the path has since been replaced.
func openSelf(path string) (*pack, error) {
	f, err := openShared("/proc/self/exe")
	if err != nil {
		return openPack(path)
	}
	p, err := readPack(f, path)
	if err != nil {
		f.Close()
	}
	return p, err
}
