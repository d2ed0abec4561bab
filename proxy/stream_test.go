package proxy_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"nexus/conversation"
	"nexus/internal/fakeapi"
	"nexus/proxy"
)

// TestStreamByteIdentical: an answer through the proxy is the fake's answer byte for byte
// (the fake numbers ids per request; those are normalised).
func TestStreamByteIdentical(t *testing.T) {
	for _, sc := range []string{"text", "tool_use", "large:64", "midstream_error"} {
		for _, body := range []string{streamBody, messagesBody} {
			t.Run(sc+map[bool]string{true: "/stream", false: "/json"}[body == streamBody], func(t *testing.T) {
				e := newEnv(t, nil)
				resp, got := e.doRead("POST", "/v1/messages?beta=true", body, fakeapi.ScenarioHeader, sc)
				want, wantBody := e.directRead("POST", "/v1/messages?beta=true", body, fakeapi.ScenarioHeader, sc)
				if resp.StatusCode != want.StatusCode || resp.Header.Get("Content-Type") != want.Header.Get("Content-Type") {
					t.Errorf("status %d %q, direct %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), want.StatusCode, want.Header.Get("Content-Type"))
				}
				if normalize(got) != normalize(wantBody) {
					t.Errorf("through the proxy:\n%s\ndirect:\n%s", got, wantBody)
				}
			})
		}
	}
}

// sseEvent is one event as the client read it, with the time its blank line arrived.
type sseEvent struct {
	name, data string
	at         time.Time
}

// readSSE reads events until the stream ends; err is the read error (nil at a clean end).
// stop, when it returns true, ends reading early.
func readSSE(r io.Reader, stop func(sseEvent) bool) (evs []sseEvent, err error) {
	br := bufio.NewReader(r)
	var cur sseEvent
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" {
				return evs, nil
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return evs, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			cur.data = line[len("data: "):]
		case line == "":
			cur.at = time.Now()
			evs = append(evs, cur)
			if stop != nil && stop(cur) {
				return evs, nil
			}
			cur = sseEvent{}
		}
	}
}

func names(evs []sseEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.name)
	}
	return out
}

func deltaText(t *testing.T, ev sseEvent) string {
	t.Helper()
	var d struct {
		Delta struct{ Text string } `json:"delta"`
	}
	if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
		t.Fatalf("delta %q: %v", ev.data, err)
	}
	return d.Delta.Text
}

// TestStreamFlushedPerEvent: each paced delta reaches the client before the fake has even
// made the next one (each delta's text is the time it was made).
func TestStreamFlushedPerEvent(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do("POST", "/v1/messages", streamBody, fakeapi.ScenarioHeader, "paced:4:250")
	defer resp.Body.Close()
	evs, err := readSSE(resp.Body, nil)
	if err != nil {
		t.Fatal(err)
	}
	var deltas []sseEvent
	for _, ev := range evs {
		if ev.name == "content_block_delta" {
			deltas = append(deltas, ev)
		}
	}
	if len(deltas) != 4 {
		t.Fatalf("%d deltas: %v", len(deltas), names(evs))
	}
	for i := range len(deltas) - 1 {
		next, ok := fakeapi.PacedStamp(deltaText(t, deltas[i+1]))
		if !ok {
			t.Fatalf("no stamp in %q", deltas[i+1].data)
		}
		if !deltas[i].at.Before(next) {
			t.Errorf("delta %d arrived %v after delta %d was made: not flushed", i, deltas[i].at.Sub(next), i+1)
		}
	}
}

// TestStreamFlushedLockstep: upstream sends each event only once the client has the
// previous one, so any buffering in the proxy stalls the stream and fails the test.
func TestStreamFlushedLockstep(t *testing.T) {
	const events = 5
	got := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := range events {
			fmt.Fprintf(w, "event: ping\ndata: {\"type\":\"ping\",\"n\":%d}\n\n", i)
			rc.Flush()
			select {
			case <-got:
			case <-time.After(10 * time.Second):
				return // the client never saw event i: the proxy held it back
			case <-r.Context().Done():
				return
			}
		}
	}))
	defer upstream.Close()
	u, _ := url.Parse(upstream.URL)
	e := newEnv(t, func(c *proxy.Config) { c.Upstream = u })
	resp := e.do("POST", "/v1/messages", streamBody)
	defer resp.Body.Close()
	evs, err := readSSE(resp.Body, func(sseEvent) bool {
		select {
		case got <- struct{}{}:
		case <-time.After(10 * time.Second):
		}
		return false
	})
	if err != nil || len(evs) != events {
		t.Errorf("%d events, want %d: %v", len(evs), events, err)
	}
}

