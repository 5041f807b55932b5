//go:build !purego

package sha256

import "golang.org/x/sys/cpu"

var useSHA2 = cpu.ARM64.HasSHA2

//go:noescape
func blockSHA2(dig *Digest, p []byte)

func block(dig *Digest, p []byte) {
	if useSHA2 {
		blockSHA2(dig, p)
	} else {
		blockGeneric(dig, p)
	}
}
