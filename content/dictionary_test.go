package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// TestDictionaryIsUnchanged pins the dictionary: blobs sealed with it do not open without
// the same bytes, so an edit would make every stored message unreadable. A new dictionary is
// a new file under a new id (see dictionary).
func TestDictionaryIsUnchanged(t *testing.T) {
	const want = "66fb5a0fac652f1960aae3af8c3be81fb89e01620aefec52bee4e27f446c505b"
	if got := sha256.Sum256(dictionary); hex.EncodeToString(got[:]) != want || dictionaryID != 0x4e580001 {
		t.Fatalf("the zstd dictionary changed (sha256 %x, id %#x): blobs sealed with it would not open", got, dictionaryID)
	}
}

// TestDictionaryShrinksSmallBlobs seals the pieces of captured Claude Code traffic (the golden
// corpus: system prompts, tool lists, messages and streamed answers) and compares them with
// zstd without the dictionary at the level large blobs get.
func TestDictionaryShrinksSmallBlobs(t *testing.T) {
	c := newTestCodec(t, 1)
	plainZstd, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderCRC(false))
	overhead := headSize + c.aead.Overhead()
	seen := map[string]bool{}
	var small, smallBase, all, allBase, n int
	for _, g := range goldenRequests(t) {
		p, ok := Split(g.body)
		if !ok {
			t.Fatalf("%s: Split refused a Claude Code request", g.file)
		}
		for _, piece := range append([][]byte{p.System, p.Tools, g.response}, p.Messages...) {
			if len(piece) == 0 || len(piece) >= dictionaryBelow || seen[string(piece)] {
				continue
			}
			seen[string(piece)] = true
			id := c.Hash(piece)
			sealed, err := c.Seal(id, piece)
			if err != nil {
				t.Fatal(err)
			}
			if back, err := c.Open(id, sealed); err != nil || !bytes.Equal(back, piece) {
				t.Fatalf("%s: a %d-byte piece does not open to itself: %v", g.file, len(piece), err)
			}
			base := len(plainZstd.EncodeAll(piece, nil)) + overhead
			if len(piece) < 4<<10 {
				small, smallBase = small+len(sealed), smallBase+base
			}
			all, allBase, n = all+len(sealed), allBase+base, n+1
		}
	}
	if n < 100 {
		t.Fatalf("only %d distinct pieces in the golden corpus (../conversation/testdata/golden)", n)
	}
	t.Logf("%d pieces: under 4 KB %d → %d bytes sealed (%.0f%% smaller), all under %d KB %d → %d (%.0f%% smaller)",
		n, smallBase, small, 100-100*float64(small)/float64(smallBase), dictionaryBelow>>10, allBase, all,
		100-100*float64(all)/float64(allBase))
	if small > smallBase*4/5 {
		t.Errorf("pieces under 4 KB sealed to %d bytes, without the dictionary %d: want at least 20%% smaller", small, smallBase)
	}
	if all > allBase {
		t.Errorf("pieces under %d KB sealed to %d bytes, more than the %d without the dictionary", dictionaryBelow>>10, all, allBase)
	}
}

// TestCodecOpensBlobsSealedBeforeTheDictionary opens a blob sealed by Nexus before the
// dictionary (a242c1a, data key 32 × 0x07): stored blobs stay readable.
func TestCodecOpensBlobsSealedBeforeTheDictionary(t *testing.T) {
	c := newTestCodec(t, 7)
	plain := []byte(`{"role":"user","content":[{"type":"text","text":"Sealed before the dictionary: it must still open."}]}`)
	sealed, _ := hex.DecodeString("017320345d3864fe34a9108625c6f5cd8ea14467af5276e9c884617b140224e3c478db912441bdd26c52742f7679de8c" +
		"7a9de543045633cfe580523d2371c9dc68832de6d1510eb6b838c06ee72da026623dc00f8393d188f04cd44ca7add01d5d6b66042b71c" +
		"ff7a8adb591ccfbc1f4de20067694332a61fb1eae187bd04c82c6229f9294603ebe0e99c163")
	got, err := c.Open(c.Hash(plain), sealed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("opened to %q", got)
	}
}

// TestCodecSealsLargeBlobsWithoutTheDictionary: from dictionaryBelow on, the frame names no
// dictionary (the stronger matcher seals it), and below it the dictionary's id is in it.
func TestCodecSealsLargeBlobsWithoutTheDictionary(t *testing.T) {
	c := newTestCodec(t, 1)
	for _, size := range []int{dictionaryBelow - 1, dictionaryBelow, 700 << 10} {
		plain := claudeCodeBody(size)[:size]
		id := c.Hash(plain)
		sealed, _ := c.Seal(id, plain)
		z, err := c.aead.Open(nil, sealed[1:headSize], sealed[headSize:], additionalData(sealed[0], id))
		if err != nil {
			t.Fatal(err)
		}
		var h zstd.Header
		if err := h.Decode(z); err != nil {
			t.Fatal(err)
		}
		want := uint32(0)
		if size < dictionaryBelow {
			want = dictionaryID
		}
		if h.DictionaryID != want {
			t.Errorf("%d bytes: the frame names dictionary %#x, want %#x", size, h.DictionaryID, want)
		}
		if got, err := c.Open(id, sealed); err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%d bytes do not round-trip: %v", size, err)
		}
	}
}
