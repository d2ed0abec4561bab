package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Builders for traffic shaped like Claude Code 2.x's: a system prompt in blocks with a
// billing header and cache_control, the tool list, messages with text, tool_use and
// tool_result blocks, cache_control on the last message's last block, metadata.user_id, and
// answers streamed as the API streams them.

type cacheControl struct {
	Type string `json:"type"`
}

var ephemeral = &cacheControl{Type: "ephemeral"}

// block is a content block; field order is the wire's.
type block struct {
	Type         string          `json:"type"`
	ToolUseID    string          `json:"tool_use_id,omitempty"`
	ID           string          `json:"id,omitempty"`
	Name         string          `json:"name,omitempty"`
	Input        json.RawMessage `json:"input,omitempty"`
	Text         string          `json:"text,omitempty"`
	Content      string          `json:"content,omitempty"`
	CacheControl *cacheControl   `json:"cache_control,omitempty"`
}

type message struct {
	Role    string  `json:"role"`
	Content []block `json:"content"`
}

// marshal is JSON as JavaScript's JSON.stringify writes it (no HTML escaping).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// render is a message as sent; cached marks its last block with cache_control, as Claude
// Code marks the last message of every request.
func render(m message, cached bool) []byte {
	if cached {
		c := append([]block(nil), m.Content...)
		c[len(c)-1].CacheControl = ephemeral
		m.Content = c
	}
	return marshal(m)
}

// requestBody is a Messages request with Claude Code's key order. history holds the rendered
// messages before the last one, which is rendered with cache_control.
func requestBody(model string, history [][]byte, last message, system, tools []byte, userID string, maxTokens int) []byte {
	n := len(system) + len(tools) + 256
	for _, h := range history {
		n += len(h) + 1
	}
	b := bytes.NewBuffer(make([]byte, 0, n+4096))
	fmt.Fprintf(b, `{"model":%q,"messages":[`, model)
	for _, h := range history {
		b.Write(h)
		b.WriteByte(',')
	}
	b.Write(render(last, true))
	b.WriteString(`],"system":`)
	b.Write(system)
	if tools != nil {
		b.WriteString(`,"tools":`)
		b.Write(tools)
	}
	fmt.Fprintf(b, `,"metadata":{"user_id":%q},"max_tokens":%d,"stream":true}`, userID, maxTokens)
	return b.Bytes()
}

// systemPrompt is Claude Code's system: the billing header, the identity line and the main
// prompt with its environment section, about size bytes.
func systemPrompt(w *words, size int, cwd, date string) []byte {
	env := fmt.Sprintf("\n\nHere is useful information about the environment you are running in:\n<env>\nWorking directory: %s\n"+
		"Is directory a git repo: Yes\nPlatform: linux\nOS Version: Linux 6.1.0-31-amd64\nToday's date: %s\n</env>\n"+
		"You are powered by the model named Opus 4.5. The exact model ID is claude-opus-4-5-20251101.\n\n"+
		"gitStatus: This is the git status at the start of the conversation.\nCurrent branch: main\n\nStatus:\nM %s\n?? %s\n\n"+
		"Recent commits:\n%s %s\n%s %s", cwd, date, w.path(), w.path(), w.hexID(7), w.prose(60), w.hexID(7), w.prose(60))
	blocks := []block{
		{Type: "text", Text: "x-anthropic-billing-header: cc_version=2.0.14.a3f; cc_entrypoint=cli"},
		{Type: "text", Text: "You are Claude Code, Anthropic's official CLI for Claude.", CacheControl: ephemeral},
		{Type: "text", Text: w.prose(max(size-len(env)-200, 100)) + env, CacheControl: ephemeral},
	}
	return marshal(blocks)
}

var toolNames = []string{"Task", "Bash", "Glob", "Grep", "ExitPlanMode", "Read", "Edit", "Write", "NotebookEdit",
	"WebFetch", "TodoWrite", "WebSearch", "BashOutput", "KillShell", "SlashCommand", "Skill", "mcp__ide__getDiagnostics"}

