package main

// crc32IEEE is CRC-32 (IEEE 802.3, zlib's crc32) of b, bit by bit: the stub
// checks at most 1 MiB of manifest once per start, and hash/crc32's tables
// and assembly would cost every stub 8 KB.
func crc32IEEE(b []byte) uint32 {
	crc := ^uint32(0)
	for _, c := range b {
		crc ^= uint32(c)
		for i := 0; i < 8; i++ {
			crc = crc>>1 ^ 0xedb88320&-(crc&1)
		}
	}
	return ^crc
}
