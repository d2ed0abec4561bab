package fakeapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"nexus/internal/fakeapi"
)

func TestTextMessage(t *testing.T) {
	srv := start(t)
	resp, body := message(t, srv, false)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content-type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rid := resp.Header.Get("request-id")
	if !strings.HasPrefix(rid, "req_") {
		t.Errorf("request-id %q", rid)
	}
	var msg map[string]any
	decode(t, resp, &msg)
	for k, want := range map[string]any{"type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "stop_reason": "end_turn", "stop_sequence": nil} {
		if msg[k] != want {
			t.Errorf("%s = %v, want %v", k, msg[k], want)
		}
	}
	if id, _ := msg["id"].(string); !strings.HasPrefix(id, "msg_") {
		t.Errorf("id %q", id)
	}
	content := msg["content"].([]any)
	if len(content) != 1 || get(content[0], "type") != "text" || get(content[0], "text") == "" {
		t.Errorf("content %v", content)
	}
	u := usageOf(t, msg["usage"])
	if want := fakeapi.UsageFor([]byte(body), ""); u != want {
		t.Errorf("usage %+v, want %+v", u, want)
	}
	if u.CacheCreation.Ephemeral5mInputTokens == 0 || u.CacheCreation.Ephemeral1hInputTokens == 0 || u.CacheReadInputTokens == 0 {
		t.Errorf("usage %+v lacks cache numbers", u)
	}
	recs := srv.Requests()
	if len(recs) != 1 || recs[0].Usage != u || recs[0].RequestID != rid || recs[0].RawQuery != "beta=true" {
		t.Errorf("record %+v", recs)
	}
}

