package content

import (
	"testing"
)

// TestConversationStorage stores every request of a growing conversation the way the store
// does (split, each piece sealed once under its id) and checks that the whole conversation
// takes less room than its last request alone: storage grows with the conversation, not with
// the square of it.
func TestConversationStorage(t *testing.T) {
	c := newTestCodec(t, 1)
	full, ok := Split(claudeCodeBody(700 << 10))
	if !ok {
		t.Fatal("Split refused the body")
	}
	stored := map[string]bool{}
	var raw, sealed, requests int
	store := func(piece []byte) {
		id := c.Hash(piece)
		if stored[string(id)] {
			return
		}
		blob, err := c.Seal(id, piece)
		if err != nil {
			t.Fatal(err)
		}
		stored[string(id)] = true
		sealed += len(blob)
	}
	var last []byte
	for n := 1; n <= len(full.Messages); n += 2 { // one request per turn
		p := full
		p.Messages = full.Messages[:n]
		body := Rebuild(p)
		parts, ok := Split(body)
		if !ok {
			t.Fatalf("Split refused request %d", requests)
		}
		store(parts.System)
		store(parts.Tools)
		for _, m := range parts.Messages {
			store(m)
		}
		sealed += len(parts.Template) + 16 // the template and the positions, stored per request
		raw += len(body)
		requests++
		last = body
	}
	t.Logf("%d requests, %d KB as sent; stored %d KB (%.0fx smaller); the last request alone is %d KB",
		requests, raw>>10, sealed>>10, float64(raw)/float64(sealed), len(last)>>10)
	if sealed > len(last) {
		t.Fatalf("the conversation takes %d bytes stored, more than its last request (%d bytes)", sealed, len(last))
	}
}
