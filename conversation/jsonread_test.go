package conversation

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestPlainWord checks the eight-byte test of strRaw against the byte table: each byte value
// at each position among plain bytes, and random words.
func TestPlainWord(t *testing.T) {
	want := func(w []byte) bool {
		for _, c := range w {
			if !plain[c] {
				return false
			}
		}
		return true
	}
	w := make([]byte, 8)
	for c := range 256 {
		for pos := range 8 {
			for i := range w {
				w[i] = 'a'
			}
			w[pos] = byte(c)
			if got := plainWord(binary.LittleEndian.Uint64(w)); got != want(w) {
				t.Fatalf("%q: plainWord %v", w, got)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		x := rng.Uint64()
		binary.LittleEndian.PutUint64(w, x)
		if got := plainWord(x); got != want(w) {
			t.Fatalf("%q: plainWord %v", w, got)
		}
	}
}