func TestTextStream(t *testing.T) {
	srv := start(t)
	resp, body := message(t, srv, true)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content-type %q", ct)
	}
	evs, err := readEvents(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	want := "message_start content_block_start ping" + strings.Repeat(" content_block_delta", len(deltaTexts(evs, 0))) +
		" content_block_stop message_delta message_stop"
	if got := names(evs); got != want || len(deltaTexts(evs, 0)) < 3 {
		t.Fatalf("events\n%s\nwant\n%s", got, want)
	}
	start := usageOf(t, get(evs[0].data, "message", "usage"))
	if get(evs[0].data, "message", "stop_reason") != nil || len(get(evs[0].data, "message", "content").([]any)) != 0 {
		t.Errorf("message_start %s", evs[0].raw)
	}
	delta := evs[len(evs)-2]
	if get(delta.data, "delta", "stop_reason") != "end_turn" {
		t.Errorf("message_delta %s", delta.raw)
	}
	final := fakeapi.UsageFor([]byte(body), "text")
	if start != final.AtStart() || start == final {
		t.Errorf("message_start usage %+v, final %+v", start, final)
	}
	// Merge as the spec says: message_start, then message_delta's fields win.
	merged := start
	if err := json.Unmarshal([]byte(mustJSON(get(delta.data, "usage"))), &merged); err != nil {
		t.Fatal(err)
	}
	if merged != final {
		t.Errorf("merged usage %+v, want %+v", merged, final)
	}
	if got := strings.Join(deltaTexts(evs, 0), ""); got != "Hello from the fake Anthropic API. How can I help you today?" {
		t.Errorf("text %q", got)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestToolUse(t *testing.T) {
	srv := start(t)
	t.Run("stream", func(t *testing.T) {
		resp, _ := message(t, srv, true, fakeapi.ScenarioHeader, "tool_use")
		evs, err := readEvents(t, resp)
		if err != nil {
			t.Fatal(err)
		}
		var blocks []string
		for _, e := range evs {
			if e.name == "content_block_start" {
				blocks = append(blocks, get(e.data, "content_block", "type").(string))
			}
		}
		if strings.Join(blocks, ",") != "text,tool_use" {
			t.Fatalf("blocks %v in %s", blocks, names(evs))
		}
		parts := deltaTexts(evs, 1)
		if len(parts) < 3 || parts[0] != "" {
			t.Errorf("input_json_delta parts %q", parts)
		}
		var input map[string]any
		if err := json.Unmarshal([]byte(strings.Join(parts, "")), &input); err != nil || input["location"] == nil {
			t.Errorf("tool input %q: %v", strings.Join(parts, ""), err)
		}
		if get(evs[len(evs)-2].data, "delta", "stop_reason") != "tool_use" {
			t.Errorf("stop %s", evs[len(evs)-2].raw)
		}
	})
	t.Run("json", func(t *testing.T) {
		resp, _ := message(t, srv, false, fakeapi.ScenarioHeader, "tool_use")
		var msg map[string]any
		decode(t, resp, &msg)
		content := msg["content"].([]any)
		if len(content) != 2 || get(content[1], "type") != "tool_use" || get(content[1], "input", "unit") != "celsius" ||
			!strings.HasPrefix(get(content[1], "id").(string), "toolu_") || msg["stop_reason"] != "tool_use" {
			t.Errorf("message %v", msg)
		}
	})
}

func TestMidstreamError(t *testing.T) {
	srv := start(t)
	resp, body := message(t, srv, true, fakeapi.ScenarioHeader, "midstream_error")
	evs, err := readEvents(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(evs), "message_start content_block_start ping content_block_delta content_block_delta error"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	last := evs[len(evs)-1]
	if get(last.data, "error", "type") != "overloaded_error" || get(last.data, "request_id") != resp.Header.Get("request-id") {
		t.Errorf("error event %s", last.raw)
	}
	if got := srv.Requests()[0].Usage; got != fakeapi.UsageFor([]byte(body), "midstream_error") || got.OutputTokens != 1 {
		t.Errorf("recorded usage %+v", got)
	}

	resp, _ = message(t, srv, false, fakeapi.ScenarioHeader, "midstream_error")
	resp.Body.Close()
	if resp.StatusCode != 529 {
		t.Errorf("non-streaming status %d", resp.StatusCode)
	}
}

func TestDrop(t *testing.T) {
	srv := start(t)
	t.Run("stream", func(t *testing.T) {
		resp, _ := message(t, srv, true, fakeapi.ScenarioHeader, "drop")
		evs, err := readEvents(t, resp)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("read error %v, want unexpected EOF", err)
		}
		if got, want := names(evs), "message_start content_block_start ping content_block_delta content_block_delta"; got != want {
			t.Errorf("events %s, want %s", got, want)
		}
	})
	t.Run("json", func(t *testing.T) {
		resp, _ := message(t, srv, false, fakeapi.ScenarioHeader, "drop")
		b, err := readAll(t, resp)
		if !errors.Is(err, io.ErrUnexpectedEOF) || len(b) == 0 || int64(len(b)) >= resp.ContentLength {
			t.Errorf("read %d of %d bytes, error %v", len(b), resp.ContentLength, err)
		}
	})
}

func TestPaced(t *testing.T) {
	srv := start(t)
	begin := time.Now()
	resp, body := message(t, srv, true, fakeapi.ScenarioHeader, "paced:4:30")
	evs, err := readEvents(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	texts := deltaTexts(evs, 0)
	if len(texts) != 4 {
		t.Fatalf("%d deltas: %s", len(texts), names(evs))
	}
	prev := begin
	for i, text := range texts {
		ts, ok := fakeapi.PacedStamp(text)
		if !ok || ts.Before(prev) || ts.After(time.Now()) {
			t.Fatalf("delta %d: stamp %q (%v) not in order", i, text, ts)
		}
		if i > 0 && ts.Sub(prev) < 30*time.Millisecond {
			t.Errorf("delta %d only %v after the previous", i, ts.Sub(prev))
		}
		prev = ts
	}
	final := usageOf(t, get(evs[len(evs)-2].data, "usage"))
	if want := fakeapi.UsageFor([]byte(body), "paced:4:30"); final.OutputTokens != want.OutputTokens {
		t.Errorf("output tokens %d, want %d", final.OutputTokens, want.OutputTokens)
	}
}

func TestLarge(t *testing.T) {
	srv := start(t)
	resp, body := message(t, srv, true, fakeapi.ScenarioHeader, "large:64")
	evs, err := readEvents(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(deltaTexts(evs, 0), "")
	if len(text) != 64<<10 {
		t.Errorf("streamed %d bytes of text", len(text))
	}
	if got, want := srv.Requests()[0].Usage, fakeapi.UsageFor([]byte(body), "large:64"); got != want || got.OutputTokens != 16<<10 {
		t.Errorf("usage %+v, want %+v", got, want)
	}

	resp, _ = message(t, srv, false, fakeapi.ScenarioHeader, "large:64")
	var msg map[string]any
	decode(t, resp, &msg)
	if n := len(get(msg["content"].([]any)[0], "text").(string)); n != 64<<10 {
		t.Errorf("json text %d bytes", n)
	}
}

func TestSlowHeaders(t *testing.T) {
	srv := start(t)
	begin := time.Now()
	resp, _ := message(t, srv, false, fakeapi.ScenarioHeader, "slow_headers:150")
	resp.Body.Close()
	if d := time.Since(begin); d < 150*time.Millisecond || resp.StatusCode != 200 {
		t.Errorf("status %d after %v", resp.StatusCode, d)
	}
}

func TestScenarioFromBody(t *testing.T) {
	srv := start(t)
	body := requestBody(false, "please scenario:error:429 now")
	resp := do(t, srv, "POST", "/v1/messages", body)
	resp.Body.Close()
	if resp.StatusCode != 429 || srv.Requests()[0].Scenario != "error:429" {
		t.Errorf("status %d, scenario %q", resp.StatusCode, srv.Requests()[0].Scenario)
	}
	// The header wins over the body.
	resp = do(t, srv, "POST", "/v1/messages", body, fakeapi.ScenarioHeader, "text")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
}

func TestBadRequests(t *testing.T) {
	srv := start(t)
	for name, tc := range map[string]struct {
		body, scenario string
	}{
		"unknown scenario": {requestBody(false, "x"), "nope"},
		"bad number":       {requestBody(false, "x"), "paced:0:10"},
		"status too low":   {requestBody(false, "x"), "error:200"},
		"not json":         {"{", ""},
	} {
		resp := do(t, srv, "POST", "/v1/messages", tc.body, fakeapi.ScenarioHeader, tc.scenario)
		var e map[string]any
		decode(t, resp, &e)
		if resp.StatusCode != 400 || get(e, "error", "type") != "invalid_request_error" {
			t.Errorf("%s: status %d, body %v", name, resp.StatusCode, e)
		}
	}
}
