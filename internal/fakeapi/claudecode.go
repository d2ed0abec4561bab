package fakeapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// ClaudeCode turns the Claude Code responder on or off. When on, every POST /v1/messages
// without a queued Reply or an x-fake-scenario header is answered by looking at what the
// request asks for, the way Claude Code would need it, deterministically from the body
// alone (ids and usage included):
//
//   - a quota probe (one user message "quota") gets "ok";
//   - a summarisation request (compaction: "create a detailed summary of the
//     conversation" in the last user message, or a system prompt about summarising a
//     conversation) gets a long <analysis>…</analysis><summary>…</summary> text naming the
//     user's prompts so far;
//   - a request for structured output (output_config.format or output_format with a JSON
//     schema, as the session title request uses) gets a JSON object fitting the schema; an
//     older title/topic side prompt gets {"title": …} or {"isNewTopic": …, "title": …};
//   - a user prompt carrying directives runs them as tool calls, one step per response:
//     [[bash: CMD]] becomes a Bash tool_use with that command, [[agent: PROMPT]] an Agent
//     (or Task, whichever the request's tools offer) tool_use with input {description,
//     prompt, subagent_type: "general-purpose"} and run_in_background false when the tool
//     has that parameter. Directives joined by "+" ([[agent: A]]+[[agent: B]]) are issued
//     in one response. Brackets nest, so an agent prompt may carry directives of its own
//     for the sub-agent. Once every step's tool_result is back, a final text names them;
//   - anything else gets a short text echoing a hash of the last user message.
//
// Answers stream when the request asks to; usage looks like a prompt-cached Claude Code
// session (most input read from the cache).
func (s *Server) ClaudeCode(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claudeCode = on
}

func (s *Server) claudeCodeOn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claudeCode
}

// claudeCodeMessages answers POST /v1/messages in Claude Code mode. Queued replies and the
// scenario header keep working as without it.
func (s *Server) claudeCodeMessages(r *http.Request, body []byte, n int64, rec *Received) response {
	if s.Pending() > 0 || r.Header.Get(ScenarioHeader) != "" {
		return s.messages(r, body, n, rec)
	}
	var req ccRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return apiError(http.StatusBadRequest, rec.RequestID, "fakeapi: body is not a JSON object")
	}
	sum := sha256.Sum256(body)
	seed := hex.EncodeToString(sum[:])
	out := claudeCodeAnswer(&req, seed)
	rec.Scenario = "claude-code:" + out.kind
	u := ccUsage(&req, body, outputBytes(out.blocks))
	rec.Usage = u
	return &answer{
		id:     "msg_01" + seed[:22],
		reqID:  rec.RequestID,
		model:  req.Model,
		stream: req.Stream,
		blocks: out.blocks,
		stop:   out.stop,
		usage:  u,
	}
}

