package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"nexus/store"
)

// runLinking checks the linking rules whose answers come from the store's own lookups
// (conversation.Link's decisions are tested with an in-memory lookup): each case a linking
// bug found, kept as a regression test on every store.
func runLinking(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, tr *traffic)
	}{
		{"RetryAnsweredDifferentlyForks", testRetryAnsweredDifferentlyForks},
		{"EditedFirstPromptJoinsItsSession", testEditedFirstPromptJoinsItsSession},
		{"TokenCountJoinsItsSession", testTokenCountJoinsItsSession},
		{"SessionPicksBeyondTheNewestCandidates", testSessionPicksBeyondTheNewestCandidates},
		{"RestartTurnsWrittenBeforeTheirParent", testRestartTurnsWrittenBeforeTheirParent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newTraffic(t, open)) })
	}
}

// sendTo records one request of a session to path with the bodies given, one second after
// the previous request, and returns the stored record.
func (tr *traffic) sendTo(path, session string, body, answer []byte) store.RequestDetail {
	tr.t.Helper()
	tr.n++
	tr.at = tr.at.Add(time.Second)
	r := store.Request{ID: fmt.Sprintf("r_%04d", tr.n), StartedAt: tr.at, Method: "POST", Path: path,
		Model: "claude-sonnet-4-5", Status: 200, ClientKeyID: "k1", SessionID: session}
	tr.bodies.Prepare(&r, body, answer)
	if err := tr.s.FinishRequest(ctx(tr.t), r); err != nil {
		tr.t.Fatalf("FinishRequest %s: %v", r.ID, err)
	}
	tr.bodies.Stored(r.Body)
	return tr.get(r.ID)
}

// turn records a Messages request of a session answered with text.
func (tr *traffic) turn(session string, history []msg, answer string) store.RequestDetail {
	tr.t.Helper()
	return tr.sendTo("/v1/messages", session, requestBody(history), sse(answer, 100, 10))
}

// placed checks where a request was linked: its conversation, its parent, and whether its
// branch is main.
func placed(t *testing.T, name string, got store.RequestDetail, conv, parent string, main bool) {
	t.Helper()
	if got.Conversation != conv || got.ParentRequestID != parent || (got.Branch == "main") != main {
		t.Errorf("%s: conversation %q, parent %q, branch %q (rule %s); want %q, parent %q, main branch %v",
			name, got.Conversation, got.ParentRequestID, got.Branch, got.LinkRule, conv, parent, main)
	}
}

// Spec §3: a retry with a different answer opens a new branch. The same body is sent again
// and answered otherwise; when that answer is continued too, the retry's child forks, since
// the first send (its twin) already has a child on main.
func testRetryAnsweredDifferentlyForks(t *testing.T, tr *traffic) {
	h1 := []msg{user("fix the failing test")}
	h2 := []msg{h1[0], assistant("I'll run it."), user("it says FAIL")}
	r1 := tr.turn("s1", h1, "I'll run it.")
	r2 := tr.turn("s1", h2, "Answer A.")
	r3 := tr.turn("s1", append(h2[:3:3], assistant("Answer A."), user("go on")), "ok")
	again := tr.turn("s1", h2, "Answer B.")
	r3b := tr.turn("s1", append(h2[:3:3], assistant("Answer B."), user("go on")), "ok")
	conv := r1.Conversation
	placed(t, "r2", r2, conv, r1.ID, true)
	placed(t, "r3", r3, conv, r2.ID, true)
	placed(t, "r2 again", again, conv, r1.ID, true)
	placed(t, "r3 after answer B", r3b, conv, again.ID, false)
}

// Spec §7: a rewind is one new branch, not a new conversation, also a rewind to the first
// prompt, which leaves the hashes nothing to link. The session's conversation is the one it
// started, not the sub-thread of its Agent call, newer and of the same session id.
func testEditedFirstPromptJoinsItsSession(t *testing.T, tr *traffic) {
	prompt := "Find all tests that touch the store package."
	call, _ := json.Marshal(map[string]any{"type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
		"content": []any{map[string]any{"type": "tool_use", "id": "toolu_a1", "name": "Agent",
			"input": map[string]any{"description": "Find tests", "prompt": prompt}}},
		"stop_reason": "tool_use", "usage": map[string]any{"input_tokens": 100, "output_tokens": 10}})
	r1 := tr.sendTo("/v1/messages", "s1", requestBody([]msg{user("review the store package")}), call)
	agent := tr.turn("s1", []msg{user(prompt)}, "3 tests")
	if agent.Conversation == r1.Conversation || agent.Kind != "subagent" {
		t.Fatalf("the Agent call's request: kind %q in %q; want a sub-thread of %s", agent.Kind, agent.Conversation, r1.Conversation)
	}
	edited := tr.turn("s1", []msg{user("review the app package")}, "ok")
	placed(t, "edited first prompt", edited, r1.Conversation, "", false)
	other := tr.turn("s2", []msg{user("review the docs")}, "ok")
	if other.Conversation == r1.Conversation || other.LinkRule != "new" {
		t.Errorf("another session's first prompt: rule %s in %q; want a new conversation", other.LinkRule, other.Conversation)
	}
}

