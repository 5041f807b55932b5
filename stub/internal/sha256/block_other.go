//go:build (!amd64 && !arm64) || purego

package sha256

func block(dig *Digest, p []byte) { blockGeneric(dig, p) }
