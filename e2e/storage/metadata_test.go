//go:build e2e

package storage

import (
	"encoding/json"
	"strings"
	"testing"

	"nexus/e2e/nexustest"
)

// contents maps request ids to their "content" field in `nexus requests --json`.
func (e *env) contents() map[string]string {
	e.T.Helper()
	var doc struct {
		Requests []struct {
			ID      string `json:"id"`
			Content string `json:"content"`
		} `json:"requests"`
	}
	out := e.Run("", "requests", "--json", "--data-dir", e.DataDir)
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		e.T.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range doc.Requests {
		m[r.ID] = r.Content
	}
	return m
}

// TestBodiesStoredByDefault: a default install stores bodies (encrypted) and links turns.
func TestBodiesStoredByDefault(t *testing.T) {
	fake := nexustest.StartFake(t)
	e := newEnv(t)
	_, clientKey := e.SetupAccount()
	s := e.Serve(fake.URL())
	send(t, s.URL, clientKey, false, question(1))
	send(t, s.URL, clientKey, true, question(1), "answer", question(2))
	e.Requests(2)
	for id, c := range e.contents() {
		if c != "stored" {
			t.Errorf("request %s content %q, want stored", id, c)
		}
	}
	if convs := e.conversations(); len(convs) != 1 || convs[0].RequestCount != 2 || convs[0].Title != question(1) {
		t.Errorf("conversations %+v, want one of two requests titled %q", convs, question(1))
	}
	if !strings.Contains(s.Logs(), "request bodies are stored") {
		t.Errorf("serve did not say bodies are stored:\n%s", s.Logs())
	}
}

// TestMetadataOnly: with STORAGE_ENABLED=false no body is stored, the app says so, and
// requests are still linked into conversations.
func TestMetadataOnly(t *testing.T) {
	fake := nexustest.StartFake(t)
	e := newEnv(t, "STORAGE_ENABLED=false")
	_, clientKey := e.SetupAccount()
	s := e.Serve(fake.URL())
	send(t, s.URL, clientKey, false, question(1))
	send(t, s.URL, clientKey, false, question(1), "answer", question(2))
	e.Requests(2)
	for id, c := range e.contents() {
		if !strings.HasPrefix(c, "metadata only") {
			t.Errorf("request %s content %q, want metadata only", id, c)
		}
	}
	if convs := e.conversations(); len(convs) != 1 || convs[0].RequestCount != 2 || convs[0].Title != "" {
		t.Errorf("conversations %+v, want one of two requests, untitled (a title is content)", convs)
	}
	if !strings.Contains(s.Logs(), "STORAGE_ENABLED=false") {
		t.Errorf("serve did not say why bodies are not stored:\n%s", s.Logs())
	}
}
