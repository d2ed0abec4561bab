package content

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"nexus/store"
)

// A session's requests share one template blob although the marker moves to the newest
// message on every call (from the second request: the first, with one message, has no
// separator between messages), and each request still rebuilds byte for byte.
func TestPrepareTemplateStaysOneBlob(t *testing.T) {
	redactor, err := NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	codec := newTestCodec(t, 1)
	bodies := NewBodies(codec, "", redactor)
	var messages []string
	var template []byte
	stored := map[string][]byte{} // sealed blobs by hash, as the store keeps them
	for turn := range 4 {
		messages = append(messages, fmt.Sprintf(`{"role":"user","content":[{"type":"text","text":"turn %d"}]}`, turn))
		last := len(messages) - 1
		marked := slices.Clone(messages)
		marked[last] = strings.Replace(marked[last], `"}]}`, `","cache_control":{"type":"ephemeral"}}]}`, 1)
		req := []byte(`{"model":"m","system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"messages":[` +
			strings.Join(marked, ",") + `],"stream":true}`)
		r := store.Request{Path: "/v1/messages", Status: 200}
		bodies.Prepare(&r, req, []byte(`{}`))
		if r.Body == nil {
			t.Fatalf("turn %d: no body (%s)", turn, r.Content)
		}
		if turn > 1 && !bytes.Equal(r.Body.Template, template) {
			t.Errorf("turn %d: a new template blob", turn)
		}
		template = r.Body.Template
		if got := rebuild(t, codec, r.Body, stored); !bytes.Equal(got, req) {
			t.Fatalf("turn %d: rebuilt\n%s\nwant\n%s", turn, got, req)
		}
		bodies.Stored(r.Body)
	}
}

// rebuild stores body's blobs in stored and opens body as the store would hand it back.
func rebuild(t *testing.T, codec *Codec, body *store.Body, stored map[string][]byte) []byte {
	t.Helper()
	for _, b := range body.Blobs {
		stored[string(b.Hash)] = b.Data
	}
	sealed := func(h []byte) store.Sealed {
		if h == nil {
			return store.Sealed{}
		}
		return store.Sealed{Hash: h, Data: stored[string(h)]}
	}
	d := store.RequestDetail{Template: sealed(body.Template), System: sealed(body.System), Tools: sealed(body.Tools),
		Response: sealed(body.Response), Whole: body.Whole}
	for _, m := range body.Messages {
		d.Messages = append(d.Messages, sealed(m))
	}
	req, _, err := OpenBodies(codec, d)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
