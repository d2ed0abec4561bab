//go:build e2e

package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"nexus/e2e/nexustest"
	"nexus/internal/fakeapi"
)

// TestGoSDKThroughServe drives the official Go SDK through `nexus serve` to the fake API and
// checks that the SDK cannot tell the proxy is there, and that every request is recorded with
// the usage the API sent.
func TestGoSDKThroughServe(t *testing.T) {
	e := newEnv(t)
	fake := nexustest.StartFake(t)
	apiKey, clientKey := e.SetupAccount()
	fake.AcceptAPIKeys(apiKey) // only the account's key, injected by the proxy, is accepted
	s := e.Serve(fake.URL())

	client := anthropic.NewClient(option.WithBaseURL(s.URL), option.WithAPIKey(clientKey), option.WithMaxRetries(0))
	ctx := context.Background()
	params := anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_6,
		MaxTokens: 1024,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello through Nexus"))},
	}

	msg, err := client.Messages.New(ctx, params)
	if err != nil {
		t.Fatalf("messages.new: %v\n%s", err, s.Logs())
	}
	if msg.Content[0].Text == "" || msg.StopReason != anthropic.StopReasonEndTurn {
		t.Errorf("message %s", msg.RawJSON())
	}

	for _, scenario := range []string{"text", "tool_use"} {
		stream := client.Messages.NewStreaming(ctx, params, option.WithHeader(fakeapi.ScenarioHeader, scenario))
		var acc anthropic.Message
		for stream.Next() {
			if err := acc.Accumulate(stream.Current()); err != nil {
				t.Fatal(err)
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("stream %s: %v", scenario, err)
		}
		if scenario == "tool_use" && acc.StopReason != anthropic.StopReasonToolUse {
			t.Errorf("tool_use stream ended with %q", acc.StopReason)
		}
	}

	count, err := client.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{
		Model:    anthropic.ModelClaudeSonnet4_6,
		Messages: params.Messages,
	})
	if err != nil || count.InputTokens <= 0 {
		t.Errorf("count_tokens: %v %+v", err, count)
	}
	models, err := client.Models.List(ctx, anthropic.ModelListParams{})
	if err != nil || len(models.Data) == 0 {
		t.Errorf("models: %v", err)
	}

	// Upstream errors arrive as the SDK's typed errors, after the proxy's own retries for 529.
	for _, status := range []int{400, 429, 529} {
		_, err = client.Messages.New(ctx, params, option.WithHeader(fakeapi.ScenarioHeader, "error:"+itoa(status)),
			option.WithHeader("Retry-After-Ms", "10"))
		var apiErr *anthropic.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
			t.Errorf("error:%d gave %v", status, err)
		}
	}

	// Every request reached upstream with the account's key, never the client key.
	for _, r := range fake.Requests() {
		if strings.Contains(strings.Join(flatten(r.Header), " "), clientKey) {
			t.Fatalf("the client key reached upstream on %s", r.Path)
		}
	}

	// The usage recorded is what the API sent, request by request.
	sent := map[string]fakeapi.Usage{}
	for _, r := range fake.Requests() {
		if r.Path == "/v1/messages" {
			sent[r.RequestID] = r.Usage
		}
	}
	// 1 + 2 streams + count_tokens + models + 400 + 429 + 3 attempts of 529 (one record)
	recs := e.Requests(8)
	checked := 0
	for _, r := range recs {
		if r.Path != "/v1/messages" || r.Status != 200 {
			continue
		}
		var h map[string]string
		json.Unmarshal([]byte(r.Headers), &h)
		u, ok := sent[h["request-id"]]
		if !ok {
			t.Errorf("record %s has request-id %q the fake never sent", r.ID, h["request-id"])
			continue
		}
		if r.InputTokens != u.InputTokens || r.OutputTokens != u.OutputTokens ||
			r.CacheReadInputTokens != u.CacheReadInputTokens || r.CacheCreationInputTokens != u.CacheCreationInputTokens {
			t.Errorf("record %s usage in=%d out=%d cr=%d cw=%d; the API sent %+v", r.ID, r.InputTokens,
				r.OutputTokens, r.CacheReadInputTokens, r.CacheCreationInputTokens, u)
		}
		if r.Model != string(anthropic.ModelClaudeSonnet4_6) || r.CostUSD <= 0 || r.Account == "" || r.Kind != "turn" {
			t.Errorf("record %+v", r)
		}
		checked++
	}
	if checked != 3 {
		t.Errorf("checked usage of %d successful messages, want 3", checked)
	}
	attempts529 := 0
	for _, r := range fake.Requests() {
		if r.Status == 529 {
			attempts529++
		}
	}
	if attempts529 != 3 {
		t.Errorf("upstream saw %d attempts of the 529 request, want 3 (the first and 2 retries)", attempts529)
	}
}

// TestStreamIdenticalThroughProxy compares a stream through the proxy with the same stream
// taken directly, event for event.
func TestStreamIdenticalThroughProxy(t *testing.T) {
	e := newEnv(t)
	fake := nexustest.StartFake(t)
	apiKey, clientKey := e.SetupAccount()
	s := e.Serve(fake.URL())
	body := `{"model":"claude-sonnet-4-6","max_tokens":512,"stream":true,"messages":[{"role":"user","content":"stream please"}]}`
	get := func(base, key string) []string {
		req, _ := http.NewRequest("POST", base+"/v1/messages?beta=true", strings.NewReader(body))
		req.Header.Set("x-api-key", key)
		req.Header.Set("anthropic-version", "2023-06-01")
		req.Header.Set(fakeapi.ScenarioHeader, "tool_use")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s: %d %s", base, resp.StatusCode, b)
		}
		var events []string
		var cur strings.Builder
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if sc.Text() == "" {
				events = append(events, normaliseIDs(cur.String()))
				cur.Reset()
				continue
			}
			cur.WriteString(sc.Text() + "\n")
		}
		return events
	}
	direct := get(fake.URL(), apiKey)
	proxied := get(s.URL, clientKey)
	if len(direct) < 6 || strings.Join(direct, "\n") != strings.Join(proxied, "\n") {
		t.Fatalf("streams differ:\ndirect  %q\nproxied %q", direct, proxied)
	}
}

var idPattern = regexp.MustCompile(`\b(msg|toolu|req)_[A-Za-z0-9]+`)

func normaliseIDs(s string) string { return idPattern.ReplaceAllString(s, "${1}_ID") }

func flatten(h http.Header) []string {
	var out []string
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, k+": "+v)
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
