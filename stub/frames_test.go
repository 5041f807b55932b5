package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// Payloads of several zstd frames, as docs/format.md section 4 describes
// them and as other writers may make them, decoded by readFrames with 1, 2
// and 4 workers: the bytes must be those of a sequential decoder, and every
// fault must surface in order, after the bytes of the frames before it.

var workerCounts = []int{1, 2, 4}

// testData is compressible text with runs of zeros (RLE blocks) and random
// stretches (raw blocks), n bytes.
func testData(n int) []byte {
	rnd := rand.New(rand.NewSource(int64(n)))
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		switch i % 3 {
		case 0:
			b.WriteString(strings.Repeat("line "+hex.EncodeToString([]byte{byte(i), byte(i >> 8)})+" of the tree\n", 1+i%50))
		case 1:
			b.Write(make([]byte, rnd.Intn(300<<10)))
		case 2:
			r := make([]byte, rnd.Intn(200<<10))
			rnd.Read(r)
			b.Write(r)
		}
	}
	return b.Bytes()[:n]
}

// encodeFrames cuts data into frames of frameSize bytes (one frame for all
// with frameSize 0), each compressed on its own with EncodeAll, which writes
// the content size and checksum as the packer does.
func encodeFrames(t testing.TB, data []byte, frameSize int, opts ...zstd.EOption) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil, append([]zstd.EOption{zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithZeroFrames(true)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if frameSize == 0 {
		frameSize = len(data) + 1
	}
	var out []byte
	for len(out) == 0 || len(data) > 0 {
		n := min(frameSize, len(data))
		out = enc.EncodeAll(data[:n], out)
		data = data[n:]
	}
	return out
}

// streamFrame is one frame without Frame_Content_Size (a streaming writer
// does not know it).
func streamFrame(t testing.TB, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := zstd.NewWriter(&out, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithZeroFrames(true))
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	w.Close()
	if out.Bytes()[4]&0xC0 != 0 || out.Bytes()[4]&0x20 != 0 {
		t.Fatalf("frame descriptor %#x has a content size", out.Bytes()[4])
	}
	return out.Bytes()
}

func skippableFrame(magicLow byte, content string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x184D2A50|uint32(magicLow))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(content)))
	return append(b, content...)
}

// sequential decodes comp with klauspost's decoder, one frame after another.
func sequential(t testing.TB, comp []byte) []byte {
	t.Helper()
	dec, err := zstd.NewReader(bytes.NewReader(comp), zstd.WithDecoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	out, err := io.ReadAll(dec)
	if err != nil {
		t.Fatalf("sequential decoding: %v", err)
	}
	return out
}

// decodeFrames reads comp (placed at an offset in a file, as a payload is)
// through readFrames with w workers, in small odd-sized reads.
func decodeFrames(comp []byte, w int) ([]byte, *frameReader, error) {
	file := append(bytes.Repeat([]byte("stub"), 100), comp...)
	file = append(file, "manifest"...)
	r := readFrames(bytes.NewReader(file), 400, int64(len(comp)), w)
	var out []byte
	buf := make([]byte, 77777)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, r, nil
		} else if err != nil {
			return out, r, err
		}
	}
}

