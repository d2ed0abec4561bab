//go:build e2e

package desktop

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"nexus/internal/fakeapi"
)

// clientKey asks the built binary for the main client key (the session's keychain, which the
// running app shares).
func clientKey(t *testing.T, app *nexusApp) string {
	t.Helper()
	cmd := exec.Command(appBinary(t), "client-key", "show")
	cmd.Env = appEnv(map[string]string{"XDG_CONFIG_HOME": app.configHome})
	out, err := cmd.Output()
	key := strings.TrimSpace(string(out))
	if err != nil || !strings.HasPrefix(key, "cnp_live_") {
		t.Fatalf("nexus client-key show: %q, %v", key, err)
	}
	return key
}

// twoTurns sends two turns of one conversation through the app's proxy to the fake API, as
// Claude Code would with its own login (the client key in x-nexus-client-key): a first
// question answered as JSON, then a follow-up that carries the answer and streams a tool call.
func twoTurns(t *testing.T, app *nexusApp, key string) {
	t.Helper()
	system := []any{map[string]any{"type": "text", "text": "You are Claude Code, a coding assistant working in the nexus repository."}}
	tools := []any{
		map[string]any{"name": "Bash", "description": "Run a shell command", "input_schema": map[string]any{"type": "object"}},
		map[string]any{"name": "Read", "description": "Read a file", "input_schema": map[string]any{"type": "object"}},
	}
	first := map[string]any{"role": "user", "content": "How does the proxy retry overloaded requests?"}
	post := func(stream bool, scenario string, messages ...any) string {
		body, _ := json.Marshal(map[string]any{"model": "claude-sonnet-4-5-20250929", "max_tokens": 1024,
			"stream": stream, "system": system, "tools": tools, "messages": messages})
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/v1/messages", app.port), strings.NewReader(string(body)))
		req.Header.Set("content-type", "application/json")
		req.Header.Set("anthropic-version", "2023-06-01")
		req.Header.Set("x-nexus-client-key", key)
		req.Header.Set("x-api-key", "sk-ant-api03-window-test-"+strings.Repeat("k", 40))
		if scenario != "" {
			req.Header.Set(fakeapi.ScenarioHeader, scenario)
		}
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /v1/messages through the proxy: %s\n%s", resp.Status, b)
		}
		return string(b)
	}
	answer := post(false, "", first)
	var msg struct {
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal([]byte(answer), &msg); err != nil || len(msg.Content) == 0 {
		t.Fatalf("first answer is not a message: %v\n%s", err, answer)
	}
	post(true, "tool_use", first, map[string]any{"role": "assistant", "content": msg.Content},
		map[string]any{"role": "user", "content": "Show me where the retry limit is configured."})
}

// waitRecorded waits until `nexus requests --json` lists n finished requests of one
// conversation.
func waitRecorded(t *testing.T, app *nexusApp, n int) {
	t.Helper()
	app.waitFor(t, startTimeout, strconv.Itoa(n)+" finished requests in one conversation", func() bool {
		cmd := exec.Command(appBinary(t), "requests", "--json", "--data-dir", app.dataDir)
		cmd.Env = appEnv(map[string]string{"XDG_CONFIG_HOME": app.configHome})
		out, err := cmd.Output()
		if err != nil {
			return false
		}
		var doc struct {
			Requests []struct {
				Finished     bool   `json:"finished"`
				Conversation string `json:"conversation_id"`
			} `json:"requests"`
		}
		if json.Unmarshal(out, &doc) != nil || len(doc.Requests) < n {
			return false
		}
		for _, r := range doc.Requests {
			if !r.Finished || r.Conversation == "" || r.Conversation != doc.Requests[0].Conversation {
				return false
			}
		}
		return true
	})
}

// click clicks at x,y in window coordinates (CSS pixels: the window is not scaled), then
// moves the pointer to the sidebar's empty lower part so no tooltip covers the screenshot.
func click(t *testing.T, app *nexusApp, win string, x, y int) {
	t.Helper()
	if _, err := app.x(t, "xdotool", "mousemove", "--window", win, strconv.Itoa(x), strconv.Itoa(y), "click", "1",
		"mousemove", "--window", win, "100", "500"); err != nil {
		t.Fatal(err)
	}
}
