//go:build amd64 || arm64

package zstd

// prefetch asks the CPU to load the cache line at p, without waiting for
// it: Go has no portable way to say so, and a plain load would stall.
//
//go:noescape
func prefetch(p *byte)
