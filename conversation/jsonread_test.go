package conversation

import (
	"math/rand/v2"
	"testing"
)

// TestStringRun checks the eight-bytes-at-a-time scan of strRaw against a byte-by-byte
// reading: each byte value at each position of a run of plain bytes, and random texts of
// every length up to 40 from a few bytes that matter.
func TestStringRun(t *testing.T) {
	want := func(b []byte, i int) (int, bool) {
		high := false
		for ; i < len(b); i++ {
			if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
				break
			} else if c >= 0x80 {
				high = true
			}
		}
		return i, high
	}
	check := func(b []byte, from int) {
		t.Helper()
		end, high := StringRun(b, from)
		if wantEnd, wantHigh := want(b, from); end != wantEnd || high != wantHigh {
			t.Fatalf("StringRun(%q, %d) = %d, %v; want %d, %v", b, from, end, high, wantEnd, wantHigh)
		}
	}
	b := make([]byte, 19)
	for c := range 256 {
		for pos := range b {
			for i := range b {
				b[i] = 'a'
			}
			b[pos] = byte(c)
			for from := range 4 {
				check(b, from)
			}
		}
	}
	alphabet := []byte{'a', ' ', '"', '\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xc3, 0xa9, 0xff, '!', '#', '[', ']'}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300_000 {
		b := make([]byte, rng.IntN(41))
		for i := range b {
			// Mostly plain text, as in a body.
			if rng.IntN(8) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[i] = byte(0x20 + rng.IntN(0x60))
			}
		}
		check(b, rng.IntN(len(b)+1))
	}
}
