package zstd

import (
	"bytes"
	"io"
	"math/rand"
	"testing"

	kzstd "github.com/klauspost/compress/zstd"
)

// samples returns inputs that exercise the decoder's paths: incompressible
// bytes (raw literals), text (Huffman literals, long matches), short-period
// repeats (overlapping matches), runs (RLE), and mixtures across blocks.
func samples() map[string][]byte {
	rng := rand.New(rand.NewSource(1))
	random := func(n int) []byte { b := make([]byte, n); rng.Read(b); return b }
	words := []string{"the ", "pack ", "stub ", "function ", "return ", "const ", "{\n", "}\n", "import ", "zstd ", "0", "1"}
	text := func(n int) []byte {
		var b bytes.Buffer
		for b.Len() < n {
			b.WriteString(words[rng.Intn(len(words))])
		}
		return b.Bytes()[:n]
	}
	periodic := func(n, period int) []byte {
		p := random(period)
		b := make([]byte, n)
		for i := range b {
			b[i] = p[i%period]
		}
		return b
	}
	mixed := func(n int) []byte {
		var b []byte
		for len(b) < n {
			switch rng.Intn(4) {
			case 0:
				b = append(b, random(rng.Intn(5000))...)
			case 1:
				b = append(b, text(rng.Intn(50000))...)
			case 2:
				b = append(b, periodic(rng.Intn(3000), 1+rng.Intn(20))...)
			case 3:
				if len(b) > 0 { // a far repeat of earlier output
					start := rng.Intn(len(b))
					end := start + rng.Intn(len(b)-start)
					b = append(b, b[start:end]...)
				}
			}
		}
		return b[:n]
	}
	s := map[string][]byte{
		"empty":    {},
		"one":      {42},
		"random":   random(300 << 10),
		"text":     text(1 << 20),
		"period1":  periodic(200<<10, 1),
		"period3":  periodic(200<<10, 3),
		"period7":  periodic(200<<10, 7),
		"period13": periodic(200<<10, 13),
		"mixed":    mixed(3 << 20),
	}
	for i := 0; i < 20; i++ {
		s["small"+string(rune('a'+i))] = mixed(1 + rng.Intn(2000))
	}
	return s
}

func encode(t testing.TB, data []byte, level kzstd.EncoderLevel, opts ...kzstd.EOption) []byte {
	opts = append([]kzstd.EOption{kzstd.WithEncoderLevel(level), kzstd.WithEncoderCRC(true), kzstd.WithEncoderConcurrency(1)}, opts...)
	enc, err := kzstd.NewWriter(nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeAll(data, nil)
}

func decodeAll(compressed []byte) ([]byte, error) {
	return io.ReadAll(NewReader(bytes.NewReader(compressed)))
}

func TestDecodeMatchesEncoder(t *testing.T) {
	levels := []kzstd.EncoderLevel{kzstd.SpeedFastest, kzstd.SpeedDefault, kzstd.SpeedBetterCompression, kzstd.SpeedBestCompression}
	for name, data := range samples() {
		for _, level := range levels {
			for _, window := range []int{1 << 10, 1 << 17, 1 << 22} {
				c := encode(t, data, level, kzstd.WithWindowSize(window))
				got, err := decodeAll(c)
				if err != nil {
					t.Fatalf("%s level %v window %d: %v", name, level, window, err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("%s level %v window %d: decoded %d bytes that differ from the %d encoded", name, level, window, len(got), len(data))
				}
			}
		}
	}
}

// Frames are independent and concatenated; skippable frames are ignored;
// a frame without a content size streams.
func TestDecodeFrameSequence(t *testing.T) {
	s := samples()
	var c, want []byte
	for _, name := range []string{"text", "random", "empty", "mixed", "period3"} {
		c = append(c, encode(t, s[name], kzstd.SpeedDefault)...)
		c = append(c, 0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3) // skippable
		want = append(want, s[name]...)
	}
	enc, _ := kzstd.NewWriter(nil, kzstd.WithEncoderConcurrency(1))
	var streamed bytes.Buffer
	enc.Reset(&streamed)
	enc.Write(s["mixed"])
	enc.Close()
	c = append(c, streamed.Bytes()...)
	want = append(want, s["mixed"]...)
	got, err := decodeAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("decoded %d bytes that differ from the %d encoded", len(got), len(want))
	}
}

// Damage anywhere is an error or, where zstd cannot tell, different bytes;
// never a panic or a hang.
func TestDecodeDamaged(t *testing.T) {
	data := samples()["mixed"][:400<<10]
	c := encode(t, data, kzstd.SpeedBetterCompression)
	rng := rand.New(rand.NewSource(2))
	detected := 0
	for i := 0; i < 300; i++ {
		d := append([]byte(nil), c...)
		d[rng.Intn(len(d))] ^= byte(1 + rng.Intn(255))
		got, err := decodeAll(d)
		if err != nil || !bytes.Equal(got, data) {
			detected++
		}
	}
	if detected != 300 {
		t.Fatalf("%d of 300 single-byte corruptions went unnoticed (the frame has a checksum)", 300-detected)
	}
	for _, n := range []int{0, 1, 4, 5, 8, len(c) / 2, len(c) - 1} {
		if _, err := decodeAll(c[:n]); err == nil && n > 0 {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(c))
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, data := range samples() {
		if len(data) < 100<<10 {
			f.Add(encode(f, data, kzstd.SpeedDefault, kzstd.WithEncoderCRC(false)), data)
		}
	}
	ref, _ := kzstd.NewReader(nil, kzstd.WithDecoderConcurrency(1), kzstd.IgnoreChecksum(true))
	f.Fuzz(func(t *testing.T, compressed, plain []byte) {
		// Arbitrary input must not panic, and where both this decoder and
		// klauspost's accept it, they must agree (the mutations of the
		// seeds are damaged streams that still parse); a valid encoding
		// must round-trip.
		got, err := io.ReadAll(NewReader(bytes.NewReader(compressed)))
		if want, refErr := ref.DecodeAll(compressed, nil); err == nil && refErr == nil && !bytes.Equal(got, want) {
			t.Fatalf("decoded %d bytes, klauspost/compress %d, and they differ", len(got), len(want))
		}
		c := encode(t, plain, kzstd.SpeedFastest)
		got, err = decodeAll(c)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip of %d bytes: %v", len(plain), err)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	data := samples()["mixed"]
	c := encode(b, data, kzstd.SpeedBetterCompression)
	b.SetBytes(int64(len(data)))
	r := NewReader(nil)
	for i := 0; i < b.N; i++ {
		r.Reset(bytes.NewReader(c))
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
