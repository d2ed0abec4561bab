//go:build e2e

package serve

import (
	"context"
	"encoding/json"
	"nexus/e2e/nexustest"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// TestTypeScriptSDKThroughServe runs the official TypeScript SDK (ts/sdk.mjs) through
// `nexus serve` to the fake API: messages, streams, count_tokens, models and typed errors.
func TestTypeScriptSDKThroughServe(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is required: install Node 20")
	}
	e := newEnv(t)
	fake := nexustest.StartFake(t)
	apiKey, clientKey := e.SetupAccount()
	fake.AcceptAPIKeys(apiKey)
	s := e.Serve(fake.URL())

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "sdk.mjs")
	cmd.Dir = "ts"
	cmd.Env = append(e.Vars, "NEXUS_URL="+s.URL, "NEXUS_KEY="+clientKey)
	raw, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("sdk.mjs: %v\n%s\n%s", err, ee.Stderr, s.Logs())
		}
		t.Fatal(err)
	}
	type usage struct {
		InputTokens  int64 `json:"input_tokens"`
		OutputTokens int64 `json:"output_tokens"`
	}
	var out struct {
		Message struct {
			Text       string `json:"text"`
			StopReason string `json:"stop_reason"`
			Usage      usage  `json:"usage"`
		} `json:"message"`
		StreamText struct {
			Events     []string `json:"events"`
			StopReason string   `json:"stop_reason"`
			Usage      usage    `json:"usage"`
		} `json:"stream_text"`
		StreamToolUse struct {
			StopReason string   `json:"stop_reason"`
			Blocks     []string `json:"blocks"`
		} `json:"stream_tool_use"`
		Count struct {
			InputTokens int64 `json:"input_tokens"`
		} `json:"count"`
		Models []string `json:"models"`
		Errors map[string]struct {
			Class    string `json:"class"`
			Status   int    `json:"status"`
			Type     string `json:"type"`
			APIError bool   `json:"api_error"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("sdk.mjs output: %v\n%s", err, raw)
	}
	if out.Message.Text == "" || out.Message.StopReason != "end_turn" || out.Message.Usage.InputTokens <= 0 {
		t.Errorf("message: %+v", out.Message)
	}
	wantEvents := []string{"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}
	for _, ev := range wantEvents {
		if !slices.Contains(out.StreamText.Events, ev) {
			t.Errorf("stream lacks %s: %v", ev, out.StreamText.Events)
		}
	}
	if out.StreamText.StopReason != "end_turn" || out.StreamText.Usage.OutputTokens <= 1 {
		t.Errorf("stream: %+v", out.StreamText)
	}
	if out.StreamToolUse.StopReason != "tool_use" || !slices.Contains(out.StreamToolUse.Blocks, "tool_use") {
		t.Errorf("tool_use stream: %+v", out.StreamToolUse)
	}
	if out.Count.InputTokens <= 0 || len(out.Models) == 0 {
		t.Errorf("count %+v models %v", out.Count, out.Models)
	}
	wantErr := map[string]struct {
		class, typ string
	}{
		"400": {"BadRequestError", "invalid_request_error"},
		"401": {"AuthenticationError", "authentication_error"},
		"529": {"OverloadedError", "overloaded_error"},
	}
	for status, w := range wantErr {
		got := out.Errors[status]
		if !got.APIError || got.Class != w.class || got.Type != w.typ || status != itoa(got.Status) {
			t.Errorf("error %s: %+v, want %s/%s", status, got, w.class, w.typ)
		}
	}
	// Usage recorded equals what the API sent: checked in detail by the Go SDK test; here the
	// count of recorded requests: 1 + 2 streams + count_tokens + models + 3 errors.
	if recs := e.Requests(8); len(recs) < 8 {
		t.Errorf("recorded %d requests, want at least 8", len(recs))
	}
}
