package fakeapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nexus/internal/fakeapi"
)

// ccBody builds a Claude Code-like request: a role "system" message after the first user
// message, as Claude Code 2.x sends, and the given tools.
func ccBody(stream bool, tools []string, messages ...any) string {
	var ts []any
	for _, name := range tools {
		ts = append(ts, map[string]any{"name": name, "input_schema": map[string]any{
			"type": "object", "properties": map[string]any{"prompt": map[string]any{"type": "string"}, "run_in_background": map[string]any{"type": "boolean"}},
		}})
	}
	msgs := []any{messages[0], map[string]any{"role": "system", "content": []any{map[string]any{"type": "text", "text": "# Environment"}}}}
	msgs = append(msgs, messages[1:]...)
	b, _ := json.Marshal(map[string]any{
		"model": "claude-opus-4-5", "max_tokens": 32000, "stream": stream, "tools": ts,
		"system":   []any{map[string]any{"type": "text", "text": "You are Claude Code."}},
		"messages": msgs,
		"metadata": map[string]any{"user_id": `{"session_id":"s1"}`},
	})
	return string(b)
}

func ccUser(items ...any) map[string]any { return map[string]any{"role": "user", "content": items} }
func ccAssistant(items ...any) map[string]any {
	return map[string]any{"role": "assistant", "content": items}
}
func ccText(s string) map[string]any { return map[string]any{"type": "text", "text": s} }
func ccToolResult(id, content string) map[string]any {
	return map[string]any{"type": "tool_result", "tool_use_id": id, "content": content}
}

const ccReminder = "<system-reminder>\nAttribution.\n</system-reminder>\n"

// ccAsk sends body to a fake in Claude Code mode and returns the non-streamed message.
func ccAsk(t *testing.T, srv *fakeapi.Server, body string) map[string]any {
	t.Helper()
	resp := do(t, srv, "POST", "/v1/messages?beta=true", body)
	var msg map[string]any
	decode(t, resp, &msg)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %v", resp.StatusCode, msg)
	}
	return msg
}

func ccStart(t *testing.T) *fakeapi.Server {
	srv := start(t)
	srv.ClaudeCode(true)
	return srv
}

func ccBlocks(msg map[string]any) []map[string]any {
	var out []map[string]any
	for _, b := range msg["content"].([]any) {
		out = append(out, b.(map[string]any))
	}
	return out
}

func TestClaudeCodeToolLoop(t *testing.T) {
	srv := ccStart(t)
	tools := []string{"Agent", "Bash"}
	prompt := ccUser(ccText(ccReminder), ccText("Go: [[bash: echo one]] then [[bash: echo two]]"))

	msg := ccAsk(t, srv, ccBody(false, tools, prompt))
	bs := ccBlocks(msg)
	if msg["stop_reason"] != "tool_use" || len(bs) != 2 || bs[1]["name"] != "Bash" || get(bs[1], "input", "command") != "echo one" {
		t.Fatalf("first step: %v", msg)
	}
	id1 := bs[1]["id"].(string)
	step1 := ccAssistant(bs[0], bs[1])

	msg = ccAsk(t, srv, ccBody(false, tools, prompt, step1, ccUser(ccToolResult(id1, "one"))))
	bs = ccBlocks(msg)
	if msg["stop_reason"] != "tool_use" || get(bs[1], "input", "command") != "echo two" {
		t.Fatalf("second step: %v", msg)
	}
	id2 := bs[1]["id"].(string)
	if id2 == id1 {
		t.Errorf("tool ids repeat: %s", id1)
	}

	msg = ccAsk(t, srv, ccBody(false, tools, prompt, step1, ccUser(ccToolResult(id1, "one")), ccAssistant(bs[0], bs[1]), ccUser(ccToolResult(id2, "two"))))
	bs = ccBlocks(msg)
	if msg["stop_reason"] != "end_turn" || len(bs) != 1 || !strings.Contains(bs[0]["text"].(string), "two") {
		t.Fatalf("final: %v", msg)
	}
	if got := srv.Requests()[2].Scenario; got != "claude-code:after_tools" {
		t.Errorf("recorded scenario %q", got)
	}
}

func TestClaudeCodeAgents(t *testing.T) {
	srv := ccStart(t)
	// Joined directives are one step; an agent prompt keeps its nested directive.
	prompt := ccUser(ccText("[[agent: Count files. [[bash: ls]]]]+[[agent: Say beta.]]"))
	msg := ccAsk(t, srv, ccBody(false, []string{"Task", "Bash"}, prompt))
	bs := ccBlocks(msg)
	if len(bs) != 3 {
		t.Fatalf("want text and two tool_use blocks: %v", msg)
	}
	for i, want := range []string{"Count files. [[bash: ls]]", "Say beta."} {
		b := bs[i+1]
		if b["name"] != "Task" || get(b, "input", "prompt") != want || get(b, "input", "subagent_type") != "general-purpose" ||
			get(b, "input", "run_in_background") != false || get(b, "input", "description") == "" {
			t.Errorf("call %d: %v", i, b)
		}
	}
	// The sub-agent's own first request runs the nested directive.
	msg = ccAsk(t, srv, ccBody(false, []string{"Bash"}, ccUser(ccText(ccReminder), ccText("Count files. [[bash: ls]]"))))
	if bs := ccBlocks(msg); len(bs) != 2 || get(bs[1], "input", "command") != "ls" {
		t.Errorf("sub-agent: %v", msg)
	}
	// Without an Agent or Task tool there is nothing to call.
	msg = ccAsk(t, srv, ccBody(false, []string{"Bash"}, ccUser(ccText("[[agent: x]]"))))
	if msg["stop_reason"] != "end_turn" {
		t.Errorf("no agent tool: %v", msg)
	}
}

