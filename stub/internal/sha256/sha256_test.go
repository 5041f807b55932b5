package sha256

import (
	"bytes"
	stdsha "crypto/sha256"
	"testing"
)

// The copy must agree with crypto/sha256 on every length around the block
// and assembly-chunk boundaries.
func TestMatchesStandardLibrary(t *testing.T) {
	data := make([]byte, 3*maxAsmSize+200)
	for i := range data {
		data[i] = byte(i*7 + i>>8)
	}
	for _, n := range []int{0, 1, 55, 56, 63, 64, 65, 119, 127, 128, 1000, maxAsmSize - 1, maxAsmSize, maxAsmSize + 1, len(data)} {
		want := stdsha.Sum256(data[:n])
		h := New()
		// Write in uneven pieces to exercise the partial-block buffer.
		for off := 0; off < n; {
			step := 1 + (off*13)%97
			if off+step > n {
				step = n - off
			}
			h.Write(data[off : off+step])
			off += step
		}
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("length %d: got %x, want %x", n, got, want)
		}
	}
}

func BenchmarkBlock(b *testing.B) {
	data := make([]byte, 1<<20)
	b.SetBytes(int64(len(data)))
	h := New()
	for i := 0; i < b.N; i++ {
		h.Write(data)
	}
}
