package fakeapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"nexus/internal/fakeapi"
)

func TestCaptureTo(t *testing.T) {
	srv := start(t)
	dir := filepath.Join(t.TempDir(), "cap")
	if err := srv.CaptureTo(dir); err != nil {
		t.Fatal(err)
	}
	body := `{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"<system-reminder>x</system-reminder> & hi"}]}`
	resp := do(t, srv, "POST", "/v1/messages?beta=true", body,
		"Authorization", "Bearer sk-ant-secret", "X-Claude-Code-Session-Id", "sess-1",
		"Anthropic-Beta", "a-1", "Anthropic-Beta", "b-2", "User-Agent", "claude-cli/9")
	stream, err := readAll(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, do(t, srv, "GET", "/v1/models", ""))
	readAll(t, do(t, srv, "POST", "/v1/messages/count_tokens", "not json"))
	readAll(t, do(t, srv, "HEAD", "/api/hello", ""))
	if err := srv.CaptureErr(); err != nil {
		t.Fatal(err)
	}

	caps, err := fakeapi.ReadCaptured(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 4 {
		t.Fatalf("%d captures, want 4", len(caps))
	}
	c := caps[0]
	if c.Seq != 1 || c.Method != "POST" || c.Path != "/v1/messages" || c.Query != "beta=true" || c.Status != 200 {
		t.Errorf("first capture: %+v", c)
	}
	if string(c.Request) != body {
		t.Errorf("request not verbatim:\n%s\n%s", c.Request, body)
	}
	if c.Response != string(stream) || !strings.Contains(c.Response, "event: message_stop") {
		t.Errorf("response differs from what the client read")
	}
	want := map[string]string{"X-Claude-Code-Session-Id": "sess-1", "User-Agent": "claude-cli/9", "Anthropic-Beta": "b-2"}
	for k, v := range want {
		if c.Headers[k] != v {
			t.Errorf("header %s = %q, want %q (all: %v)", k, c.Headers[k], v, c.Headers)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "0001.json"))
	if strings.Contains(string(raw), "secret") || strings.Contains(strings.ToLower(string(raw)), "authorization") {
		t.Errorf("credentials in the capture file:\n%s", raw)
	}
	if !strings.Contains(string(raw), "<system-reminder>") {
		t.Error("the body was re-escaped")
	}
	if caps[1].Method != "GET" || string(caps[1].Request) != "null" || !strings.Contains(caps[1].Response, `"data"`) {
		t.Errorf("GET capture: %+v", caps[1])
	}
	var s string
	if json.Unmarshal(caps[2].Request, &s) != nil || s != "not json" || caps[2].Status != 400 {
		t.Errorf("non-JSON body capture: %+v", caps[2])
	}
	if caps[3].Status != 404 || caps[3].Response != "" {
		t.Errorf("HEAD capture: %+v", caps[3])
	}
}

// expectation is one entry of a golden scenario's expected.json.
type expectation struct {
	Seq                int    `json:"seq"`
	Conversation       string `json:"conversation"`
	Branch             string `json:"branch"`
	Kind               string `json:"kind"`
	ParentConversation string `json:"parent_conversation"`
	Parent             int    `json:"parent"`
	AgentCall          int    `json:"agent_call"`
	Why                string `json:"why"`
}

// TestGoldenCorpus checks the corpus itself: every capture has a hand-written expectation
// and every expectation a capture, labels are well-formed, and no credential was kept.
func TestGoldenCorpus(t *testing.T) {
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Skip("no golden corpus")
	}
	// Tests glob the corpus for scenarios: nothing but scenario directories may live there.
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(goldenDir, e.Name(), "expected.json")); !e.IsDir() || err != nil {
			t.Errorf("%s: not a scenario directory with an expected.json", e.Name())
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(goldenDir, "*", "expected.json"))
	label := regexp.MustCompile(`^[A-Z]$`)
	for _, exp := range dirs {
		dir := filepath.Dir(exp)
		name := filepath.Base(dir)
		caps, err := fakeapi.ReadCaptured(dir)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(exp)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Scenario string        `json:"scenario"`
			Requests []expectation `json:"requests"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", exp, err)
		}
		if doc.Scenario != name {
			t.Errorf("%s: scenario %q", exp, doc.Scenario)
		}
		var seqs, want []int
		bySeq := map[int]expectation{}
		for _, e := range doc.Requests {
			seqs = append(seqs, e.Seq)
			bySeq[e.Seq] = e
		}
		for _, c := range caps {
			want = append(want, c.Seq)
		}
		if !slices.Equal(seqs, want) {
			t.Errorf("%s: expectations for %v, captures %v", name, seqs, want)
		}
		for _, e := range doc.Requests {
			switch e.Kind {
			case "turn", "subagent", "compaction":
				if !label.MatchString(e.Conversation) || e.Branch == "" {
					t.Errorf("%s seq %d: conversation %q branch %q", name, e.Seq, e.Conversation, e.Branch)
				}
			case "auxiliary":
				if e.Conversation != "" && !label.MatchString(e.Conversation) || e.Branch != "" {
					t.Errorf("%s seq %d: an auxiliary request has conversation %q branch %q", name, e.Seq, e.Conversation, e.Branch)
				}
			default:
				t.Errorf("%s seq %d: kind %q", name, e.Seq, e.Kind)
			}
			if e.AgentCall != 0 && (e.Kind != "subagent" || bySeq[e.Parent].Conversation != e.ParentConversation) {
				t.Errorf("%s seq %d: agent_call %d on a request that is no sub-thread root", name, e.Seq, e.AgentCall)
			}
			if (e.Kind == "subagent") != (e.ParentConversation != "") {
				t.Errorf("%s seq %d: kind %s with parent_conversation %q", name, e.Seq, e.Kind, e.ParentConversation)
			}
			if e.Parent != 0 {
				p, ok := bySeq[e.Parent]
				if !ok || e.Parent >= e.Seq {
					t.Errorf("%s seq %d: parent %d", name, e.Seq, e.Parent)
				} else if p.Conversation != e.Conversation && p.Conversation != e.ParentConversation {
					t.Errorf("%s seq %d: parent %d is in conversation %s", name, e.Seq, e.Parent, p.Conversation)
				}
			}
			if strings.TrimSpace(e.Why) == "" {
				t.Errorf("%s seq %d: no why", name, e.Seq)
			}
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			low := strings.ToLower(string(data))
			if strings.Contains(low, "x-api-key") || strings.Contains(low, `"authorization"`) || strings.Contains(low, "sk-ant-api") {
				t.Errorf("%s holds a credential or credential header", f)
			}
		}
	}
}
