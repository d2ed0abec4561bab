package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"nexus/content"
	"nexus/store"
	"nexus/store/sqlite"
	"nexus/store/storetest"
)

// goldenRig is a golden scenario recorded into a store, ready for one more request derived
// from its captures: a linking regression on real Claude Code bodies.
type goldenRig struct {
	t        *testing.T
	s        *sqlite.Store
	bodies   *content.Bodies
	captures map[int]capture
}

var goldenStart = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

func replayGolden(t *testing.T, scenario string) *goldenRig {
	codec := storetest.NewCodec(t)
	redactor, _ := content.NewRedactor(nil)
	g := &goldenRig{t: t, s: openWith(t, t.TempDir(), codec), bodies: content.NewBodies(codec, "", redactor), captures: map[int]capture{}}
	files, _ := filepath.Glob(filepath.Join(goldenDir, scenario, "[0-9]*.json"))
	for _, f := range files {
		c := readCapture(t, f)
		g.captures[c.Seq] = c
		var body []byte
		if len(c.Request) > 0 && string(c.Request) != "null" {
			body = c.Request
		}
		g.record(c.Seq, c.Path, c.Headers["X-Claude-Code-Session-Id"], body, []byte(c.Response))
	}
	return g
}

// record writes request seq (id r_<seq>), started seq seconds into the scenario.
func (g *goldenRig) record(seq int, path, session string, body, answer []byte) store.RequestDetail {
	g.t.Helper()
	r := store.Request{ID: fmt.Sprintf("r_%04d", seq), StartedAt: goldenStart.Add(time.Duration(seq) * time.Second),
		Method: "POST", Path: path, Status: 200, ClientKeyID: "golden", SessionID: session}
	g.bodies.Prepare(&r, body, answer)
	if err := g.s.FinishRequest(context.Background(), r); err != nil {
		g.t.Fatalf("seq %d: %v", seq, err)
	}
	g.bodies.Stored(r.Body)
	return g.get(seq)
}

func (g *goldenRig) get(seq int) store.RequestDetail {
	g.t.Helper()
	d, err := g.s.GetRequest(context.Background(), fmt.Sprintf("r_%04d", seq))
	if err != nil {
		g.t.Fatal(err)
	}
	return d
}

// request returns the body of capture seq decoded, to derive another request from.
func (g *goldenRig) request(seq int) map[string]any {
	g.t.Helper()
	var body map[string]any
	if err := json.Unmarshal(g.captures[seq].Request, &body); err != nil {
		g.t.Fatal(err)
	}
	return body
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Spec §6: a token count (Claude Code's, of the session's third request: its body without
// max_tokens and stream) is auxiliary and attached to its session's conversation.
func TestGoldenTokenCountJoinsItsSession(t *testing.T) {
	g := replayGolden(t, "simple")
	first := g.get(1)
	body := g.request(3)
	delete(body, "max_tokens")
	delete(body, "stream")
	got := g.record(10, "/v1/messages/count_tokens", first.SessionID, mustJSON(t, body), []byte(`{"input_tokens":1234}`))
	if got.Kind != "auxiliary" || got.Conversation != first.Conversation {
		t.Errorf("token count of session %s: kind %q in %q; want auxiliary in %s", first.SessionID, got.Kind, got.Conversation, first.Conversation)
	}
}

// Spec §7: a rewind is one new branch, not a new conversation, also a rewind to the first
// prompt. The session's first request is sent again (same session) with another prompt.
func TestGoldenFirstPromptEditedJoinsItsSession(t *testing.T) {
	g := replayGolden(t, "rewind-edit")
	first := g.get(1)
	body := g.request(1)
	msgs := body["messages"].([]any)
	items := msgs[0].(map[string]any)["content"].([]any)
	items[len(items)-1].(map[string]any)["text"] = "Turn one, edited."
	got := g.record(10, "/v1/messages", first.SessionID, mustJSON(t, body), []byte(g.captures[1].Response))
	if got.Conversation != first.Conversation || got.ParentRequestID != "" || got.Branch == "main" || got.LinkRule != "session" {
		t.Errorf("first prompt edited: rule %s in %q on %q, parent %q; want a new branch of %s", got.LinkRule,
			got.Conversation, got.Branch, got.ParentRequestID, first.Conversation)
	}
	for seq := 2; seq <= 6; seq++ {
		if r := g.get(seq); r.Branch == got.Branch {
			t.Errorf("seq %d is on the edit's branch %q too", seq, got.Branch)
		}
	}
}
