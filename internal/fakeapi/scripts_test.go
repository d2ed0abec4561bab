package fakeapi_test

import (
	"net/http"
	"testing"
	"time"

	"nexus/internal/fakeapi"
)

func TestEnqueueFailTwiceThenSucceed(t *testing.T) {
	srv := start(t)
	srv.Enqueue(fakeapi.Reply{Scenario: "error:529"}, fakeapi.Reply{Scenario: "error:529"})
	var got []int
	for range 3 {
		// The queue wins over the request's own choice.
		resp, _ := message(t, srv, false, fakeapi.ScenarioHeader, "error:400")
		resp.Body.Close()
		got = append(got, resp.StatusCode)
	}
	if got[0] != 529 || got[1] != 529 || got[2] != 400 || srv.Pending() != 0 {
		t.Errorf("statuses %v, pending %d", got, srv.Pending())
	}
}

func TestReplyFields(t *testing.T) {
	srv := start(t)
	usage := fakeapi.Usage{InputTokens: 7, OutputTokens: 9, CacheReadInputTokens: 4}
	srv.Enqueue(fakeapi.Reply{
		Text:   "Scripted ünïcode answer, long enough to be split in several deltas.",
		Usage:  &usage,
		Header: http.Header{"anthropic-ratelimit-unified-status": {"rejected"}, "X-Extra": {"1"}},
		Delay:  50 * time.Millisecond,
	})
	begin := time.Now()
	resp, _ := message(t, srv, true, "Authorization", "Bearer tok", "x-api-key", "", "anthropic-beta", "oauth-2025-04-20")
	if time.Since(begin) < 50*time.Millisecond {
		t.Error("delay ignored")
	}
	if resp.Header.Get("anthropic-ratelimit-unified-status") != "rejected" || resp.Header.Get("x-extra") != "1" {
		t.Errorf("headers %v", resp.Header)
	}
	evs, err := readEvents(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, s := range deltaTexts(evs, 0) {
		text += s
	}
	if text != "Scripted ünïcode answer, long enough to be split in several deltas." {
		t.Errorf("text %q", text)
	}
	if got := usageOf(t, get(evs[len(evs)-2].data, "usage")); got.OutputTokens != 9 || got.InputTokens != 7 || got.CacheReadInputTokens != 4 {
		t.Errorf("delta usage %+v", got)
	}
	if got := srv.Requests()[0].Usage; got != usage {
		t.Errorf("recorded usage %+v", got)
	}
}

func TestScript(t *testing.T) {
	srv := start(t)
	srv.Script(func(r *http.Request, body []byte) fakeapi.Reply {
		if r.Header.Get("x-app") == "cli" {
			return fakeapi.Reply{Scenario: "error:503"}
		}
		return fakeapi.Reply{}
	})
	resp, _ := message(t, srv, false, "x-app", "cli")
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("scripted status %d", resp.StatusCode)
	}
	resp, _ = message(t, srv, false, fakeapi.ScenarioHeader, "error:404")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("fallback status %d", resp.StatusCode)
	}
	srv.Script(nil)
	resp, _ = message(t, srv, false, "x-app", "cli")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("unscripted status %d", resp.StatusCode)
	}
}