func TestFramesDecodeLikeASequentialDecoder(t *testing.T) {
	text := testData(5 << 20)
	cases := map[string][]byte{
		"one frame":          encodeFrames(t, text, 0),
		"1 MiB frames":       encodeFrames(t, text, 1<<20),
		"odd-sized frames":   encodeFrames(t, text, 333333),
		"tiny frames":        encodeFrames(t, text[:100000], 1000),
		"without checksums":  encodeFrames(t, text, 1<<20, zstd.WithEncoderCRC(false)),
		"one empty frame":    encodeFrames(t, nil, 0),
		"empty frames among": concat(encodeFrames(t, nil, 0), encodeFrames(t, text[:1000], 0), encodeFrames(t, nil, 0), encodeFrames(t, nil, 0), encodeFrames(t, text[1000:3000], 0), encodeFrames(t, nil, 0)),
		"skippable frames": concat(skippableFrame(0, "first"), encodeFrames(t, text[:2<<20], 1<<20), skippableFrame(0xF, ""),
			skippableFrame(7, strings.Repeat("x", 3<<20)), encodeFrames(t, text[2<<20:], 1<<20), skippableFrame(1, "last")),
		"without content size": concat(streamFrame(t, text[:3<<20]), streamFrame(t, nil), encodeFrames(t, text[3<<20:4<<20], 0), streamFrame(t, text[4<<20:])),
		// Larger than a worker's buffers: streams with back-pressure.
		"frames larger than the buffers": encodeFrames(t, testData(21<<20), 10<<20),
	}
	for name, comp := range cases {
		want := sequential(t, comp)
		wantSum := sha256.Sum256(comp)
		for _, w := range workerCounts {
			got, r, err := decodeFrames(comp, w)
			if err != nil {
				t.Fatalf("%s, %d workers: %v", name, w, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, %d workers: %d bytes differ from the sequential decoder's %d", name, w, len(got), len(want))
			}
			if !bytes.Equal(r.sum, wantSum[:]) {
				t.Fatalf("%s, %d workers: sha256 %x, want %x", name, w, r.sum, wantSum)
			}
		}
	}
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// blockFrame is a frame by hand: no content size, a 1 KiB window, and one
// block with the given 3-byte header value and body.
func blockFrame(header uint32, body []byte) []byte {
	b := []byte{0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00, byte(header), byte(header >> 8), byte(header >> 16)}
	return append(b, body...)
}

func TestFramesRefuseDamageInOrder(t *testing.T) {
	text := testData(4 << 20)
	good := encodeFrames(t, text[:2<<20], 1<<20) // two frames whose bytes come out before the fault
	third := encodeFrames(t, text[2<<20:3<<20], 0)
	flipped := append([]byte(nil), third...)
	flipped[len(flipped)/2] ^= 0x40
	lastFrame := append(good[:len(good):len(good)], third...)
	cases := map[string]struct {
		comp []byte
		want string // in the error
	}{
		"truncated frame":          {concat(good, third[:len(third)-5]), "payload is truncated: its zstd frame at byte"},
		"truncated header":         {concat(good, third[:6]), "payload is truncated"},
		"truncated magic":          {concat(good, third[:3]), "payload is truncated"},
		"truncated skippable":      {concat(good, skippableFrame(2, "content")[:10]), "payload is truncated"},
		"garbage between frames":   {concat(good, []byte("garbage!"), third), "payload has no zstd frame at byte"},
		"garbage after the frames": {concat(lastFrame, []byte{0, 0, 0, 0, 0}), "payload has no zstd frame at byte"},
		"reserved block type":      {concat(good, blockFrame(1|3<<1|4<<3, []byte("abcd"))), "has a block of the reserved type"},
		"damaged frame":            {concat(good, flipped, encodeFrames(t, text[3<<20:], 0)), "payload frame at byte"},
		"frame shorter than its content size": {concat(good, func() []byte {
			f := encodeFrames(t, []byte("hello, world"), 0, zstd.WithSingleSegment(true))
			if f[4] != 0x24 {
				t.Fatalf("frame descriptor %#x: want a single segment with a 1-byte content size and a checksum", f[4])
			}
			f[5]++ // the content size
			return f
		}()), "payload frame at byte"},
	}
	for name, c := range cases {
		for _, w := range workerCounts {
			got, _, err := decodeFrames(c.comp, w)
			var de *errData
			if !errors.As(err, &de) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%s, %d workers: got error %v, want a data error with %q", name, w, err, c.want)
			}
			// Every byte of the frames before the fault came out first.
			if !bytes.HasPrefix(got, text[:2<<20]) {
				t.Fatalf("%s, %d workers: %d bytes before the error, not the first frames' %d", name, w, len(got), 2<<20)
			}
		}
	}
	for name, comp := range map[string][]byte{"empty payload": nil, "only skippable frames": skippableFrame(0, "x")} {
		if _, _, err := decodeFrames(comp, 2); err == nil || !strings.Contains(err.Error(), "holds no zstd frame") {
			t.Fatalf("%s: got %v", name, err)
		}
	}
}

// A worker's decoder must end exactly where the finder says its frame ends.
func TestFrameWorkerDecodesExactlyItsFrame(t *testing.T) {
	frame := encodeFrames(t, []byte(strings.Repeat("exactly ", 1000)), 0)
	file := concat(frame, frame)
	for name, size := range map[string]int64{"short": int64(len(frame)) - 1, "long": int64(len(frame)) + 3, "two frames": 2 * int64(len(frame))} {
		w := &frameWorker{jobs: make(chan [2]int64, 2), out: make(chan frameChunk, frameChunks+1), free: make(chan []byte, frameChunks)}
		w.jobs <- [2]int64{0, size}
		w.jobs <- [2]int64{0, -1}
		go w.run(bytes.NewReader(file), 0)
		var err error
		for c := range w.out {
			if c.err != nil {
				err = c.err
				break
			}
			if c.data != nil {
				w.free <- c.data[:cap(c.data)]
			}
		}
		var de *errData
		if name == "two frames" {
			if err != io.EOF {
				t.Fatalf("%s: %v", name, err) // two whole frames are still a sequence of frames
			}
		} else if !errors.As(err, &de) {
			t.Fatalf("%s: got %v, want a data error", name, err)
		}
	}
}

// walkFrames over a pack whose payload is several frames, as the packer
// writes it: the tree and the hash check are the same for any worker count.
func TestWalkFramesExtractsMultiFramePayload(t *testing.T) {
	big := testData(3 << 20)
	entries := []testEntry{fileEntry("run", 0o755, "#!/bin/sh\n"), fileEntry("a/big", 0o644, string(big)), {Path: "a", Type: "dir", Mode: 0o755}}
	for i := 0; i < 200; i++ {
		entries = append(entries, fileEntry("m/"+hex.EncodeToString([]byte{byte(i)}), 0o644, string(big[i*1000:i*1000+i*97])))
	}
	tarStream, unpacked := tarOf(t, entries)
	comp := encodeFrames(t, tarStream, 1<<20)
	for _, w := range workerCounts {
		p := framePack(t, comp, unpacked, len(entries), nil)
		got := map[string]string{}
		err := walkFrames(p, func(h *tarHeader, r io.Reader) error {
			b, err := io.ReadAll(r)
			got[h.Name] = string(b)
			return err
		}, w)
		if err != nil {
			t.Fatalf("%d workers: %v", w, err)
		}
		for _, e := range entries {
			if e.Type == "file" && got[e.Path] != string(e.Data) {
				t.Fatalf("%d workers: %s has %d bytes, want %d", w, e.Path, len(got[e.Path]), len(e.Data))
			}
		}
		// The same payload with one byte of the manifest's hash changed.
		p = framePack(t, comp, unpacked, len(entries), func(m *testManifest) { m.PayloadSHA256 = strings.Repeat("0", 64) })
		if err := walkFrames(p, func(*tarHeader, io.Reader) error { return nil }, w); err == nil || !strings.Contains(err.Error(), "payload sha256 is") {
			t.Fatalf("%d workers: wrong hash: got %v", w, err)
		}
	}
	// A damaged frame in the middle: the entries before it are handed out,
	// then extraction fails with a data error.
	damaged := append([]byte(nil), comp...)
	third := frameOffsets(t, comp)[2]
	damaged[third+100] ^= 0xFF
	for _, w := range workerCounts {
		var seen int
		err := walkFrames(framePack(t, damaged, unpacked, len(entries), nil), func(h *tarHeader, r io.Reader) error {
			seen++
			_, err := io.Copy(io.Discard, r)
			return err
		}, w)
		var de *errData
		if !errors.As(err, &de) || seen < 2 {
			t.Fatalf("%d workers: %d entries, then %v; want the first entries, then a data error", w, seen, err)
		}
	}
}

// tarOf is the tar stream packwriter_test's payload builds, uncompressed.
func tarOf(t testing.TB, entries []testEntry) ([]byte, uint64) {
	t.Helper()
	comp, unpacked := payload(t, entries)
	return sequential(t, comp), unpacked
}

func framePack(t *testing.T, comp []byte, unpacked uint64, count int, mutate func(*testManifest)) *pack {
	t.Helper()
	sum := sha256.Sum256(comp)
	m := baseManifest("run")
	m.PayloadSHA256, m.PayloadSize, m.UnpackedSize, m.FileCount = hex.EncodeToString(sum[:]), uint64(len(comp)), unpacked, uint64(count)
	if mutate != nil {
		mutate(&m)
	}
	mb, _ := json.Marshal(m)
	return openTestPack(t, assemble([]byte("stub"), comp, mb, true))
}

// frameOffsets lists where comp's frames start, found by a sequential scan.
func frameOffsets(t testing.TB, comp []byte) []int {
	t.Helper()
	s := &frameScanner{r: bytes.NewReader(comp), hash: sha256.New(), buf: make([]byte, 1<<16)}
	var offs []int
	for {
		off, _, err := s.next()
		if err == io.EOF {
			return offs
		} else if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, int(off))
	}
}
