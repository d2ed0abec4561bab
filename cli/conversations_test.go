package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"nexus/content"
	"nexus/credentials"
	"nexus/store"
)

// conversationFields are the keys of each conversation in `nexus conversations --json`
// (DESIGN.md).
var conversationFields = []string{"id", "title", "started_at", "last_at", "request_count", "branches",
	"parent_conversation_id", "parent_request_id", "input_tokens", "output_tokens", "cost_usd"}

// turn is a Messages request continuing history, prepared as the recorder prepares it.
func turn(t *testing.T, id string, at time.Time, history []string) store.Request {
	t.Helper()
	var msgs []map[string]any
	for i, text := range history {
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		msgs = append(msgs, map[string]any{"role": role, "content": text})
	}
	body, _ := json.Marshal(map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": msgs})
	answer, _ := json.Marshal(map[string]any{"id": "msg_" + id, "type": "message", "role": "assistant",
		"content": []map[string]any{{"type": "text", "text": "answer to " + history[len(history)-1]}},
		"usage":   map[string]any{"input_tokens": 10, "output_tokens": 5}})
	redactor, err := content.NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := credentials.DataKey(credentials.SystemKeychain{})
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no keychain for the data key: %v (make test runs in scripts/test-session.sh)", err)
		}
		t.Skipf("no keychain for the data key (run in scripts/test-session.sh): %v", err)
	}
	codec, err := content.NewCodec(key)
	if err != nil {
		t.Fatal(err)
	}
	r := store.Request{ID: id, StartedAt: at, Method: "POST", Path: "/v1/messages", Model: "claude-sonnet-4-5",
		Status: 200, Kind: "turn", ClientKeyID: "main", InputTokens: 10, OutputTokens: 5, CostUSD: 0.001}
	content.NewBodies(codec, "", redactor).Prepare(&r, body, answer)
	return r
}

func TestConversationsJSON(t *testing.T) {
	e := isolate(t)
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	writeRequests(t, e.dataDir,
		turn(t, "r_1", base, []string{"fix the bug in main.go"}),
		turn(t, "r_2", base.Add(time.Minute), []string{"fix the bug in main.go", "answer to fix the bug in main.go", "now add a test"}),
		turn(t, "r_3", base.Add(2*time.Minute), []string{"write a poem"}),
	)
	r := run(t, "", "conversations", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	var doc struct {
		Conversations []map[string]any `json:"conversations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
	}
	if len(doc.Conversations) != 2 {
		t.Fatalf("%d conversations, want 2:\n%s", len(doc.Conversations), r.stdout)
	}
	for _, c := range doc.Conversations {
		for _, f := range conversationFields {
			if _, ok := c[f]; !ok {
				t.Errorf("conversation lacks %q: %v", f, c)
			}
		}
	}
	newest, older := doc.Conversations[0], doc.Conversations[1]
	if newest["title"] != "write a poem" || newest["request_count"] != 1.0 {
		t.Errorf("newest = %v, want the poem with 1 request", newest)
	}
	branches, _ := json.Marshal(older["branches"])
	if older["title"] != "fix the bug in main.go" || older["request_count"] != 2.0 ||
		string(branches) != `[{"name":"main","request_count":2}]` || older["input_tokens"] != 20.0 {
		t.Errorf("older = %v (branches %s), want the bug fix with 2 requests on main", older, branches)
	}

	// The requests carry their conversation and branch.
	r = run(t, "", "requests", "--json")
	var reqs struct {
		Requests []store.Request `json:"requests"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &reqs); err != nil {
		t.Fatal(err)
	}
	byID := map[string]store.Request{}
	for _, q := range reqs.Requests {
		byID[q.ID] = q
	}
	if byID["r_1"].Conversation == "" || byID["r_2"].Conversation != byID["r_1"].Conversation ||
		byID["r_3"].Conversation == byID["r_1"].Conversation || byID["r_2"].Branch != "main" || byID["r_2"].Kind != "turn" {
		t.Errorf("requests' conversations: %+v", byID)
	}
}

func TestConversationsTable(t *testing.T) {
	e := isolate(t)
	writeRequests(t, e.dataDir, turn(t, "r_1", time.Now(), []string{"explain the retry logic"}))
	r := run(t, "", "conversations")
	if r.code != 0 || !strings.Contains(r.stdout, "explain the retry logic") || !strings.Contains(r.stdout, "main(1)") {
		t.Errorf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
	r = run(t, "", "conversations", "--limit", "0")
	if r.code != 2 {
		t.Errorf("--limit 0: exit %d, want 2", r.code)
	}
}
