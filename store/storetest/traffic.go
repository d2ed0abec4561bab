package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"nexus/content"
	"nexus/store"
)

// traffic builds Claude Code-shaped requests and answers and records them the way the
// recorder does (content.Bodies), so that the suite exercises storage and linking with the
// real preparation path.
type traffic struct {
	t      *testing.T
	s      store.Store
	codec  *content.Codec
	bodies *content.Bodies
	at     time.Time
	n      int
}

func newTraffic(t *testing.T, open Opener) *traffic {
	bodies, codec := NewBodies(t)
	return &traffic{t: t, s: open(t, codec), codec: codec, bodies: bodies, at: base}
}

// msg is one message of a conversation.
type msg struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

func user(text string) msg { return msg{"user", text} }
func assistant(text string) msg {
	return msg{"assistant", []map[string]any{{"type": "text", "text": text}}}
}

// systemPrompt and tools are large and the same on every call, as Claude Code's are.
var systemPrompt = []map[string]any{{"type": "text", "text": "You are Claude Code. " + strings.Repeat("Follow the rules. ", 600)}}
var tools = []map[string]any{{"name": "Bash", "description": strings.Repeat("Run a command. ", 400),
	"input_schema": map[string]any{"type": "object"}}}

// requestBody is a Claude Code call: its cache_control marker on the newest message only.
func requestBody(history []msg) []byte {
	msgs := make([]any, len(history))
	for i, m := range history {
		msgs[i] = m
	}
	if last := history[len(history)-1]; last.Role == "user" {
		if text, ok := last.Content.(string); ok {
			msgs[len(msgs)-1] = map[string]any{"role": "user", "content": []map[string]any{{"type": "text", "text": text,
				"cache_control": map[string]any{"type": "ephemeral"}}}}
		}
	}
	b, _ := json.Marshal(map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 32000, "stream": true,
		"system": systemPrompt, "tools": tools, "messages": msgs,
		"metadata": map[string]any{"user_id": "user_abc_account_def_session_s1"}})
	return b
}

// sse is a streamed answer with text and usage.
func sse(text string, in, out int64) []byte {
	data, _ := json.Marshal(text)
	return []byte(fmt.Sprintf("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":%d,\"output_tokens\":1}}}\n\n"+
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"+
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":%s}}\n\n"+
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"+
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":%d}}\n\n"+
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", in, data, out))
}

// send records one request with history and answer, one second after the previous one, and
// returns the stored record.
func (tr *traffic) send(client string, history []msg, answer string) store.Request {
	tr.t.Helper()
	tr.n++
	tr.at = tr.at.Add(time.Second)
	r := store.Request{ID: fmt.Sprintf("r_%04d", tr.n), StartedAt: tr.at, Method: "POST", Path: "/v1/messages",
		Model: "claude-sonnet-4-5", Stream: true, Kind: "turn", Status: 200, ClientKeyID: client, Account: "team",
		InputTokens: 100, OutputTokens: 10, CostUSD: 0.01, SessionID: "s-" + client}
	tr.bodies.Prepare(&r, requestBody(history), sse(answer, 100, 10))
	if err := tr.s.FinishRequest(ctx(tr.t), r); err != nil {
		tr.t.Fatalf("FinishRequest %s: %v", r.ID, err)
	}
	tr.bodies.Stored(r.Body)
	return tr.get(r.ID).Request
}

// prepareTurn is a finished turn of client k1 and session, prepared and not written: for
// tests that write records in an order of their own.
func (tr *traffic) prepareTurn(id string, at time.Time, session string, history []msg, answer string) store.Request {
	r := store.Request{ID: id, StartedAt: at, Method: "POST", Path: "/v1/messages", Status: 200,
		ClientKeyID: "k1", SessionID: session, Model: "claude-sonnet-4-5", InputTokens: 7}
	tr.bodies.Prepare(&r, requestBody(history), sse(answer, 7, 1))
	return r
}

func (tr *traffic) get(id string) store.RequestDetail {
	tr.t.Helper()
	d, err := tr.s.GetRequest(ctx(tr.t), id)
	if err != nil {
		tr.t.Fatalf("GetRequest %s: %v", id, err)
	}
	return d
}
