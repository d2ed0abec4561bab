package conversation

import (
	"strings"
	"testing"
)

func TestResponseKeys(t *testing.T) {
	first := user("find the tests of the store")
	req := keysOf(t, cc(t, first))
	blocks := []any{
		thinking("I should split the work."),
		"I'll use two agents.",
		toolUse("toolu_a", "Agent", map[string]any{"description": "Find tests", "prompt": "Find all tests that touch the store package.", "subagent_type": "Explore"}),
		toolUse("toolu_b", "Task", map[string]any{"description": "Find callers", "prompt": "Find callers of store.Open\r\n"}),
		toolUse("toolu_c", "Agent", map[string]any{"description": "no prompt"}),
		toolUse("toolu_d", "Read", map[string]any{"file_path": "/repo/store/open.go", "prompt": "not an agent"}),
	}
	next := keysOf(t, cc(t, first, asMessage(blocks...), user(
		toolResult("toolu_a", "store_test.go"), toolResult("toolu_b", "app.go"), toolResult("toolu_c", "?"), toolResult("toolu_d", "package store"))))
	for name, answer := range map[string][]byte{
		"json":   answerJSON(t, blocks...),
		"stream": answerSSE(t, blocks...),
		"stream in CRLF, without its last blank line": []byte(strings.TrimSuffix(
			strings.ReplaceAll(string(answerSSE(t, blocks...)), "\n", "\r\n"), "\r\n")),
	} {
		t.Run(name, func(t *testing.T) {
			k := ReadResponseKeys(req, answer)
			if k.Continuation != next.Prev1 {
				t.Error("the continuation is not the next request's p_{n-1}")
			}
			want := []Hash{promptHash("Find all tests that touch the store package."), promptHash("Find callers of store.Open"), {}}
			if len(k.AgentPrompts) != 3 || k.AgentPrompts[0] != want[0] || k.AgentPrompts[1] != want[1] || !k.AgentPrompts[2].IsZero() {
				t.Errorf("agent prompts %v", k.AgentPrompts)
			}
			if k.Text != "I'll use two agents." || ResponseText(answer) != k.Text {
				t.Errorf("text %q", k.Text)
			}
		})
	}
	for name, answer := range map[string]string{
		"error body":   `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
		"error stream": "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}\n\n",
		"empty":        "",
		"garbage":      "{not json",
	} {
		if k := ReadResponseKeys(req, []byte(answer)); !k.Continuation.IsZero() || k.AgentPrompts != nil || k.Text != "" {
			t.Errorf("%s: want no keys, got %+v", name, k)
		}
	}
}

func TestResponseKeysCutStream(t *testing.T) {
	req := keysOf(t, cc(t, user("hi")))
	full := string(answerSSE(t, "Hello there, how can I help?", toolUse("toolu_1", "Bash", map[string]any{"command": "ls"})))
	for _, n := range []int{0, 100, len(full) / 2, strings.LastIndex(full, "input_json_delta")} {
		k := ReadResponseKeys(req, []byte(full[:n])) // no panic, and a cut answer never equals the full one
		if n > 0 && k.Continuation == ReadResponseKeys(req, []byte(full)).Continuation {
			t.Errorf("cut at %d: same continuation as the full answer", n)
		}
	}
}

func TestResponseKeysOfARunningStream(t *testing.T) {
	req := keysOf(t, cc(t, user("review the store")))
	full := string(answerSSE(t, toolUse("toolu_a1", "Agent", map[string]any{"description": "Find tests", "prompt": "Find the tests."}),
		toolUse("toolu_a2", "Agent", map[string]any{"description": "Find callers", "prompt": "Find the callers."})))
	firstDone := strings.Index(full, "content_block_stop") + len("content_block_stop")
	firstDone += strings.Index(full[firstDone:], "\n\n") + 2
	k := ReadResponseKeys(req, []byte(full[:firstDone]))
	if len(k.AgentPrompts) != 1 || k.AgentPrompts[0] != promptHash("Find the tests.") {
		t.Errorf("after the first call: %v", k.AgentPrompts)
	}
	mid := strings.LastIndex(full, "input_json_delta")
	if k := ReadResponseKeys(req, []byte(full[:mid])); len(k.AgentPrompts) != 2 || !k.AgentPrompts[1].IsZero() {
		t.Errorf("during the second call: %v", k.AgentPrompts)
	}
}
