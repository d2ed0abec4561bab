package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// nexusSent counts requests sent through Nexus, to compare with what it recorded.
var nexusSent atomic.Int64

// claudeCodeBody returns a Messages request shaped like Claude Code's, about size bytes: a
// long system prompt, a tool list, and a history of turns.
func claudeCodeBody(size int, stream bool, scenario string) []byte {
	filler := func(n int, seed string) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(seed)
		}
		return b.String()[:n]
	}
	type tool struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		InputSchema map[string]any `json:"input_schema"`
	}
	tools := make([]tool, 16)
	for i := range tools {
		tools[i] = tool{Name: fmt.Sprintf("Tool%d", i), Description: filler(size/64, "Use this tool to work with files. "),
			InputSchema: map[string]any{"type": "object", "properties": map[string]any{"path": map[string]any{"type": "string"}}}}
	}
	var messages []map[string]any
	turn := 0
	for {
		messages = append(messages,
			map[string]any{"role": "user", "content": []map[string]any{{"type": "text", "text": filler(size/40, fmt.Sprintf("turn %d: please look at the code. ", turn))}}},
			map[string]any{"role": "assistant", "content": []map[string]any{{"type": "text", "text": filler(size/40, "Here is what I found in the code. ")}}})
		turn++
		b, _ := json.Marshal(messages)
		if len(b) > size*2/3 {
			break
		}
	}
	messages = append(messages, map[string]any{"role": "user", "content": "scenario:" + scenario + " continue"})
	body, _ := json.Marshal(map[string]any{
		"model": "claude-sonnet-4-6", "max_tokens": 32000, "stream": stream,
		"system":   []map[string]any{{"type": "text", "text": filler(size/8, "You are Claude Code, a coding assistant. ")}},
		"tools":    tools,
		"messages": messages,
		"metadata": map[string]any{"user_id": "user_bench_account_bench_session_0b8e7d1a-2f7c-4f7e-9a55-3f0f2f9d2b11"},
	})
	return body
}

func (s *sides) newRequest(sd side, body []byte, scenario string) *http.Request {
	req, _ := http.NewRequest("POST", sd.base+"/v1/messages?beta=true", bytes.NewReader(body))
	req.Header.Set("content-type", "application/json")
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14")
	req.Header.Set("x-api-key", sd.key)
	// Claude Code sends its session id with every request (and so the proxy need not read
	// the body for it).
	req.Header.Set("X-Claude-Code-Session-Id", "0b8e7d1a-2f7c-4f7e-9a55-3f0f2f9d2b11")
	if scenario != "" {
		req.Header.Set("x-fake-scenario", scenario)
	}
	if sd.name == "Nexus" {
		nexusSent.Add(1)
	}
	return req
}

// result is one request's client-side view.
type result struct {
	total      time.Duration // send to last byte
	firstEvent time.Duration // send to the first SSE event (streams)
	events     []eventSeen
	complete   bool // JSON read whole, or a stream reached message_stop
	err        error
}

type eventSeen struct {
	name string
	data []byte
	at   time.Time
}

// do sends req and reads the answer fully. keepEvents keeps each event's data and arrival.
func (s *sides) do(req *http.Request, keepEvents bool) result {
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		io.Copy(io.Discard, resp.Body)
		return result{err: fmt.Errorf("status %d", resp.StatusCode)}
	}
	var r result
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		_, err := io.Copy(io.Discard, resp.Body)
		r.total, r.err, r.complete = time.Since(start), err, err == nil
		return r
	}
	rd := bufio.NewReaderSize(resp.Body, 64<<10)
	var name string
	for {
		line, err := rd.ReadSlice('\n')
		if err != nil {
			if !errors.Is(err, io.EOF) || !r.complete {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				r.err = err
			}
			break
		}
		now := time.Now()
		switch {
		case bytes.HasPrefix(line, []byte("event: ")):
			name = strings.TrimSpace(string(line[7:]))
		case bytes.HasPrefix(line, []byte("data: ")):
			if r.firstEvent == 0 {
				r.firstEvent = now.Sub(start)
			}
			if name == "message_stop" {
				r.complete = true
			}
			if keepEvents {
				r.events = append(r.events, eventSeen{name: name, data: append([]byte(nil), line[6:]...), at: now})
			}
		}
	}
	r.total = time.Since(start)
	return r
}