// Spec §6: a token-count call is auxiliary, attached to its session's conversation, and
// forks nothing, whatever its body.
func testTokenCountJoinsItsSession(t *testing.T, tr *traffic) {
	h1 := []msg{user("fix the failing test")}
	r1 := tr.turn("s1", h1, "I'll run it.")
	h2 := []msg{h1[0], assistant("I'll run it."), user("go on")}
	var body map[string]any
	if err := json.Unmarshal(requestBody(h2), &body); err != nil {
		t.Fatal(err)
	}
	delete(body, "max_tokens")
	delete(body, "stream")
	counted, _ := json.Marshal(body)
	tokens := []byte(`{"input_tokens":1234}`)
	count := tr.sendTo("/v1/messages/count_tokens", "s1", counted, tokens)
	// A turn's body sent to count_tokens: still a side call.
	countTurn := tr.sendTo("/v1/messages/count_tokens", "s1", requestBody(h2), tokens)
	r2 := tr.turn("s1", h2, "done")
	for _, c := range []store.RequestDetail{count, countTurn} {
		if c.Kind != "auxiliary" || c.Conversation != r1.Conversation || c.ParentRequestID != "" {
			t.Errorf("token count %s: kind %q in %q, parent %q; want auxiliary in %s", c.ID, c.Kind, c.Conversation,
				c.ParentRequestID, r1.Conversation)
		}
	}
	placed(t, "the turn after the token counts", r2, r1.Conversation, r1.ID, true)
}

// Spec §2.5: the session picks among candidates. Sessions of a client can open with the same
// exchange (Claude Code's first prompt, reminders stripped, and the same answer); more of
// them than a lookup's newest few must not hide a session's own request.
func testSessionPicksBeyondTheNewestCandidates(t *testing.T, tr *traffic) {
	hello := []msg{user("hello")}
	x1 := tr.turn("x", hello, "Hello! What can I do?")
	for i := range 12 {
		tr.turn(fmt.Sprintf("other-%d", i), hello, "Hello! What can I do?")
	}
	x2 := tr.turn("x", []msg{hello[0], assistant("Hello! What can I do?"), user("list the files")}, "ok")
	placed(t, "session x's second turn", x2, x1.Conversation, x1.ID, true)
	again := tr.turn("x", hello, "Hello again")
	if again.Conversation != x1.Conversation || again.LinkRule != "session" || again.Branch != x1.Branch {
		t.Errorf("session x's first prompt sent again: rule %s in %q on %q; want a retry, in %s on %s",
			again.LinkRule, again.Conversation, again.Branch, x1.Conversation, x1.Branch)
	}
}

// testRestartTurnsWrittenBeforeTheirParent: the turns after a restart from a compaction
// summary repeat its first message. Written before their parent (records that overtook each
// other, as in a spool replay), they must not be taken for the restart itself: they wait as
// new roots and are adopted under their parent when it is written (found in review: every such
// turn went to a compact branch of its own, where adoption never looks).
func testRestartTurnsWrittenBeforeTheirParent(t *testing.T, tr *traffic) {
	summary := "This session is being continued from a previous conversation that ran out of context. " +
		"The summary below covers the earlier portion of the conversation.\n\nSummary:\n1. Primary Request and Intent:\n" +
		"   The user asked to fix the failing test in the Nexus store package, and to keep the tests green.\n" +
		"2. Current Work: running the linter.\n\nContinue the conversation from where it left off without asking the user any further questions."
	prepare := func(id string, at time.Time, h []msg, answer string) store.Request {
		return tr.prepareTurn(id, at, "s1", h, answer)
	}
	write := func(rs ...store.Request) {
		var ops []store.RequestOp
		for _, r := range rs {
			ops = append(ops, store.RequestOp{Finish: true, Request: r})
		}
		if err := tr.s.WriteRequests(ctx(t), ops); err != nil {
			t.Fatal(err)
		}
	}
	at := tr.at
	write(prepare("r_1", at.Add(1*time.Second), []msg{user("fix the failing test")}, "I'll run it."))
	write(prepare("r_2", at.Add(2*time.Second), []msg{user(summary)}, "ack"))
	h3 := []msg{user(summary), assistant("ack"), user("go on")}
	h4 := append(h3[:3:3], assistant("done"), user("and more"))
	h5 := append(h4[:5:5], assistant("ok"), user("last"))
	r3 := prepare("r_3", at.Add(3*time.Second), h3, "done")
	r4 := prepare("r_4", at.Add(4*time.Second), h4, "ok")
	r5 := prepare("r_5", at.Add(5*time.Second), h5, "fine")
	write(r5, r4, r3) // newest first
	conv, branch := tr.get("r_2").Conversation, tr.get("r_2").Branch
	for id, parent := range map[string]string{"r_3": "r_2", "r_4": "r_3", "r_5": "r_4"} {
		if d := tr.get(id); d.ParentRequestID != parent || d.Conversation != conv || d.Branch != branch {
			t.Errorf("%s: conversation %q branch %q parent %q (rule %s); want under %s in %q on %q",
				id, d.Conversation, d.Branch, d.ParentRequestID, d.LinkRule, parent, conv, branch)
		}
	}
}