func usageOf(u fakeapi.Usage) conversation.Usage {
	return conversation.Usage{
		InputTokens: u.InputTokens, OutputTokens: u.OutputTokens,
		CacheCreationInputTokens: u.CacheCreationInputTokens, CacheReadInputTokens: u.CacheReadInputTokens,
		CacheCreation5m: u.CacheCreation.Ephemeral5mInputTokens, CacheCreation1h: u.CacheCreation.Ephemeral1hInputTokens,
	}
}

// TestUsageRecorded: the record's usage is message_start merged with the last
// message_delta, cache split included, and equals what the fake sent.
func TestUsageRecorded(t *testing.T) {
	usage := fakeapi.Usage{InputTokens: 1234, OutputTokens: 567, CacheCreationInputTokens: 300, CacheReadInputTokens: 9000,
		CacheCreation: fakeapi.CacheCreation{Ephemeral5mInputTokens: 100, Ephemeral1hInputTokens: 200}}
	for _, tc := range []struct {
		name, body string
		reply      fakeapi.Reply
	}{
		{"stream scripted", streamBody, fakeapi.Reply{Usage: &usage}},
		{"stream tool_use", streamBody, fakeapi.Reply{Scenario: "tool_use"}},
		{"json scripted", messagesBody, fakeapi.Reply{Usage: &usage}},
		{"json text", messagesBody, fakeapi.Reply{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.fake.Enqueue(tc.reply)
			resp, _ := e.doRead("POST", "/v1/messages", tc.body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			sent := e.received()
			rec := e.rec.last(t)
			if want := usageOf(sent.Usage); rec.Usage != want {
				t.Errorf("recorded usage %+v, fake sent %+v", rec.Usage, want)
			}
			if tc.reply.Usage != nil && rec.Usage != usageOf(usage) {
				t.Errorf("recorded usage %+v, scripted %+v", rec.Usage, usage)
			}
			if rec.Model != "claude-sonnet-4-5" || rec.MessageID == "" || rec.StopReason == "" || rec.Incomplete {
				t.Errorf("record model %q id %q stop %q incomplete %v", rec.Model, rec.MessageID, rec.StopReason, rec.Incomplete)
			}
			if rec.Stream != (tc.body == streamBody) {
				t.Errorf("record stream %v", rec.Stream)
			}
		})
	}
}

// TestClientDisconnectCancelsUpstream: when the client goes away mid-stream, the upstream
// request is cancelled and the record says 499.
func TestClientDisconnectCancelsUpstream(t *testing.T) {
	e := newEnv(t, nil)
	upstreamDone := make(chan struct{})
	e.fake.Script(func(r *http.Request, _ []byte) fakeapi.Reply {
		go func() { <-r.Context().Done(); close(upstreamDone) }()
		return fakeapi.Reply{Scenario: "paced:1000:10"} // 10 s if nobody stops it
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := e.request("POST", "/v1/messages", streamBody).WithContext(ctx)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := readSSE(resp.Body, func(ev sseEvent) bool { return ev.name == "content_block_delta" })
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	cancel()
	resp.Body.Close()
	select {
	case <-upstreamDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream request was not cancelled")
	}
	rec := e.rec.last(t)
	if rec.Status != proxy.StatusClientClosed || !rec.Incomplete || !rec.Stream {
		t.Errorf("record status %d incomplete %v stream %v", rec.Status, rec.Incomplete, rec.Stream)
	}
	if rec.Usage.InputTokens == 0 {
		t.Errorf("usage seen so far lost: %+v", rec.Usage)
	}
}

// TestUpstreamCutReachesClient: when upstream drops the connection mid-stream, the client
// sees an abrupt end, not a clean one, and the record is incomplete with the usage seen.
func TestUpstreamCutReachesClient(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do("POST", "/v1/messages", streamBody, fakeapi.ScenarioHeader, "drop")
	evs, err := readSSE(resp.Body, nil)
	resp.Body.Close()
	if err == nil {
		t.Errorf("clean end after %v; the client must see the cut", names(evs))
	}
	for _, ev := range evs {
		if ev.name == "message_stop" {
			t.Error("message_stop in a cut stream")
		}
	}
	rec := e.rec.last(t)
	sent := e.received()
	if !rec.Incomplete || rec.Usage != usageOf(sent.Usage) || rec.Usage.InputTokens == 0 {
		t.Errorf("record incomplete %v usage %+v, fake sent %+v", rec.Incomplete, rec.Usage, sent.Usage)
	}
	if rec.ErrorType == "" {
		t.Error("record does not say the stream was cut")
	}
}

// TestIdleStreamCut: a stream that stalls longer than StreamIdleTimeout is cut.
func TestIdleStreamCut(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) { c.StreamIdleTimeout = 400 * time.Millisecond })
	resp := e.do("POST", "/v1/messages", streamBody, fakeapi.ScenarioHeader, "paced:3:5000")
	evs, err := readSSE(resp.Body, nil)
	resp.Body.Close()
	if err == nil {
		t.Errorf("clean end after %v", names(evs))
	}
	deltas := 0
	for _, ev := range evs {
		if ev.name == "content_block_delta" {
			deltas++
		}
	}
	if deltas != 1 {
		t.Errorf("%d deltas before the cut, want 1 (events %v)", deltas, names(evs))
	}
	rec := e.rec.last(t)
	if !rec.Incomplete || rec.ErrorType != "timeout_error" {
		t.Errorf("record incomplete %v error %q", rec.Incomplete, rec.ErrorType)
	}
}

func TestMidstreamErrorRecorded(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.doRead("POST", "/v1/messages", streamBody, fakeapi.ScenarioHeader, "midstream_error")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "event: error") {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
	rec := e.rec.last(t)
	if rec.ErrorType != "overloaded_error" || rec.ErrorMessage == "" || !rec.Incomplete || rec.Status != http.StatusOK {
		t.Errorf("record error %q %q incomplete %v status %d", rec.ErrorType, rec.ErrorMessage, rec.Incomplete, rec.Status)
	}
}

// TestClientLeavingAfterMessageStop: a client may hang up as soon as it has message_stop,
// before upstream has ended its response. The answer was complete: the record must not say
// the client went away.
func TestClientLeavingAfterMessageStop(t *testing.T) {
	fake := fakeapi.New()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fake.Handler().ServeHTTP(w, r)
		// The end of the chunked body is late.
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer upstream.Close()
	u, _ := url.Parse(upstream.URL)
	e := newEnv(t, func(c *proxy.Config) { c.Upstream = u })
	resp := e.do("POST", "/v1/messages", streamBody)
	evs, err := readSSE(resp.Body, func(ev sseEvent) bool { return ev.name == "message_stop" })
	resp.Body.Close() // hangs up: the body is not at its end
	if err != nil || evs[len(evs)-1].name != "message_stop" {
		t.Fatalf("events %v: %v", names(evs), err)
	}
	rec := e.rec.last(t)
	if rec.Status != http.StatusOK || rec.Incomplete || rec.ErrorType != "" || rec.Usage.OutputTokens == 0 {
		t.Errorf("record status %d incomplete %v error %q usage %+v", rec.Status, rec.Incomplete, rec.ErrorType, rec.Usage)
	}
}

func TestResponseBodyKeptOnlyWhenAsked(t *testing.T) {
	for _, keep := range []bool{false, true} {
		e := newEnv(t, func(c *proxy.Config) { c.KeepBodies = keep })
		_, body := e.doRead("POST", "/v1/messages", streamBody)
		rec := e.rec.last(t)
		if keep && string(rec.ResponseBody) != string(body) || !keep && rec.ResponseBody != nil {
			t.Errorf("keep %v: recorded %d bytes of %d", keep, len(rec.ResponseBody), len(body))
		}
		if rec.TTFB <= 0 || rec.Duration < rec.TTFB || rec.Overhead <= 0 || rec.Overhead > rec.Duration {
			t.Errorf("timings ttfb %v duration %v overhead %v", rec.TTFB, rec.Duration, rec.Overhead)
		}
	}
}
