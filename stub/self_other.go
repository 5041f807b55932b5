//go:build !linux

package main

func openSelf(path string) (*pack, error) { return openPack(path) }
