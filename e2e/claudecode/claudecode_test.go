//go:build e2e

// Package claudecode runs the real Claude Code CLI, pinned in cli/package.json, through
// `nexus serve` to the fake Anthropic API in its Claude Code mode, fully offline, and checks
// what nexus recorded. It installs nothing: run `cd e2e/claudecode/cli && npm ci` first
// (make test-e2e does).
//
// The same scenarios, captured straight against the fake, are the golden corpus in
// conversation/testdata/golden (scripts/capture-claude-code.sh).
package claudecode

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"nexus/e2e/nexustest"
	"nexus/internal/fakeapi"
)

// claudeBin returns the installed Claude Code, after checking it is the pinned version.
func claudeBin(t *testing.T) string {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join("cli", "node_modules", ".bin", "claude"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("Claude Code is not installed: run (cd e2e/claudecode/cli && npm ci) (%v)", err)
	}
	pkg, err := os.ReadFile(filepath.Join("cli", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(pkg, &manifest); err != nil {
		t.Fatal(err)
	}
	want := manifest.Dependencies["@anthropic-ai/claude-code"]
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	if got, _, _ := strings.Cut(strings.TrimSpace(string(out)), " "); got != want {
		t.Fatalf("installed Claude Code is %q, cli/package.json pins %q: run (cd e2e/claudecode/cli && npm ci)", got, want)
	}
	return bin
}

// stack is Claude Code → nexus serve → the fake API in Claude Code mode.
type stack struct {
	t      *testing.T
	env    *nexustest.Env
	fake   *fakeapi.Server
	server *nexustest.Server
	bin    string
	home   string // Claude Code's HOME
	work   string // its working directory
	key    string // the nexus client key Claude Code sends as its API key
}

func newStack(t *testing.T) *stack {
	bin := claudeBin(t)
	e := nexustest.NewEnv(t)
	fake := nexustest.StartFake(t)
	fake.ClaudeCode(true)
	apiKey, clientKey := e.SetupAccount()
	fake.AcceptAPIKeys(apiKey)
	s := e.Serve(fake.URL())
	dir := t.TempDir()
	st := &stack{t: t, env: e, fake: fake, server: s, bin: bin, home: filepath.Join(dir, "home"), work: filepath.Join(dir, "work"), key: clientKey}
	for _, d := range []string{st.home, st.work} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// result is the part of `claude -p --output-format json` the tests read.
type result struct {
	SessionID string `json:"session_id"`
	Result    string `json:"result"`
	IsError   bool   `json:"is_error"`
	NumTurns  int    `json:"num_turns"`
}

// claude runs `claude -p PROMPT ARGS...` offline against nexus.
func (s *stack) claude(prompt string, args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// --allowedTools takes a list, so it goes last.
	argv := append(append([]string{"-p", prompt}, args...), "--output-format", "json", "--max-turns", "10", "--allowedTools", "Bash,Agent")
	cmd := exec.CommandContext(ctx, s.bin, argv...)
	cmd.Dir = s.work
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + s.home, "SHELL=/bin/bash", "LANG=C.UTF-8", "TERM=dumb",
		"ANTHROPIC_BASE_URL=" + s.server.URL, "ANTHROPIC_API_KEY=" + s.key,
		"DISABLE_TELEMETRY=1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
		"DISABLE_AUTOUPDATER=1", "DISABLE_ERROR_REPORTING=1",
	}
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		s.t.Fatalf("claude %q: %v\nstdout: %s\nstderr: %s\nnexus log:\n%s", argv, err, out, stderr, s.server.Logs())
	}
	var r result
	if err := json.Unmarshal(out, &r); err != nil {
		s.t.Fatalf("claude output is not JSON: %v\n%s", err, out)
	}
	if r.IsError || r.SessionID == "" {
		s.t.Fatalf("claude %q failed: %s", argv, out)
	}
	return r
}

// recorded is one line of `nexus requests --json`, with the linking fields.
type recorded struct {
	nexustest.Recorded
	ConversationID string `json:"conversation_id"`
	Branch         string `json:"branch"`
}

// requests waits for n finished records and returns them, oldest first.
func (s *stack) requests(n int) []recorded {
	s.t.Helper()
	s.env.Requests(n) // waits
	out := s.env.Run("", "requests", "--json", "--limit", "1000", "--data-dir", s.env.DataDir)
	var doc struct {
		Requests []recorded `json:"requests"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		s.t.Fatalf("requests --json: %v\n%s", err, out)
	}
	recs := doc.Requests
	started := func(r recorded) time.Time {
		ts, err := time.Parse(time.RFC3339Nano, r.StartedAt)
		if err != nil {
			s.t.Fatalf("started_at %q: %v", r.StartedAt, err)
		}
		return ts
	}
	sort.SliceStable(recs, func(i, j int) bool { return started(recs[i]).Before(started(recs[j])) })
	return recs
}

// checkRecorded checks that nexus recorded exactly what reached the fake: every request a
// finished, successful Messages call of the session, with usage.
func (s *stack) checkRecorded(sessionID string, want int) []recorded {
	s.t.Helper()
	if got := s.fake.Count(); got != int64(want) {
		s.t.Errorf("the fake API received %d requests, want %d", got, want)
	}
	for _, r := range s.fake.Requests() {
		if got := r.Header.Get("X-Claude-Code-Session-Id"); got != sessionID {
			s.t.Errorf("upstream request without the session header: %q", got)
		}
	}
	recs := s.requests(want)
	if len(recs) != want {
		s.t.Fatalf("nexus recorded %d requests, want %d", len(recs), want)
	}
	for i, r := range recs {
		if r.Path != "/v1/messages" || r.Status != 200 || !r.Finished || r.Incomplete || !r.Stream {
			s.t.Errorf("request %d: %s %d finished=%v incomplete=%v stream=%v", i, r.Path, r.Status, r.Finished, r.Incomplete, r.Stream)
		}
		if r.Kind != "turn" {
			s.t.Errorf("request %d: kind %q, want turn", i, r.Kind)
		}
		if r.SessionID != sessionID {
			s.t.Errorf("request %d: session_id %q, want %q", i, r.SessionID, sessionID)
		}
		if r.Model == "" || r.InputTokens <= 0 || r.OutputTokens <= 0 || r.CacheReadInputTokens <= 0 {
			s.t.Errorf("request %d: model %q usage in %d out %d cache read %d", i, r.Model, r.InputTokens, r.OutputTokens, r.CacheReadInputTokens)
		}
	}
	return recs
}

// TestClaudeCodeSimple: a prompt and two --continue turns, the golden scenario "simple".
func TestClaudeCodeSimple(t *testing.T) {
	s := newStack(t)
	first := s.claude("hello")
	for range 2 {
		if r := s.claude("and again", "--continue"); r.SessionID != first.SessionID {
			t.Fatalf("--continue switched sessions: %s, then %s", first.SessionID, r.SessionID)
		}
	}
	if !strings.HasPrefix(first.Result, "Answer ") {
		t.Errorf("Claude Code printed %q: not the fake's answer", first.Result)
	}
	recs := s.checkRecorded(first.SessionID, 3)

	// Conversation linking (conversation/link.go, spec §2): the three turns of one session
	// are one conversation. This fails with a nexus built before linking landed. The full
	// expectations (branches, kinds, sub-threads) are in conversation/testdata/golden.
	for i, r := range recs {
		if r.ConversationID == "" || r.ConversationID != recs[0].ConversationID {
			t.Errorf("request %d: conversation_id %q, want the first request's %q (one conversation for all turns of the session)",
				i, r.ConversationID, recs[0].ConversationID)
		}
	}
}

// TestClaudeCodeToolLoop: Bash tool calls in sequence and in parallel, the golden scenario
// "tool-loop": 3 requests for the first prompt, 2 for the second.
func TestClaudeCodeToolLoop(t *testing.T) {
	s := newStack(t)
	first := s.claude("Check the shell: [[bash: echo one]] then [[bash: echo two]]")
	if !strings.Contains(first.Result, "one") || !strings.Contains(first.Result, "two") {
		t.Errorf("final answer %q lacks the tool results", first.Result)
	}
	second := s.claude("Both at once: [[bash: echo three]]+[[bash: echo four]]", "--continue")
	if second.SessionID != first.SessionID {
		t.Fatalf("--continue switched sessions: %s, then %s", first.SessionID, second.SessionID)
	}
	recs := s.checkRecorded(first.SessionID, 5)
	for i, r := range recs {
		if r.ConversationID == "" || r.ConversationID != recs[0].ConversationID {
			t.Errorf("request %d: conversation_id %q, want %q: a tool loop stays in its conversation", i,
				r.ConversationID, recs[0].ConversationID)
		}
	}

	// The fake saw each tool_result come back: the last request carries both parallel ones.
	reqs := s.fake.Requests()
	last := string(reqs[len(reqs)-1].Body)
	if n := len(regexp.MustCompile(`"type":"tool_result"`).FindAllString(last, -1)); n != 4 {
		t.Errorf("the last request carries %d tool results, want 4", n)
	}
}

// TestClaudeCodeAgent: an Agent call becomes a sub-thread under the conversation that made
// it, the golden scenario "agent".
func TestClaudeCodeAgent(t *testing.T) {
	s := newStack(t)
	s.claude("Delegate this: [[agent: list the files in this folder with [[bash: ls]]]]")
	n := s.fake.Count()
	s.requests(int(n))
	out := s.env.Run("", "conversations", "--json", "--data-dir", s.env.DataDir)
	var doc struct {
		Conversations []struct {
			ID                   string `json:"id"`
			Title                string `json:"title"`
			RequestCount         int    `json:"request_count"`
			ParentConversationID string `json:"parent_conversation_id"`
			ParentRequestID      string `json:"parent_request_id"`
		} `json:"conversations"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("conversations --json: %v\n%s", err, out)
	}
	var roots, subs int
	var rootID string
	for _, c := range doc.Conversations {
		if c.ParentConversationID == "" {
			roots++
			rootID = c.ID
		} else {
			subs++
		}
	}
	if roots != 1 || subs != 1 {
		t.Fatalf("%d conversations and %d sub-threads, want 1 and 1:\n%s", roots, subs, out)
	}
	for _, c := range doc.Conversations {
		if c.ParentConversationID != "" && (c.ParentConversationID != rootID || c.ParentRequestID == "" || c.RequestCount < 1) {
			t.Errorf("sub-thread %+v does not hang off %s", c, rootID)
		}
	}
}