// toolList is a tool list of about size bytes: Claude Code's tools with long descriptions and
// JSON schemas.
func toolList(w *words, size int) []byte {
	type prop struct {
		Type        string `json:"type"`
		Description string `json:"description"`
	}
	type schema struct {
		Type       string          `json:"type"`
		Properties map[string]prop `json:"properties"`
		Required   []string        `json:"required"`
		Additional bool            `json:"additionalProperties"`
		Schema     string          `json:"$schema"`
	}
	type tool struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		InputSchema schema `json:"input_schema"`
	}
	per := size / len(toolNames)
	var tools []tool
	for _, name := range toolNames {
		props := map[string]prop{}
		var req []string
		for range 1 + w.rng.IntN(4) {
			p := w.ident()
			props[p] = prop{Type: []string{"string", "number", "boolean"}[w.rng.IntN(3)], Description: w.prose(40 + w.rng.IntN(120))}
			req = append(req, p)
		}
		desc := w.prose(max(per*3/4+w.rng.IntN(per/2+1)-300, 50))
		tools = append(tools, tool{Name: name, Description: desc,
			InputSchema: schema{Type: "object", Properties: props, Required: req[:1],
				Schema: "http://json-schema.org/draft-07/schema#"}})
	}
	return marshal(tools)
}

// answer is an assistant message: text, and a tool call unless the turn ends.
func answer(w *words, textSize int, toolUse bool, resultSize int) (msg message, result message) {
	msg = message{Role: "assistant", Content: []block{{Type: "text", Text: w.prose(textSize)}}}
	if !toolUse {
		return msg, message{}
	}
	id := "toolu_01" + w.base62(22)
	var input, output string
	switch name := []string{"Read", "Read", "Bash", "Grep", "Edit"}[w.rng.IntN(5)]; name {
	case "Read":
		input = string(marshal(map[string]string{"file_path": w.path()}))
		output = w.code(resultSize, true)
	case "Bash":
		input = string(marshal(map[string]string{"command": "go test ./" + w.ident() + "/...", "description": w.prose(30)}))
		output = w.prose(resultSize/3) + "\n" + w.code(resultSize*2/3, false)
	case "Grep":
		input = string(marshal(map[string]string{"pattern": w.ident(), "path": "/home/dev/" + w.ident()}))
		var b strings.Builder
		for b.Len() < resultSize {
			fmt.Fprintf(&b, "%s:%d:\t%s := %s(%s)\n", w.path(), 1+w.rng.IntN(900), w.ident(), w.ident(), w.ident())
		}
		output = b.String()
	case "Edit":
		input = string(marshal(map[string]string{"file_path": w.path(), "old_string": w.code(120, false),
			"new_string": w.code(160, false)}))
		output = "The file has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\n" +
			w.code(resultSize, true)
	}
	msg.Content = append(msg.Content, block{Type: "tool_use", ID: id, Name: toolName(input), Input: json.RawMessage(input)})
	result = message{Role: "user", Content: []block{{Type: "tool_result", ToolUseID: id, Content: output}}}
	return msg, result
}

// toolName names the tool by its input's shape (the switch above picked it).
func toolName(input string) string {
	switch {
	case strings.Contains(input, `"command"`):
		return "Bash"
	case strings.Contains(input, `"pattern"`):
		return "Grep"
	case strings.Contains(input, `"old_string"`):
		return "Edit"
	default:
		return "Read"
	}
}

// prompt is a new user message: a system reminder now and then, and the user's text.
func prompt(w *words, size int, reminder bool) message {
	m := message{Role: "user"}
	if reminder {
		m.Content = append(m.Content, block{Type: "text", Text: "<system-reminder>\nThe TodoWrite tool hasn't been used recently. " +
			w.prose(200+w.rng.IntN(400)) + "\n</system-reminder>"})
	}
	m.Content = append(m.Content, block{Type: "text", Text: w.prose(size)})
	return m
}

