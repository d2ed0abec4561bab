package conversation

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Builders for Claude Code-shaped traffic: request bodies as Claude Code 2.x sends them
// (system prompt blocks with a billing header and cache_control, reminders, thinking blocks,
// tool loops, metadata.user_id) and answers as the API returns them (JSON or an event stream).

type block = map[string]any

// msg is one message of a request, in wire form.
type msg = map[string]any

func text(s string) block { return block{"type": "text", "text": s} }

func reminder(s string) string { return "<system-reminder>\n" + s + "\n</system-reminder>" }

func thinking(s string) block {
	return block{"type": "thinking", "thinking": s, "signature": "EqQBCkYIBxgCKkD" + fmt.Sprint(len(s))}
}

func toolUse(id, name string, input map[string]any) block {
	return block{"type": "tool_use", "id": id, "name": name, "input": input}
}

func toolResult(id string, content any) block {
	return block{"type": "tool_result", "tool_use_id": id, "content": content}
}

func cached(b block) block {
	c := block{"cache_control": map[string]any{"type": "ephemeral"}}
	for k, v := range b {
		c[k] = v
	}
	return c
}

// content turns strings into text blocks.
func content(parts []any) []any {
	out := make([]any, len(parts))
	for i, p := range parts {
		if s, ok := p.(string); ok {
			out[i] = text(s)
		} else {
			out[i] = p
		}
	}
	return out
}

func user(parts ...any) msg      { return msg{"role": "user", "content": content(parts)} }
func assistant(parts ...any) msg { return msg{"role": "assistant", "content": content(parts)} }

// history is a message list; appending never changes an earlier history, so rewinds are
// h[:k].
type history []msg

func (h history) add(m ...msg) history { return append(h[:len(h):len(h)], m...) }

const mainSystem = `You are an interactive CLI tool that helps users with software engineering tasks.

# Tone and style
You should be concise, direct, and to the point.

Here is useful information about the environment you are running in:
<env>
Working directory: /home/dev/nexus
Is directory a git repo: Yes
Platform: linux
Today's date: 2025-11-27
</env>
You are powered by the model named Opus 4.5.

gitStatus: This is the git status at the start of the conversation.
Current branch: main

Status:
M store/open.go

Recent commits:
3fbd41b store: the requests SQL
ee37f5a ScanRequestMeta matches keys case-insensitively`

const sessionA = "5d9c5a8e-2a63-4a36-9f55-3b1f0c2e7d41"

// ccRequest is a request body's options.
type ccRequest struct {
	system  []string // system blocks after the billing header; mainSystem when nil
	noTools bool
	session string
	model   string
	max     int
}

// body returns the request body of msgs.
func (o ccRequest) body(t testing.TB, msgs ...msg) []byte {
	t.Helper()
	sys := []any{text("x-anthropic-billing-header: cc_version=2.0.14.a3f; cc_entrypoint=cli")}
	blocks := o.system
	if blocks == nil {
		blocks = []string{"You are Claude Code, Anthropic's official CLI for Claude.", mainSystem}
	}
	for _, s := range blocks {
		sys = append(sys, cached(text(s)))
	}
	session := o.session
	if session == "" {
		session = sessionA
	}
	model, max := o.model, o.max
	if model == "" {
		model, max = "claude-opus-4-5-20251101", 32000
	}
	req := map[string]any{
		"model":      model,
		"max_tokens": max,
		"messages":   msgs,
		"system":     sys,
		"metadata":   map[string]any{"user_id": "user_8d2c_account_2bcd5d0d_session_" + session},
		"stream":     true,
	}
	if !o.noTools {
		req["tools"] = []any{
			map[string]any{"name": "Task", "description": "Launch a new agent", "input_schema": map[string]any{"type": "object"}},
			map[string]any{"name": "Bash", "description": "Run a command", "input_schema": map[string]any{"type": "object"}},
			map[string]any{"name": "Read", "description": "Read a file", "input_schema": map[string]any{"type": "object"}},
		}
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cc is a main-loop request of Claude Code.
func cc(t testing.TB, msgs ...msg) []byte { return ccRequest{}.body(t, msgs...) }

// answerJSON is a non-streaming answer carrying blocks.
func answerJSON(t testing.TB, blocks ...any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
		"model": "claude-opus-4-5-20251101", "content": content(blocks), "stop_reason": "end_turn",
		"usage": map[string]any{"input_tokens": 12, "output_tokens": 40},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// answerSSE is a streamed answer carrying blocks: text in small deltas, tool inputs as
// fragments of their JSON, thinking with a signature.
func answerSSE(t testing.TB, blocks ...any) []byte {
	t.Helper()
	var b strings.Builder
	ev := func(name string, data any) {
		j, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", name, j)
	}
	ev("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": "msg_01", "type": "message", "role": "assistant", "content": []any{}, "model": "claude-opus-4-5-20251101",
		"usage": map[string]any{"input_tokens": 12, "output_tokens": 1}}})
	for i, x := range content(blocks) {
		blk := x.(block)
		switch blk["type"] {
		case "text":
			ev("content_block_start", map[string]any{"type": "content_block_start", "index": i, "content_block": block{"type": "text", "text": ""}})
			for _, piece := range chunks(blk["text"].(string), 7) {
				ev("content_block_delta", map[string]any{"type": "content_block_delta", "index": i, "delta": block{"type": "text_delta", "text": piece}})
			}
		case "thinking":
			ev("content_block_start", map[string]any{"type": "content_block_start", "index": i, "content_block": block{"type": "thinking", "thinking": ""}})
			ev("content_block_delta", map[string]any{"type": "content_block_delta", "index": i, "delta": block{"type": "thinking_delta", "thinking": blk["thinking"]}})
			ev("content_block_delta", map[string]any{"type": "content_block_delta", "index": i, "delta": block{"type": "signature_delta", "signature": blk["signature"]}})
		case "tool_use":
			ev("content_block_start", map[string]any{"type": "content_block_start", "index": i, "content_block": block{"type": "tool_use", "id": blk["id"], "name": blk["name"], "input": map[string]any{}}})
			in, _ := json.Marshal(blk["input"])
			for _, piece := range chunks(string(in), 5) {
				ev("content_block_delta", map[string]any{"type": "content_block_delta", "index": i, "delta": block{"type": "input_json_delta", "partial_json": piece}})
			}
		}
		ev("content_block_stop", map[string]any{"type": "content_block_stop", "index": i})
	}
	ev("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn"}, "usage": map[string]any{"output_tokens": 40}})
	ev("message_stop", map[string]any{"type": "message_stop"})
	return []byte(b.String())
}

