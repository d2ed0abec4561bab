package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"nexus/settings"
	"nexus/store"
	"nexus/store/sqlite"
)

// requestFields are the keys of each request in `nexus requests --json` (DESIGN.md).
var requestFields = []string{"id", "started_at", "method", "path", "model", "stream", "status", "error", "kind",
	"session_id", "conversation_id", "branch", "account", "input_tokens", "output_tokens",
	"cache_creation_input_tokens", "cache_read_input_tokens", "cost_usd", "ttfb_ms", "duration_ms", "overhead_ms"}

func TestRequestsJSONEmpty(t *testing.T) {
	isolate(t)
	r := run(t, "", "requests", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
	}
	if len(doc) != 1 || strings.TrimSpace(string(doc["requests"])) != "[]" {
		t.Errorf(`stdout = %s, want {"requests": []}`, r.stdout)
	}
}

// writeRequests records rs in dataDir's SQLite store, as the proxy would.
func writeRequests(t *testing.T, dataDir string, rs ...store.Request) {
	t.Helper()
	ctx := context.Background()
	if err := settings.EnsureDataDir(dataDir); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, r := range rs {
		if err := st.FinishRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRequestsJSON(t *testing.T) {
	e := isolate(t)
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	full := func(id string, at time.Time) store.Request {
		return store.Request{
			ID: id, StartedAt: at, Method: "POST", Path: "/v1/messages", Model: "claude-sonnet-4-5",
			Stream: true, Status: 200, Kind: "turn", SessionID: "sess-" + id, Conversation: "conv-1",
			Branch: "main", Account: "work", Finished: true,
			InputTokens: 10, OutputTokens: 20, CacheCreationInputTokens: 30, CacheReadInputTokens: 40,
			CostUSD: 0.0123, TTFBMs: 150, DurationMs: 900, OverheadMs: 1.5,
		}
	}
	failed := full("c-newest", base.Add(3*time.Minute))
	failed.Status, failed.Error, failed.Stream = 529, "overloaded", false
	writeRequests(t, e.dataDir,
		full("a-oldest", base),
		full("b-middle", base.Add(2*time.Minute)),
		failed,
		full("d-older", base.Add(time.Minute)),
	)

	r := run(t, "", "requests", "--json", "--limit", "2")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	var doc struct {
		Requests []map[string]any `json:"requests"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if len(doc.Requests) != 2 {
		t.Fatalf("got %d requests, want 2 (--limit 2):\n%s", len(doc.Requests), r.stdout)
	}
	if doc.Requests[0]["id"] != "c-newest" || doc.Requests[1]["id"] != "b-middle" {
		t.Errorf("ids %v, %v; want the two newest, newest first", doc.Requests[0]["id"], doc.Requests[1]["id"])
	}
	for i, req := range doc.Requests {
		for _, k := range requestFields {
			if _, ok := req[k]; !ok {
				t.Errorf("request %d has no %q field", i, k)
			}
		}
		s, _ := req["started_at"].(string)
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("started_at %q is not RFC 3339: %v", s, err)
		}
	}
	first := doc.Requests[0]
	if at, _ := time.Parse(time.RFC3339, first["started_at"].(string)); !at.Equal(base.Add(3 * time.Minute)) {
		t.Errorf("started_at = %v, want %v", at, base.Add(3*time.Minute))
	}
	for k, want := range map[string]any{
		"method": "POST", "path": "/v1/messages", "model": "claude-sonnet-4-5", "stream": false,
		"status": 529.0, "error": "overloaded", "kind": "turn", "session_id": "sess-c-newest",
		"conversation_id": "conv-1", "branch": "main", "account": "work", "input_tokens": 10.0,
		"output_tokens": 20.0, "cache_creation_input_tokens": 30.0, "cache_read_input_tokens": 40.0,
		"cost_usd": 0.0123, "ttfb_ms": 150.0, "duration_ms": 900.0, "overhead_ms": 1.5,
	} {
		if first[k] != want {
			t.Errorf("%s = %#v, want %#v", k, first[k], want)
		}
	}
}

func TestRequestsTable(t *testing.T) {
	e := isolate(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	writeRequests(t, e.dataDir,
		store.Request{ID: "a", StartedAt: at, Method: "POST", Path: "/v1/messages", Model: "claude-opus-4", Status: 200, InputTokens: 1234, Finished: true},
		store.Request{ID: "b", StartedAt: at.Add(time.Second), Method: "POST", Path: "/v1/messages/count_tokens", Model: "claude-haiku-4", Status: 401, Finished: true},
	)
	r := run(t, "", "requests")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and 2 rows, got:\n%s", r.stdout)
	}
	for _, col := range []string{"STARTED", "STATUS", "MODEL", "PATH", "IN", "OUT", "COST"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("header %q lacks %s", lines[0], col)
		}
	}
	if !strings.Contains(lines[1], "claude-haiku-4") || !strings.Contains(lines[1], "401") {
		t.Errorf("first row %q, want the newest (haiku, 401)", lines[1])
	}
	if !strings.Contains(lines[2], "claude-opus-4") || !strings.Contains(lines[2], "1234") {
		t.Errorf("second row %q, want opus with 1234 input tokens", lines[2])
	}

	// Empty: the header alone, still.
	isolate(t)
	r = run(t, "", "requests")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "STARTED") {
		t.Errorf("empty table: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestRequestsBadDatabaseURL(t *testing.T) {
	isolate(t)
	t.Setenv("DATABASE_URL", "mysql://localhost/nexus")
	r := run(t, "", "requests", "--json")
	if r.code != 1 || !strings.Contains(r.stderr, "DATABASE_URL") {
		t.Errorf("exit %d, stderr %q; want 1 and an error naming DATABASE_URL", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing on error", r.stdout)
	}
}
