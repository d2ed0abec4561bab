package app

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"nexus/engine"
	"nexus/internal/fakeapi"
	"nexus/settings"
)

// historyApp is an app whose proxy runs in front of the fake Anthropic API.
func historyApp(t *testing.T, edit func(*settings.Settings)) (*App, *engine.Engine, *fakeapi.Server, string, string) {
	t.Helper()
	fake, err := fakeapi.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	a, e, _, key := newTestAppSettings(t, func(s *settings.Settings) {
		s.Upstream = fake.URL()
		if edit != nil {
			edit(s)
		}
	})
	st, err := a.SetProxyRunning(true)
	if err != nil {
		t.Fatal(err)
	}
	return a, e, fake, key, st.Address
}

// upstreamKey is the client's own Anthropic key, passed through (no account in the vault).
const upstreamKey = "sk-ant-api03-history-test-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

// send posts a Messages request through the proxy and returns the response body.
func send(t *testing.T, addr, clientKey, body string, header ...string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", addr+"/v1/messages", strings.NewReader(body))
	req.Header.Set("content-type", "application/json")
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("x-nexus-client-key", clientKey)
	req.Header.Set("x-api-key", upstreamKey)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitFinished waits until n requests are recorded and finished.
func waitFinished(t *testing.T, a *App, n int) []RequestRow {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		page, err := a.ListRequests(RequestQuery{})
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, r := range page.Requests {
			if r.Finished {
				done++
			}
		}
		if done >= n {
			return page.Requests
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d requests finished: %+v", done, n, page.Requests)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func body(stream bool, system string, messages ...any) string {
	m := map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 256, "stream": stream, "messages": messages,
		"tools": []any{map[string]any{"name": "Bash", "input_schema": map[string]any{"type": "object"}}}}
	if system != "" {
		m["system"] = []any{map[string]any{"type": "text", "text": system}}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func user(content any) map[string]any { return map[string]any{"role": "user", "content": content} }
func assistant(content any) map[string]any {
	return map[string]any{"role": "assistant", "content": content}
}

// answerContent is the content array of a non-streamed answer.
func answerContent(t *testing.T, resp string) []any {
	t.Helper()
	var m struct {
		Content []any `json:"content"`
	}
	if err := json.Unmarshal([]byte(resp), &m); err != nil || len(m.Content) == 0 {
		t.Fatalf("not an answer: %v\n%s", err, resp)
	}
	return m.Content
}

func TestHistoryTwoTurnsOneConversation(t *testing.T) {
	a, _, _, key, addr := historyApp(t, nil)
	const system = "You are a careful coding assistant."
	first := user("Explain the retry policy of the proxy")
	r1 := send(t, addr, key, body(false, system, first))
	second := user([]any{
		map[string]any{"type": "text", "text": "<system-reminder>noise</system-reminder>"},
		map[string]any{"type": "text", "text": "Now show me where it is configured"},
	})
	send(t, addr, key, body(true, system, first, assistant(answerContent(t, r1)), second), fakeapi.ScenarioHeader, "tool_use")
	rows := waitFinished(t, a, 2)

	if len(rows) != 2 || rows[0].StartedAt < rows[1].StartedAt {
		t.Fatalf("rows not newest first: %+v", rows)
	}
	if rows[0].ConversationID == "" || rows[0].ConversationID != rows[1].ConversationID {
		t.Fatalf("the two turns are not one conversation: %q %q", rows[0].ConversationID, rows[1].ConversationID)
	}
	if rows[0].Status != 200 || rows[0].Model != "claude-sonnet-4-5" || rows[0].OutputTokens == 0 || rows[0].CostUSD <= 0 {
		t.Errorf("row %+v", rows[0])
	}
	if _, err := time.Parse(time.RFC3339, rows[0].StartedAt); err != nil {
		t.Errorf("started_at %q: %v", rows[0].StartedAt, err)
	}

	// The newest request: history, system prompt, tools and a streamed tool call.
	d, err := a.RequestDetail(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Bodies || d.Unavailable != "" {
		t.Fatalf("bodies not available: %q", d.Unavailable)
	}
	if d.System != system || len(d.Tools) != 1 || d.Tools[0] != "Bash" {
		t.Errorf("system %q tools %v", d.System, d.Tools)
	}
	if len(d.Messages) != 3 || d.Messages[0].Role != "user" || d.Messages[1].Role != "assistant" {
		t.Fatalf("messages %+v", d.Messages)
	}
	if got := d.Messages[0].Blocks[0]; got.Type != "text" || got.Text != "Explain the retry policy of the proxy" {
		t.Errorf("first message %+v", got)
	}
	if d.Answer == nil {
		t.Fatalf("no answer; error %q", d.AnswerError)
	}
	var tool *MessageBlock
	for i := range d.Answer.Blocks {
		if d.Answer.Blocks[i].Type == "tool_use" {
			tool = &d.Answer.Blocks[i]
		}
	}
	if tool == nil || tool.Name == "" || !strings.Contains(tool.Input, "\n  ") {
		t.Errorf("streamed tool call not assembled with pretty input: %+v", d.Answer.Blocks)
	}
	for _, h := range d.Headers {
		if !shownHeader(h.Name) {
			t.Errorf("header %q sent to the window", h.Name)
		}
	}
	raw, _ := json.Marshal(d)
	if strings.Contains(string(raw), upstreamKey) || strings.Contains(string(raw), key) {
		t.Fatal("the detail carries a credential")
	}

	// The conversation: both turns in order, with previews of the last user message.
	c, err := a.Conversation(rows[0].ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Conversation.RequestCount != 2 || len(c.Requests) != 2 || len(c.Conversation.Branches) == 0 {
		t.Fatalf("conversation %+v", c)
	}
	if c.Requests[0].ID != rows[1].ID || c.Requests[1].ID != rows[0].ID {
		t.Errorf("requests not oldest first")
	}
	if c.Requests[0].Preview != "Explain the retry policy of the proxy" || c.Requests[1].Preview != "Now show me where it is configured" {
		t.Errorf("previews %q, %q", c.Requests[0].Preview, c.Requests[1].Preview)
	}
	if c.Requests[1].Branch != "main" || c.Requests[1].ParentRequestID != rows[1].ID {
		t.Errorf("second turn %+v", c.Requests[1])
	}

	convs, err := a.ListConversations(ConversationQuery{})
	if err != nil || len(convs.Conversations) != 1 || convs.Next != "" {
		t.Fatalf("conversations %+v, %v", convs, err)
	}

	u, err := a.UsageSummary(7)
	if err != nil {
		t.Fatal(err)
	}
	if u.Total.Requests != 2 || len(u.Models) != 1 || len(u.Rows) != 1 || u.Rows[0].Date != u.To {
		t.Errorf("usage %+v", u)
	}

	info, err := a.StorageInfo()
	if err != nil || !info.BodiesStored || info.SizeBytes <= 0 {
		t.Errorf("storage %+v, %v", info, err)
	}
}

func TestListRequestsPagesAndFilters(t *testing.T) {
	a, _, _, key, addr := historyApp(t, nil)
	for i := range 5 {
		send(t, addr, key, body(false, "", user("question number "+string(rune('a'+i)))))
	}
	send(t, addr, key, body(false, "", user("this one fails")), fakeapi.ScenarioHeader, "error:529")
	waitFinished(t, a, 6)

	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := a.ListRequests(RequestQuery{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Requests {
			if seen[r.ID] {
				t.Fatalf("request %s on two pages", r.ID)
			}
			seen[r.ID] = true
		}
		if p.Next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		cursor = p.Next
	}
	if len(seen) != 6 {
		t.Errorf("paged through %d requests, want 6", len(seen))
	}

	errs, err := a.ListRequests(RequestQuery{Errors: true})
	if err != nil || len(errs.Requests) == 0 {
		t.Fatalf("errors %+v, %v", errs, err)
	}
	for _, r := range errs.Requests {
		if r.Status != 0 && r.Status < 400 {
			t.Errorf("error filter let %d through", r.Status)
		}
	}
	d, err := a.RequestDetail(errs.Requests[0].ID)
	if err != nil || !strings.Contains(d.AnswerError, "overloaded_error") {
		t.Errorf("failed request's answer error %q, %v", d.AnswerError, err)
	}

	found, err := a.ListRequests(RequestQuery{Text: "NUMBER C"})
	if err != nil || len(found.Requests) != 1 {
		t.Errorf("text search found %+v, %v", found.Requests, err)
	}
	if _, err := a.ListRequests(RequestQuery{Cursor: "garbage"}); err == nil {
		t.Error("a bad cursor was accepted")
	}
	if _, err := a.RequestDetail("no-such-id"); err == nil {
		t.Error("an unknown request gave no error")
	}
}

func TestRequestDetailMetadataOnly(t *testing.T) {
	a, _, _, key, addr := historyApp(t, func(s *settings.Settings) { s.StorageEnabled = false })
	send(t, addr, key, body(false, "", user("keep nothing of this")))
	rows := waitFinished(t, a, 1)
	d, err := a.RequestDetail(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Bodies || !strings.HasPrefix(d.Unavailable, "metadata only:") || len(d.Messages) != 0 {
		t.Errorf("detail %+v", d)
	}
	info, _ := a.StorageInfo()
	if info.BodiesStored || info.Reason == "" {
		t.Errorf("storage %+v", info)
	}
}

func TestRenderCutsLargeMessages(t *testing.T) {
	big := strings.Repeat("é", maxMessageText) // 2 bytes each: twice the limit
	b := body(false, "", user(big), assistant([]any{
		map[string]any{"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": map[string]any{"command": "ls"}},
	}), user([]any{map[string]any{"type": "tool_result", "tool_use_id": "toolu_1", "content": []any{
		map[string]any{"type": "text", "text": "a.go"}, map[string]any{"type": "image"}}}}))
	r := renderRequest([]byte(b))
	if len(r.messages) != 3 {
		t.Fatalf("messages %d", len(r.messages))
	}
	m := r.messages[0]
	if !m.Cut || !m.Blocks[0].Cut || len(m.Blocks[0].Text) > maxMessageText || !strings.HasSuffix(m.Blocks[0].Text, "é") {
		t.Errorf("big message: cut %v, %d bytes", m.Cut, len(m.Blocks[0].Text))
	}
	if got := r.messages[1].Blocks[0]; got.Type != "tool_use" || got.Input != "{\n  \"command\": \"ls\"\n}" {
		t.Errorf("tool_use %+v", got)
	}
	if got := r.messages[2].Blocks[0]; got.Type != "tool_result" || got.ToolID != "toolu_1" || got.Text != "a.go\n[image]" {
		t.Errorf("tool_result %+v", got)
	}
	if got := previewOf([]byte(`{"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":"ok"}]}`)); got != "↩ 1 tool result(s): ok" {
		t.Errorf("preview %q", got)
	}
}

func TestRenderOmitsOldestMessagesOverTheTotal(t *testing.T) {
	var msgs []any
	for range 30 {
		msgs = append(msgs, user(strings.Repeat("x", maxMessageText)))
	}
	r := renderRequest([]byte(body(false, "", msgs...)))
	if r.omitted == 0 || r.omitted+len(r.messages) != 30 {
		t.Fatalf("omitted %d, kept %d", r.omitted, len(r.messages))
	}
}

// TestRenderBoundsWhatTheWindowDraws: recorded traffic is untrusted and a body can be 32 MB.
// Blocks, names and tool lists count against the limits like text, so no body sends the
// window more than a few MB or asks it to draw millions of elements.
func TestRenderBoundsWhatTheWindowDraws(t *testing.T) {
	long := strings.Repeat("n", 1<<20)
	emptyBlocks := make([]any, maxBlocks+800)
	for i := range emptyBlocks {
		emptyBlocks[i] = map[string]any{"type": "x"}
	}
	msgs := []any{
		map[string]any{"role": long, "content": "hi"},
		assistant([]any{map[string]any{"type": "tool_use", "id": long, "name": long, "input": map[string]any{}}}),
		user([]any{map[string]any{"type": long}, map[string]any{"type": "image", "source": map[string]any{"type": long}}}),
	}
	for range 25 { // 25 × 200 KB of blocks: over the 4 MB of a detail
		msgs = append(msgs, user(emptyBlocks))
	}
	var req map[string]any
	if err := json.Unmarshal([]byte(body(false, "", msgs...)), &req); err != nil {
		t.Fatal(err)
	}
	tools := make([]any, 2000)
	for i := range tools {
		tools[i] = map[string]any{"name": long[:1000]}
	}
	req["tools"] = tools
	raw, _ := json.Marshal(req)

	r := renderRequest(raw)
	if len(r.tools) != maxTools || r.toolsMore != 2000-maxTools || len(r.tools[0]) > maxName {
		t.Errorf("tools: %d listed (first %d bytes), %d more; want %d, at most %d bytes, %d", len(r.tools),
			len(r.tools[0]), r.toolsMore, maxTools, maxName, 2000-maxTools)
	}
	sent, _ := json.Marshal(r.messages)
	if len(sent) > 2*maxDetailText {
		t.Errorf("the detail sends %d MB of messages, want at most %d", len(sent)>>20, 2*maxDetailText>>20)
	}
	blocks := 0
	for _, m := range r.messages {
		blocks += len(m.Blocks)
		if len(m.Blocks) > maxBlocks {
			t.Errorf("a message keeps %d blocks, want at most %d", len(m.Blocks), maxBlocks)
		}
		if len(m.Role) > maxName {
			t.Errorf("role of %d bytes", len(m.Role))
		}
		for _, b := range m.Blocks {
			if len(b.Name) > maxName || len(b.ToolID) > maxName || (b.Type != "text" && len(b.Text) > maxName) {
				t.Fatalf("block %q keeps a name of %d / id %d / text %d bytes", b.Type, len(b.Name), len(b.ToolID), len(b.Text))
			}
		}
	}
	if r.omitted == 0 || !r.messages[len(r.messages)-1].Cut {
		t.Errorf("omitted %d, newest cut %v: want the oldest left out and the newest cut", r.omitted, r.messages[len(r.messages)-1].Cut)
	}
	if blocks > maxDetailText/blockCost {
		t.Errorf("%d blocks drawn, want at most %d", blocks, maxDetailText/blockCost)
	}
	if p := previewOf([]byte(`{"role":"user","content":[` + strings.Repeat(`{"type":"x"},`, 500_000) + `{"type":"text","text":"late"}]}`)); p != "" {
		t.Errorf("preview of a message whose text comes after 500,000 blocks: %q, want none (not read)", p)
	}
}