// Request shapes the responder reads.
type (
	ccRequest struct {
		Model        string          `json:"model"`
		Stream       bool            `json:"stream"`
		System       json.RawMessage `json:"system"`
		Messages     []ccMessage     `json:"messages"`
		Tools        []ccTool        `json:"tools"`
		OutputFormat *ccFormat       `json:"output_format"`
		OutputConfig *struct {
			Format *ccFormat `json:"format"`
		} `json:"output_config"`
	}
	ccMessage struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	ccItem struct {
		Type      string          `json:"type"`
		Text      string          `json:"text"`
		ID        string          `json:"id"`
		Name      string          `json:"name"`
		Input     json.RawMessage `json:"input"`
		ToolUseID string          `json:"tool_use_id"`
		Content   json.RawMessage `json:"content"`
	}
	ccTool struct {
		Name        string `json:"name"`
		InputSchema struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"input_schema"`
	}
	ccFormat struct {
		Type   string          `json:"type"`
		Schema json.RawMessage `json:"schema"`
	}
)

// items returns a message's content as items; string content is one text item.
func (m ccMessage) items() []ccItem {
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return []ccItem{{Type: "text", Text: s}}
	}
	var items []ccItem
	json.Unmarshal(m.Content, &items) //nolint:errcheck // anything else has no items
	return items
}

// text joins the message's text items, reminders stripped.
func (m ccMessage) text() string {
	var parts []string
	for _, it := range m.items() {
		if it.Type == "text" {
			if t := stripReminders(it.Text); t != "" {
				parts = append(parts, t)
			}
		}
	}
	return strings.Join(parts, "\n")
}

// lastText is the last non-empty text item, reminders stripped: what the user typed, after
// any context Claude Code puts first.
func lastText(m ccMessage) string {
	items := m.items()
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].Type == "text" {
			if t := stripReminders(items[i].Text); t != "" {
				return t
			}
		}
	}
	return ""
}

// rawText joins the message's text items as sent.
func (m ccMessage) rawText() string {
	var parts []string
	for _, it := range m.items() {
		if it.Type == "text" {
			parts = append(parts, it.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func (m ccMessage) has(typ string) bool {
	return slices.ContainsFunc(m.items(), func(it ccItem) bool { return it.Type == typ })
}

var reminderRE = regexp.MustCompile(`(?s)<system-reminder>.*?</system-reminder>`)

func stripReminders(s string) string {
	return strings.TrimSpace(reminderRE.ReplaceAllString(s, ""))
}

// systemText joins the system prompt's text.
func (req *ccRequest) systemText() string {
	var s string
	if json.Unmarshal(req.System, &s) == nil {
		return s
	}
	var items []ccItem
	json.Unmarshal(req.System, &items) //nolint:errcheck // no system prompt
	var parts []string
	for _, it := range items {
		parts = append(parts, it.Text)
	}
	return strings.Join(parts, "\n")
}

// turns returns the user and assistant messages: Claude Code also sends role "system" ones.
func (req *ccRequest) turns() []ccMessage {
	var out []ccMessage
	for _, m := range req.Messages {
		if m.Role == "user" || m.Role == "assistant" {
			out = append(out, m)
		}
	}
	return out
}

// promptIndex returns the index in turns of the last user message that is a prompt: one with
// text of its own that is not a tool result, or -1.
func promptIndex(turns []ccMessage) int {
	for i := len(turns) - 1; i >= 0; i-- {
		m := turns[i]
		if m.Role == "user" && !m.has("tool_result") && m.text() != "" {
			return i
		}
	}
	return -1
}

func (req *ccRequest) tool(names ...string) *ccTool {
	for _, name := range names {
		for i := range req.Tools {
			if req.Tools[i].Name == name {
				return &req.Tools[i]
			}
		}
	}
	return nil
}

// ccOut is a decided answer.
type ccOut struct {
	kind   string // for Received.Scenario: quota, summary, json, tool_use, after_tools, text
	blocks []block
	stop   string
}

func textOut(kind, text string) ccOut {
	return ccOut{kind: kind, blocks: []block{{chunks: split(text, textChunk)}}, stop: "end_turn"}
}

const summaryMarker = "create a detailed summary of the conversation"

func claudeCodeAnswer(req *ccRequest, seed string) ccOut {
	turns := req.turns()
	var last ccMessage
	if len(turns) > 0 {
		last = turns[len(turns)-1]
	}
	system := req.systemText()
	switch {
	case len(turns) == 1 && strings.TrimSpace(last.rawText()) == "quota":
		return textOut("quota", "ok")
	case last.Role == "user" && strings.Contains(strings.ToLower(last.rawText()), summaryMarker),
		strings.Contains(strings.ToLower(system), "summariz") && strings.Contains(strings.ToLower(system), "conversation") && len(req.Tools) == 0:
		return textOut("summary", ccSummary(turns))
	}
	if f := req.format(); f != nil {
		return textOut("json", string(fromSchema(f.Schema, last.text())))
	}
	lowSys := strings.ToLower(system)
	if len(req.Tools) == 0 && strings.Contains(lowSys, "title") && strings.Contains(lowSys, "json") {
		title, _ := json.Marshal(titleOf(last.text()))
		if strings.Contains(system, "isNewTopic") {
			return textOut("json", `{"isNewTopic": true, "title": `+string(title)+`}`)
		}
		return textOut("json", `{"title": `+string(title)+`}`)
	}

	p := promptIndex(turns)
	if p < 0 {
		return textOut("text", "Answer "+shortHash(last.rawText())+".")
	}
	prompt := turns[p].text()
	steps := parseSteps(prompt)
	issued := 0
	for _, m := range turns[p+1:] {
		if m.Role == "assistant" {
			for _, it := range m.items() {
				if it.Type == "tool_use" {
					issued++
				}
			}
		}
	}
	// Issue the first step not issued yet.
	done := 0
	for k, step := range steps {
		if issued > done {
			done += len(step)
			continue
		}
		return req.toolStep(step, seed, k)
	}
	if issued > 0 || last.has("tool_result") {
		return textOut("after_tools", afterTools(turns[p+1:]))
	}
	return textOut("text", "Answer "+shortHash(prompt)+": "+clip(lastText(turns[p]), 60))
}

// format returns the requested structured output format, if any.
func (req *ccRequest) format() *ccFormat {
	if req.OutputConfig != nil && req.OutputConfig.Format != nil && len(req.OutputConfig.Format.Schema) > 0 {
		return req.OutputConfig.Format
	}
	if req.OutputFormat != nil && len(req.OutputFormat.Schema) > 0 {
		return req.OutputFormat
	}
	return nil
}

// directive is one [[name: arg]].
type directive struct{ name, arg string }

// parseSteps finds the directives of a prompt, grouped into steps: directives joined by
// "+" form one step.
func parseSteps(s string) [][]directive {
	var steps [][]directive
	joined := false
	for {
		i := strings.Index(s, "[[")
		if i < 0 {
			return steps
		}
		if strings.TrimSpace(s[:i]) != "+" {
			joined = false
		}
		depth, end := 0, -1
		for j := i; j+1 < len(s); j++ {
			switch s[j : j+2] {
			case "[[":
				depth++
				j++
			case "]]":
				depth--
				if depth == 0 {
					end = j
				}
				j++
			}
			if end >= 0 {
				break
			}
		}
		if end < 0 {
			return steps
		}
		name, arg, ok := strings.Cut(s[i+2:end], ":")
		name = strings.ToLower(strings.TrimSpace(name))
		s = s[end+2:]
		if !ok || (name != "bash" && name != "agent") {
			continue
		}
		d := directive{name, strings.TrimSpace(arg)}
		if joined && len(steps) > 0 {
			steps[len(steps)-1] = append(steps[len(steps)-1], d)
		} else {
			steps = append(steps, []directive{d})
		}
		joined = true
	}
}

// toolStep issues one step's tool calls.
func (req *ccRequest) toolStep(step []directive, seed string, k int) ccOut {
	var lead []string
	var calls []block
	for j, d := range step {
		id := fmt.Sprintf("toolu_01%s", shortHash(fmt.Sprintf("%s/%d/%d", seed, k, j))+seed[:8])
		var input any
		var name string
		switch d.name {
		case "bash":
			name = "Bash"
			if req.tool("Bash") == nil {
				return textOut("text", "I cannot run commands here: no Bash tool.")
			}
			input = map[string]any{"command": d.arg, "description": "Run " + clip(d.arg, 40)}
			lead = append(lead, "run `"+d.arg+"`")
		case "agent":
			t := req.tool("Agent", "Task")
			if t == nil {
				return textOut("text", "I cannot start an agent here: no Agent tool.")
			}
			name = t.Name
			in := map[string]any{"description": titleOf(d.arg), "prompt": d.arg, "subagent_type": "general-purpose"}
			if _, ok := t.InputSchema.Properties["run_in_background"]; ok {
				in["run_in_background"] = false
			}
			input = in
			lead = append(lead, fmt.Sprintf("ask an agent to %q", in["description"]))
		}
		raw, _ := json.Marshal(input)
		// The API's first input_json_delta is empty.
		calls = append(calls, block{tool: true, id: id, name: name, chunks: append([]string{""}, split(string(raw), toolChunk)...)})
	}
	text := "I'll " + strings.Join(lead, " and ") + "."
	return ccOut{kind: "tool_use", blocks: append([]block{{chunks: split(text, textChunk)}}, calls...), stop: "tool_use"}
}

// afterTools is the final text once tool results are back: it quotes each result briefly.
func afterTools(after []ccMessage) string {
	var b strings.Builder
	b.WriteString("Done.")
	for _, m := range after {
		if m.Role != "user" {
			continue
		}
		for _, it := range m.items() {
			if it.Type != "tool_result" {
				continue
			}
			fmt.Fprintf(&b, " Result %s: %s.", shortHash(string(it.Content)), clip(resultText(it.Content), 80))
		}
	}
	return b.String()
}

// resultText flattens a tool_result's content.
func resultText(raw json.RawMessage) string {
	m := ccMessage{Content: raw}
	return strings.Join(strings.Fields(m.rawText()), " ")
}

// ccSummary is a deterministic compaction summary of more than 2000 characters that names
// every user prompt of the conversation.
func ccSummary(turns []ccMessage) string {
	var prompts []string
	tools := 0
	for _, m := range turns {
		if m.Role == "assistant" {
			for _, it := range m.items() {
				if it.Type == "tool_use" {
					tools++
				}
			}
		}
		if m.Role == "user" && !m.has("tool_result") {
			t := m.text()
			if t != "" && !strings.Contains(strings.ToLower(t), summaryMarker) {
				prompts = append(prompts, t)
			}
		}
	}
	var b strings.Builder
	b.WriteString("<analysis>\n")
	fmt.Fprintf(&b, "The conversation has %d user prompts and %d tool calls. ", len(prompts), tools)
	b.WriteString("I go through it chronologically to capture every request, decision and result.\n")
	for i, p := range prompts {
		fmt.Fprintf(&b, "%d. The user wrote %q (hash %s); I answered it directly.\n", i+1, clip(p, 200), shortHash(p))
	}
	b.WriteString("No files were changed and no errors occurred. Nothing is pending beyond what the user asks next.\n")
	b.WriteString("</analysis>\n\n<summary>\n")
	start := b.Len()
	sections := []struct{ title, body string }{
		{"Primary Request and Intent", "The user is exercising a scripted session against a fake Anthropic API to capture golden traffic. Each prompt asks for a short answer or runs a directive."},
		{"Key Technical Concepts", "- Claude Code in print mode\n- Conversation linking from request bodies\n- Deterministic answers derived from a hash of the last user message"},
		{"Files and Code Sections", "- None: the session only talked and ran harmless shell commands in a temporary directory."},
		{"Errors and fixes", "- None."},
		{"Problem Solving", "Every prompt was answered; tool results were read back and summarised."},
	}
	for i, s := range sections {
		fmt.Fprintf(&b, "%d. %s:\n   %s\n\n", i+1, s.title, strings.ReplaceAll(s.body, "\n", "\n   "))
	}
	b.WriteString("6. All user messages:\n")
	for _, p := range prompts {
		fmt.Fprintf(&b, "   - %q\n", clip(p, 300))
	}
	b.WriteString("\n7. Pending Tasks:\n   - None.\n\n8. Current Work:\n   ")
	if len(prompts) > 0 {
		fmt.Fprintf(&b, "Answering the last prompt, %q.", clip(prompts[len(prompts)-1], 200))
	}
	b.WriteString("\n\n9. Optional Next Step:\n   Wait for the user's next prompt.\n")
	// Pad with a fixed, numbered appendix so the summary is long even for a short session.
	for i := 1; b.Len()-start < 2200; i++ {
		fmt.Fprintf(&b, "\nAppendix %d: the session state is stable; checkpoint %s of the prompts so far.", i, shortHash(strings.Join(prompts, "\x00")+fmt.Sprint(i)))
	}
	b.WriteString("\n</summary>")
	return b.String()
}

// fromSchema makes a JSON value fitting a JSON schema: required and listed properties get
// short values derived from text.
func fromSchema(schema json.RawMessage, text string) []byte {
	var sc map[string]any
	if json.Unmarshal(schema, &sc) != nil {
		return []byte(`{}`)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(schemaValue(sc, "", text)) //nolint:errcheck // plain values
	return []byte(strings.TrimSpace(b.String()))
}

func schemaValue(sc map[string]any, name, text string) any {
	if enum, ok := sc["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	if c, ok := sc["const"]; ok {
		return c
	}
	typ, _ := sc["type"].(string)
	if ts, ok := sc["type"].([]any); ok && len(ts) > 0 {
		typ, _ = ts[0].(string)
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := sc["properties"].(map[string]any)
		for k, p := range props {
			if ps, ok := p.(map[string]any); ok {
				out[k] = schemaValue(ps, k, text)
			}
		}
		return out
	case "array":
		if items, ok := sc["items"].(map[string]any); ok {
			return []any{schemaValue(items, name, text)}
		}
		return []any{}
	case "boolean":
		return strings.HasPrefix(strings.ToLower(name), "is")
	case "integer", "number":
		return 1
	}
	if strings.Contains(strings.ToLower(name), "title") || name == "" {
		return titleOf(text)
	}
	return clip(text, 60)
}

// titleOf makes a short sentence-case title from text.
func titleOf(text string) string {
	if _, rest, ok := strings.Cut(text, "<session>"); ok {
		text, _, _ = strings.Cut(rest, "</session>")
	}
	words := strings.Fields(reminderRE.ReplaceAllString(text, ""))
	var kept []string
	for _, w := range words {
		w = strings.Trim(w, "[]:\"'`.,;!?")
		if w != "" {
			kept = append(kept, w)
		}
		if len(kept) == 5 {
			break
		}
	}
	if len(kept) == 0 {
		return "New session"
	}
	t := strings.Join(kept, " ")
	return strings.ToUpper(t[:1]) + t[1:]
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

// clip shortens s to at most n bytes (on a rune boundary), on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// ccUsage is the usage of a cached Claude Code turn: the system prompt and tools are read
// from the cache, as is most of an ongoing conversation; the newest messages are written to
// it; a few tokens are uncached input.
func ccUsage(req *ccRequest, body []byte, outLen int) Usage {
	total := int64(len(body)) / 4
	var msgs int64
	for _, m := range req.Messages {
		msgs += int64(len(m.Content))
	}
	msgs /= 4
	prefix := total - msgs // system and tools
	read := prefix
	turns := req.turns()
	if len(turns) > 1 {
		read += msgs * 4 / 5
	}
	input := int64(3 + len(turns))
	created := max(0, total-read-input)
	if len(req.Tools) == 0 && len(req.Messages) <= 1 { // side prompts are not cached
		input, read, created = total, 0, 0
	}
	return Usage{
		InputTokens:              input,
		OutputTokens:             max(1, int64(outLen)/4),
		CacheCreationInputTokens: created,
		CacheReadInputTokens:     read,
		CacheCreation:            CacheCreation{Ephemeral5mInputTokens: created},
	}
}
