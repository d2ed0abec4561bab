//go:build e2e

package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"nexus/e2e/nexustest"
)

// env is the harness's environment for this package.
type env struct{ *nexustest.Env }

func newEnv(t testing.TB, vars ...string) *env {
	e := &env{nexustest.NewEnv(t)}
	e.Vars = append(e.Vars, vars...)
	return e
}

// send posts one Messages request with history through the proxy and fails the test unless
// it is answered 200.
func send(t testing.TB, base, clientKey string, stream bool, history ...string) {
	t.Helper()
	var msgs []map[string]any
	for i, text := range history {
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		msgs = append(msgs, map[string]any{"role": role, "content": text})
	}
	body, _ := json.Marshal(map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 64, "stream": stream,
		"messages": msgs})
	req, _ := http.NewRequest("POST", base+"/v1/messages", bytes.NewReader(body))
	req.Header.Set("x-api-key", clientKey)
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("content-type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("request: %v", err)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("request answered %d: %s", resp.StatusCode, b)
	}
}

// conversations is `nexus conversations --json`.
func (e *env) conversations() []struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	RequestCount int    `json:"request_count"`
} {
	e.T.Helper()
	var doc struct {
		Conversations []struct {
			ID           string `json:"id"`
			Title        string `json:"title"`
			RequestCount int    `json:"request_count"`
		} `json:"conversations"`
	}
	out := e.Run("", "conversations", "--json", "--limit", "1000", "--data-dir", e.DataDir)
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		e.T.Fatalf("conversations --json: %v\n%s", err, out)
	}
	return doc.Conversations
}

// unique checks that every recorded request id appears once and returns how many there are.
func unique(t testing.TB, rs []nexustest.Recorded) int {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range rs {
		if seen[r.ID] {
			t.Errorf("request %s recorded twice", r.ID)
		}
		seen[r.ID] = true
	}
	return len(seen)
}

func question(i int) string { return fmt.Sprintf("question number %d about the storage engine", i) }