func TestClaudeCodeSideRequests(t *testing.T) {
	srv := ccStart(t)
	msg := ccAsk(t, srv, `{"model":"claude-haiku-4-5","max_tokens":1,"messages":[{"role":"user","content":"quota"}]}`)
	if ccBlocks(msg)[0]["text"] != "ok" {
		t.Errorf("quota: %v", msg)
	}

	title := `{"model":"claude-haiku-4-5","max_tokens":100,"system":[{"type":"text","text":"Name the session."}],
		"messages":[{"role":"user","content":[{"type":"text","text":"<session>\nfix the parser in scan.go\n</session>\n\nWrite the title."}]}],
		"output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{"title":{"type":"string"}},"required":["title"]}}}}`
	msg = ccAsk(t, srv, title)
	var got struct{ Title string }
	if err := json.Unmarshal([]byte(ccBlocks(msg)[0]["text"].(string)), &got); err != nil || got.Title != "Fix the parser in scan.go" {
		t.Errorf("title: %v (%v)", msg, err)
	}

	topic := `{"model":"claude-haiku-4-5","max_tokens":100,"system":"Analyze if this message indicates a new conversation topic. Format your response as a JSON object with two fields: 'isNewTopic' (boolean) and 'title' (string or null).",
		"messages":[{"role":"user","content":"refactor the store"}]}`
	msg = ccAsk(t, srv, topic)
	if s := ccBlocks(msg)[0]["text"].(string); !json.Valid([]byte(s)) || !strings.Contains(s, `"isNewTopic": true`) {
		t.Errorf("topic: %s", s)
	}
}

func TestClaudeCodeSummary(t *testing.T) {
	srv := ccStart(t)
	body := ccBody(true, []string{"Bash"},
		ccUser(ccText("Remember 42.")), ccAssistant(ccText("Answer.")),
		ccUser(ccText("Second.\n\nYour task is to create a detailed summary of the conversation so far, paying close attention to the user's explicit requests.")))
	resp := do(t, srv, "POST", "/v1/messages?beta=true", body)
	evs, err := readEvents(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Join(deltaTexts(evs, 0), "")
	summary, ok := ccBetween(s, "<summary>", "</summary>")
	if !strings.HasPrefix(s, "<analysis>") || !ok || len(summary) < 2000 || !strings.Contains(summary, `"Remember 42."`) {
		t.Errorf("summary of %d bytes (inner %d):\n%s", len(s), len(summary), s)
	}
	if strings.Contains(summary, "create a detailed summary") {
		t.Error("the summary lists the summary instruction as a user message")
	}
}

func ccBetween(s, open, close string) (string, bool) {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return "", false
	}
	inner, _, ok := strings.Cut(rest, close)
	return inner, ok
}

func TestClaudeCodeDefaultAndDeterminism(t *testing.T) {
	srv := ccStart(t)
	body := ccBody(true, []string{"Bash"}, ccUser(ccText(ccReminder), ccText("hello")))
	var answers [2]string
	for i := range answers {
		resp := do(t, srv, "POST", "/v1/messages?beta=true", body)
		b, err := readAll(t, resp)
		if err != nil {
			t.Fatal(err)
		}
		answers[i] = string(b)
	}
	if answers[0] != answers[1] {
		t.Errorf("the same body got different answers:\n%s\n%s", answers[0], answers[1])
	}
	if !strings.Contains(answers[0], "Answer ") || !strings.Contains(answers[0], "event: message_stop") {
		t.Errorf("answer: %s", answers[0])
	}
	u := srv.Requests()[0].Usage
	if u.CacheReadInputTokens == 0 || u.InputTokens > 10 || u.OutputTokens < 1 {
		t.Errorf("usage does not look cached: %+v", u)
	}

	// Queued replies and the scenario header still win.
	srv.Enqueue(fakeapi.Reply{Scenario: "error:529"})
	if resp := do(t, srv, "POST", "/v1/messages", body); resp.StatusCode != 529 {
		t.Errorf("queued reply: status %d", resp.StatusCode)
	}
	if resp := do(t, srv, "POST", "/v1/messages", body, fakeapi.ScenarioHeader, "error:500"); resp.StatusCode != 500 {
		t.Errorf("scenario header: status %d", resp.StatusCode)
	}
}

// TestClaudeCodeGoldenAnswers replays every captured Messages request of the golden corpus
// and checks that the responder still answers byte for byte what Claude Code received: a
// change to the responder must come with a new capture (scripts/capture-claude-code.sh).
func TestClaudeCodeGoldenAnswers(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(goldenDir, "*"))
	srv := ccStart(t)
	n := 0
	for _, dir := range dirs {
		caps, err := fakeapi.ReadCaptured(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range caps {
			if c.Method != "POST" || c.Path != "/v1/messages" {
				continue
			}
			n++
			req, _ := http.NewRequest("POST", srv.URL()+c.Path+"?"+c.Query, strings.NewReader(string(c.Request)))
			req.Header.Set("x-api-key", "sk-ant-test")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(got) != c.Response {
				t.Errorf("%s/%04d: the responder's answer changed:\n got %.300s\nwant %.300s", filepath.Base(dir), c.Seq, got, c.Response)
			}
		}
	}
	if n == 0 {
		if _, err := os.Stat(goldenDir); err == nil {
			t.Error("no Messages requests in the golden corpus")
		}
	}
	t.Logf("%d captured requests answered identically", n)
}

var goldenDir = filepath.Join("..", "..", "conversation", "testdata", "golden")
