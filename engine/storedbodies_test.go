package engine

import (
	"strings"
	"testing"
	"time"

	"nexus/checklist"
	"nexus/credentials"
	"nexus/store"
)

// When the keychain's data key is gone (deleted, or a new keychain) a new one is made for new
// bodies; the bodies stored under the old one cannot be opened any more, and the checklist
// says so instead of nothing.
func TestBodiesUnderALostDataKeyAreReported(t *testing.T) {
	set := testSettings(t)
	kc := credentials.NewMemoryKeychain()
	e := openEngine(t, set, kc)
	r := store.Request{ID: "r_1", StartedAt: time.Now().UTC(), Method: "POST", Path: "/v1/messages", Status: 200}
	e.bodies.Prepare(&r, []byte(`{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`),
		[]byte(`{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":5,"output_tokens":1}}`))
	if err := e.store.FinishRequest(testCtx(t), r); err != nil {
		t.Fatal(err)
	}
	if e.BodyStorage().Unreadable != "" {
		t.Fatalf("bodies under the current key reported unreadable: %s", e.BodyStorage().Unreadable)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	if err := kc.Delete("data-key"); err != nil {
		t.Fatal(err)
	}
	again := openEngine(t, set, kc)
	if u := again.BodyStorage().Unreadable; !strings.Contains(u, "cannot be opened") {
		t.Fatalf("Unreadable = %q", u)
	}
	it := item(t, again.Facts(testCtx(t)), "body-storage")
	if it.Status != checklist.Warn || !strings.Contains(it.Evidence, "unreadable") {
		t.Errorf("checklist: %+v", it)
	}
}
