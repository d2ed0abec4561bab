package content

import (
	"testing"

	"nexus/conversation"
)

// linkingBodies are request bodies at the edges of ReadRequestKeysFromParts' contract.
var linkingBodies = []string{
	`{"model":"m","max_tokens":10,"system":"be brief","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"t"}]}`,
	`{"model":"m","messages":[{"role":"user","content":"count me"}]}`, // count_tokens: no max_tokens
	`{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}],"tools":[ ]}`,
	`{"messages":[{"role":"user","content":"a"}],"tools":"not an array","max_tokens":1,"max_tokens":2}`,
	`{"messages":[{"role":"user","content":[{"type":"text","text":"Summarize this conversation"}]}],"system":[{"type":"text","text":"s"}]}`,
	`{"messages":[{"role":"user","content":"x"}],"m\u0061x_tokens":5}`,                                      // an escaped max_tokens
	`{"messages":[{"role":"user","content":"first"}],"m\u0065ssages":[{"role":"user","content":"second"}]}`, // a second messages
	`{"messages":[{"role":"user","content":"x"}],"\u0074ools":[{"name":"t"}]}`,                              // escaped tools
	`{"messages":[]}`,
	`{"messages":[{"role":"system","content":"injected"},{"role":"user","content":"y"}],"metadata":{"user_id":"u"}}`,
}

// checkKeysFromParts checks ReadRequestKeysFromParts against ReadRequestKeys for body, when
// Split cuts it and the contract holds; it reports whether it could compare.
func checkKeysFromParts(t *testing.T, body []byte) bool {
	t.Helper()
	p, ok := Split(body)
	if !ok {
		return false
	}
	lp, ok := p.linking()
	if !ok {
		return false
	}
	want, err := conversation.ReadRequestKeys(body)
	if err != nil {
		t.Fatalf("ReadRequestKeys refused a body Split cut (%v): %q", err, body)
	}
	if got := conversation.ReadRequestKeysFromParts(lp); got != want {
		t.Fatalf("keys from parts differ for %q:\n got %+v\nwant %+v", body, got, want)
	}
	// And with the message keys given, as Prepare gives them.
	for _, m := range lp.Messages {
		lp.MessageKeys = append(lp.MessageKeys, conversation.KeyOf(m))
	}
	if got := conversation.ReadRequestKeysFromParts(lp); got != want {
		t.Fatalf("keys from parts with their message keys differ for %q:\n got %+v\nwant %+v", body, got, want)
	}
	return true
}

// The keys Prepare reads from Split's parts are those ReadRequestKeys reads from the body.
func TestKeysFromPartsMatchReadRequestKeys(t *testing.T) {
	compared := 0
	for _, b := range linkingBodies {
		if checkKeysFromParts(t, []byte(b)) {
			compared++
		}
	}
	// The three bodies with an escaped key must not be read from parts.
	if want := len(linkingBodies) - 3; compared != want {
		t.Errorf("compared %d of the edge bodies, want %d", compared, want)
	}
	golden := 0
	for _, g := range goldenRequests(t) {
		if !checkKeysFromParts(t, g.body) {
			t.Fatalf("%s: a Claude Code request was not read from its parts", g.file)
		}
		golden++
	}
	if golden < 20 {
		t.Fatalf("%d golden requests compared, want at least 20", golden)
	}
	for _, size := range []int{2 << 10, 72 << 10, 650 << 10} {
		if !checkKeysFromParts(t, claudeCodeBody(size)) {
			t.Fatalf("a %d KB Claude Code body was not read from its parts", size>>10)
		}
	}
}

// An escaped key makes Prepare read the keys from the whole body.
func TestEscapedKeyIsNotReadFromParts(t *testing.T) {
	p, ok := Split([]byte(linkingBodies[6]))
	if !ok {
		t.Fatal("Split refused the body")
	}
	if _, ok := p.linking(); ok {
		t.Fatal("parts of a body with an escaped key offered for linking")
	}
	keys, err := readKeys([]byte(linkingBodies[6]), p, pieceStates{}, true)
	want, _ := conversation.ReadRequestKeys([]byte(linkingBodies[6]))
	if err != nil || keys != want {
		t.Fatalf("readKeys %+v (%v), want %+v", keys, err, want)
	}
}

// FuzzKeysFromParts: for any body Split cuts, the keys read from its parts are those read from
// the body.
func FuzzKeysFromParts(f *testing.F) {
	for _, b := range linkingBodies {
		f.Add([]byte(b))
	}
	for _, tc := range splitBodies {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkKeysFromParts(t, body)
	})
}
