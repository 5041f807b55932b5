module github.com/pack-action/pack-action/stub

go 1.26.0

toolchain go1.26.8

require golang.org/x/sys v0.49.0

require github.com/klauspost/compress v1.20.3