func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}

// asMessage is the assistant message a client sends back for answer blocks.
func asMessage(blocks ...any) msg { return assistant(blocks...) }

// compactPrompt is the start of Claude Code's summary instruction.
const compactPrompt = `CRITICAL: Respond with TEXT ONLY. Do NOT call any tools.

- Do NOT use Read, Bash, Grep, Glob, Edit, Write, or ANY other tool.
- Your entire response must be plain text: an <analysis> block followed by a <summary> block.

Your task is to create a detailed summary of the conversation so far, paying close attention to the user's explicit requests and your previous actions.
This summary should be thorough in capturing technical details, code patterns, and architectural decisions.`

// compactAnswer is a summarisation answer as the model writes it.
func compactAnswer(topic string) string {
	return "<analysis>\nLet me go through the conversation chronologically.\n1. The user asked about " + topic + ".\n</analysis>\n\n<summary>\n" +
		"1. Primary Request and Intent:\n   The user asked to " + topic + " in the Nexus store package, and to keep the tests green.\n\n\n" +
		"2. Key Technical Concepts:\n   - Go 1.26, database/sql, modernc.org/sqlite\n   - Table tests with real collaborators\n\n" +
		"3. Files and Code Sections:\n   - store/open.go\n      - Open now sets the busy timeout\n      ```go\n      db.Exec(\"PRAGMA busy_timeout = 5000\")\n      ```\n\n" +
		"8. Current Work:\n   Running the linter after fixing TestOpen.\n</summary>"
}

var (
	analysisRE = regexp.MustCompile(`(?s)<analysis>.*?</analysis>`)
	summaryRE  = regexp.MustCompile(`(?s)<summary>(.*?)</summary>`)
	blankRunRE = regexp.MustCompile(`\n\n+`)
)

// continuedMessage is the user message Claude Code starts over with after a compaction
// (formatCompactSummary and getCompactUserSummaryMessage).
func continuedMessage(answer string) string {
	s := analysisRE.ReplaceAllString(answer, "")
	if m := summaryRE.FindStringSubmatch(s); m != nil {
		s = summaryRE.ReplaceAllLiteralString(s, "Summary:\n"+strings.TrimSpace(m[1]))
	}
	s = strings.TrimSpace(blankRunRE.ReplaceAllString(s, "\n\n"))
	return "This session is being continued from a previous conversation that ran out of context. The summary below covers the earlier portion of the conversation.\n\n" +
		s + "\n\nIf you need specific details from before compaction (like exact code snippets, error messages, or content you generated), read the full transcript at: /home/dev/.claude/projects/-home-dev-nexus/5d9c5a8e.jsonl" +
		"\nContinue the conversation from where it left off without asking the user any further questions. Resume directly — do not acknowledge the summary."
}