// usage is what an answer reports.
type usage struct {
	Input, Output, CacheWrite, CacheRead int64
}

// sse streams an assistant message as the Messages API does: message_start, a ping, the
// blocks in deltas of a few words (tool input in JSON fragments), message_delta and
// message_stop.
func sse(w *words, model, msgID string, m message, u usage) []byte {
	var b bytes.Buffer
	ev := func(name string, data any) {
		b.WriteString("event: ")
		b.WriteString(name)
		b.WriteString("\ndata: ")
		b.Write(marshal(data))
		b.WriteString("\n\n")
	}
	type obj = map[string]any
	ev("message_start", obj{"type": "message_start", "message": obj{"model": model, "id": msgID, "type": "message",
		"role": "assistant", "content": []any{}, "stop_reason": nil, "stop_sequence": nil,
		"usage": obj{"input_tokens": u.Input, "cache_creation_input_tokens": u.CacheWrite, "cache_read_input_tokens": u.CacheRead,
			"cache_creation": obj{"ephemeral_5m_input_tokens": u.CacheWrite, "ephemeral_1h_input_tokens": 0},
			"output_tokens":  1, "service_tier": "standard"}}})
	stop := "end_turn"
	for i, c := range m.Content {
		switch c.Type {
		case "text":
			ev("content_block_start", obj{"type": "content_block_start", "index": i, "content_block": obj{"type": "text", "text": ""}})
			if i == 0 {
				ev("ping", obj{"type": "ping"})
			}
			text := c.Text
			for len(text) > 0 {
				n := chunk(w, text, 2+w.rng.IntN(8))
				b.Write(deltaEvent(i, "text_delta", "text", text[:n]))
				text = text[n:]
			}
		case "tool_use":
			stop = "tool_use"
			ev("content_block_start", obj{"type": "content_block_start", "index": i,
				"content_block": obj{"type": "tool_use", "id": c.ID, "name": c.Name, "input": obj{}}})
			ev("content_block_delta", obj{"type": "content_block_delta", "index": i,
				"delta": obj{"type": "input_json_delta", "partial_json": ""}})
			in := string(c.Input)
			for len(in) > 0 {
				n := min(len(in), 8+w.rng.IntN(40))
				b.Write(deltaEvent(i, "input_json_delta", "partial_json", in[:n]))
				in = in[n:]
			}
		}
		ev("content_block_stop", obj{"type": "content_block_stop", "index": i})
	}
	ev("message_delta", obj{"type": "message_delta", "delta": obj{"stop_reason": stop, "stop_sequence": nil},
		"usage": obj{"input_tokens": u.Input, "cache_creation_input_tokens": u.CacheWrite, "cache_read_input_tokens": u.CacheRead,
			"output_tokens": u.Output}})
	ev("message_stop", obj{"type": "message_stop"})
	return b.Bytes()
}

// deltaEvent is a content_block_delta event as the API writes it, its keys in the API's
// order: {"type":"content_block_delta","index":N,"delta":{"type":kind,field:value}}.
// Written directly, without marshalling a value per event: a session's answer is hundreds of
// them, and the benchmark's own work should stay small beside the store's.
func deltaEvent(index int, kind, field, value string) []byte {
	b := make([]byte, 0, len(value)+len(field)+len(kind)+96)
	b = append(b, `event: content_block_delta`+"\ndata: "+`{"type":"content_block_delta","index":`...)
	b = strconv.AppendInt(b, int64(index), 10)
	b = append(b, `,"delta":{"type":"`...)
	b = append(b, kind...)
	b = append(b, `","`...)
	b = append(b, field...)
	b = append(b, `":`...)
	b = append(b, marshal(value)...)
	return append(b, `}}`+"\n\n"...)
}

// chunk is the length of the first n words of text (the whole text when shorter).
func chunk(w *words, text string, n int) int {
	at := 0
	for range n {
		i := strings.IndexByte(text[at:], ' ')
		if i < 0 {
			return len(text)
		}
		at += i + 1
	}
	return at
}
