package content

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func newTestCodec(t testing.TB, fill byte) *Codec {
	t.Helper()
	c, err := NewCodec(bytes.Repeat([]byte{fill}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCodecRoundTrip(t *testing.T) {
	c := newTestCodec(t, 1)
	random := make([]byte, 100<<10)
	rand.Read(random)
	for name, plain := range map[string][]byte{
		"empty":       {},
		"one byte":    {'x'},
		"message":     []byte(`{"role":"user","content":"hello"}`),
		"random":      random,
		"claude code": claudeCodeBody(700 << 10),
	} {
		t.Run(name, func(t *testing.T) {
			id := c.Hash(plain)
			sealed, err := c.Seal(id, plain)
			if err != nil {
				t.Fatal(err)
			}
			if sealed[0] != 1 {
				t.Fatalf("version byte %d, want 1", sealed[0])
			}
			if len(plain) > 64 && bytes.Contains(sealed, plain[:64]) {
				t.Fatal("sealed blob holds the plain text")
			}
			got, err := c.Open(id, sealed)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatalf("Open gave %d bytes, want the %d sealed", len(got), len(plain))
			}
			again, _ := c.Seal(id, plain)
			if bytes.Equal(again, sealed) {
				t.Fatal("two seals are identical: the nonce is not random")
			}
		})
	}
}

func TestCodecRefuses(t *testing.T) {
	c := newTestCodec(t, 1)
	plain := []byte(`{"role":"user","content":"the secret plan"}`)
	id := c.Hash(plain)
	sealed, _ := c.Seal(id, plain)
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return b
	}
	for name, tc := range map[string]struct {
		codec      *Codec
		id, sealed []byte
	}{
		"wrong key":         {newTestCodec(t, 2), id, sealed},
		"wrong id":          {c, c.Hash([]byte("other")), sealed},
		"tampered version":  {c, id, flip(0)},
		"tampered nonce":    {c, id, flip(3)},
		"tampered body":     {c, id, flip(len(sealed) / 2)},
		"tampered tag":      {c, id, flip(len(sealed) - 1)},
		"truncated":         {c, id, sealed[:len(sealed)-1]},
		"too short":         {c, id, sealed[:20]},
		"empty":             {c, id, nil},
		"unsealed zstd":     {c, id, zstdOf(plain)},
		"sealed, then more": {c, id, append(bytes.Clone(sealed), 0)},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := tc.codec.Open(tc.id, tc.sealed)
			if !errors.Is(err, ErrCannotOpen) {
				t.Fatalf("Open = %q, %v; want ErrCannotOpen", got, err)
			}
			if got != nil {
				t.Fatal("Open returned data with its error")
			}
		})
	}
}

func zstdOf(b []byte) []byte {
	enc, _ := zstd.NewWriter(nil)
	return enc.EncodeAll(b, nil)
}

func TestCodecSizeLimit(t *testing.T) {
	c := newTestCodec(t, 1)
	if _, err := c.Seal(nil, make([]byte, MaxBlobSize+1)); err == nil {
		t.Fatal("Seal took more than MaxBlobSize")
	}
	// A blob sealed by a codec without the limit does not decompress past it.
	huge := make([]byte, MaxBlobSize+1)
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderCRC(false))
	z := enc.EncodeAll(huge, nil)
	sealed := append([]byte{sealVersion}, make([]byte, nonceSize)...)
	sealed = c.aead.Seal(sealed, sealed[1:headSize], z, additionalData(sealVersion, nil))
	if _, err := c.Open(nil, sealed); err == nil || errors.Is(err, ErrCannotOpen) {
		t.Fatalf("Open of a %d-byte blob: %v, want a size error", len(huge), err)
	}
}

func TestCodecHashIsKeyed(t *testing.T) {
	a, b := newTestCodec(t, 1), newTestCodec(t, 2)
	plain := []byte("same content")
	if len(a.Hash(plain)) != 32 {
		t.Fatalf("hash is %d bytes, want 32", len(a.Hash(plain)))
	}
	if !bytes.Equal(a.Hash(plain), newTestCodec(t, 1).Hash(plain)) {
		t.Fatal("hash not stable under one key")
	}
	if bytes.Equal(a.Hash(plain), b.Hash(plain)) {
		t.Fatal("two keys give the same hash")
	}
	if bytes.Equal(a.Hash(plain), a.Hash([]byte("other content"))) {
		t.Fatal("two contents give the same hash")
	}
}

func TestCodecKeyID(t *testing.T) {
	a := newTestCodec(t, 1)
	if id := a.KeyID(); len(id) != 16 || id != newTestCodec(t, 1).KeyID() {
		t.Fatalf("KeyID %q: want 16 hex digits, stable for a key", id)
	}
	if a.KeyID() == newTestCodec(t, 2).KeyID() {
		t.Fatal("two keys have one KeyID")
	}
	// Fixed values: every stored id and blob depends on the key derivation.
	if got := a.KeyID(); got != fixedKeyID {
		t.Fatalf("KeyID of key 0x01… = %s, want %s (was the key derivation changed?)", got, fixedKeyID)
	}
	if got := fmt.Sprintf("%x", a.Hash([]byte("nexus"))); got != fixedHash {
		t.Fatalf("Hash(nexus) under key 0x01… = %s, want %s (was the key derivation changed?)", got, fixedHash)
	}
}

// Computed independently: HKDF-Expand(key, label, n) = HMAC-SHA256(key, label || 0x01)[:n].
const (
	fixedKeyID = "7bc535e82f70facc"
	fixedHash  = "012f878d10edf589b2de0cd0f0e4f0e0f1062b4f4443be996d51849d56a2358b"
)

func TestNewCodecKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewCodec(make([]byte, n)); err == nil {
			t.Errorf("NewCodec took a %d-byte key", n)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	c := newTestCodec(b, 1)
	body := claudeCodeBody(700 << 10)
	p, _ := Split(body)
	for name, plain := range map[string][]byte{"700KB body": body, "tools": p.Tools, "message": p.Messages[len(p.Messages)/2]} {
		b.Run(name, func(b *testing.B) {
			id := c.Hash(plain)
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			var sealed []byte
			for b.Loop() {
				sealed, _ = c.Seal(id, plain)
			}
			b.ReportMetric(float64(len(plain))/float64(len(sealed)), "ratio")
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	c := newTestCodec(b, 1)
	plain := claudeCodeBody(700 << 10)
	id := c.Hash(plain)
	sealed, _ := c.Seal(id, plain)
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Open(id, sealed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	c := newTestCodec(b, 1)
	plain := claudeCodeBody(700 << 10)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		c.Hash(plain)
	}
}

// BenchmarkLevels compares zstd levels on a Claude Code body, whole and split into the
// pieces the store keeps: the speed/size trade-off behind the Codec's choice.
func BenchmarkLevels(b *testing.B) {
	body := claudeCodeBody(700 << 10)
	p, _ := Split(body)
	pieces := append([][]byte{p.Template, p.System, p.Tools}, p.Messages...)
	for _, level := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression, zstd.SpeedBestCompression} {
		enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderCRC(false))
		b.Run(level.String()+"/whole", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			var z []byte
			for b.Loop() {
				z = enc.EncodeAll(body, z[:0])
			}
			b.ReportMetric(float64(len(body))/float64(len(z)), "ratio")
		})
		b.Run(level.String()+"/pieces", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			var z []byte
			n := 0
			for b.Loop() {
				n = 0
				for _, piece := range pieces {
					z = enc.EncodeAll(piece, z[:0])
					n += len(z)
				}
			}
			b.ReportMetric(float64(len(body))/float64(n), "ratio")
		})
	}
}
