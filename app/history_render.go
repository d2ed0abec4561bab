package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"nexus/conversation"
)

// Bounds on what a request's detail sends to the window: the webview renders every byte.
const (
	// maxMessageText is the text kept of one message (all its blocks together).
	maxMessageText = 200 << 10
	// maxDetailText is the text kept of a whole request; the oldest messages go first.
	maxDetailText = 4 << 20
	// maxPreview is the length of a conversation request's preview, in runes.
	maxPreview = 160
	// maxName is the length kept of a role, a tool's name or id, a block's type or media type.
	maxName = 200
	// blockCost is what each block costs against the budget besides its strings: the window
	// draws an element per block, so thousands of empty blocks are bounded like text.
	blockCost = 64
	// maxBlocks is the most blocks one content value is read for: more cannot fit the budget.
	maxBlocks = maxMessageText / blockCost
	// maxTools is the tool names kept of a request's tool list (the rest are counted).
	maxTools = 500
)

// Message is one message of a request as the window shows it.
type Message struct {
	Role   string         `json:"role"` // "user", "assistant"
	Blocks []MessageBlock `json:"blocks"`
	// Cut says blocks were shortened or left out to keep the message under the limit.
	Cut bool `json:"cut"`
}

// MessageBlock is one content block. Type is "text", "thinking", "tool_use", "tool_result",
// "image", "document" or "other" (Text then names the block's type).
type MessageBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
	// Name and ToolID are a tool_use's tool and id; ToolID is also the tool_use a
	// tool_result answers.
	Name   string `json:"name"`
	ToolID string `json:"tool_id"`
	// Input is a tool_use's input as indented JSON.
	Input   string `json:"input"`
	IsError bool   `json:"is_error"`
	Cut     bool   `json:"cut"`
}

// wireMessage and wireBlock read the Messages API's JSON.
type wireMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type wireBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	Thinking  string          `json:"thinking"`
	Name      string          `json:"name"`
	ID        string          `json:"id"`
	ToolUseID string          `json:"tool_use_id"`
	Input     json.RawMessage `json:"input"`
	Content   json.RawMessage `json:"content"`
	IsError   bool            `json:"is_error"`
	Source    *struct {
		Type      string `json:"type"`
		MediaType string `json:"media_type"`
	} `json:"source"`
}

// wireRequest is the part of a Messages request the detail shows.
type wireRequest struct {
	System   json.RawMessage   `json:"system"`
	Messages []json.RawMessage `json:"messages"`
	Tools    []struct {
		Name string `json:"name"`
	} `json:"tools"`
}

// budget hands out text up to a limit.
type budget struct{ left int }

// take returns s, cut to what is left of the budget, and whether it was cut.
func (b *budget) take(s string) (string, bool) {
	if len(s) <= b.left {
		b.left -= len(s)
		return s, false
	}
	cut := cutUTF8(s, b.left)
	b.left = 0
	return cut, true
}

// name returns s cut to maxName, charged to the budget like text.
func (b *budget) name(s string) string {
	s = cutUTF8(s, maxName)
	b.left = max(b.left-len(s), 0)
	return s
}

// block charges one block's own cost and reports whether the budget had room for it.
func (b *budget) block() bool {
	if b.left < blockCost {
		b.left = 0
		return false
	}
	b.left -= blockCost
	return true
}

// cutUTF8 returns the longest prefix of s of at most n bytes that ends on a rune boundary.
func cutUTF8(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// parseMessage renders one raw message under the per-message limit.
func parseMessage(raw []byte) Message {
	var w wireMessage
	if err := json.Unmarshal(raw, &w); err != nil {
		b := budget{maxMessageText}
		text, cut := b.take(string(raw))
		return Message{Role: "unknown", Blocks: []MessageBlock{{Type: "other", Text: text, Cut: cut}}, Cut: cut}
	}
	b := budget{maxMessageText}
	m := Message{Role: b.name(w.Role), Blocks: []MessageBlock{}}
	blocks, more := readBlocks(w.Content)
	m.Cut = more
	for _, blk := range blocks {
		if !b.block() {
			m.Cut = true
			break
		}
		out := renderBlock(blk, &b)
		m.Cut = m.Cut || out.Cut
		m.Blocks = append(m.Blocks, out)
	}
	return m
}

// readBlocks reads a content value: a string (one text block) or an array of blocks, at
// most maxBlocks of them (more says some were left unread). A block that does not read as a
// block is kept as "other" with its JSON as text; an array that breaks off keeps what came
// before.
func readBlocks(content json.RawMessage) (blocks []wireBlock, more bool) {
	content = bytes.TrimSpace(content)
	if len(content) == 0 || string(content) == "null" {
		return nil, false
	}
	if content[0] == '"' {
		var s string
		if json.Unmarshal(content, &s) == nil {
			return []wireBlock{{Type: "text", Text: s}}, false
		}
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(content))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, false
	}
	for dec.More() {
		if len(blocks) == maxBlocks {
			return blocks, true
		}
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			break
		}
		var blk wireBlock
		if json.Unmarshal(raw, &blk) != nil {
			blk = wireBlock{Type: "other", Text: string(raw)}
		}
		blocks = append(blocks, blk)
	}
	return blocks, false
}

func renderBlock(blk wireBlock, b *budget) MessageBlock {
	out := MessageBlock{Type: blk.Type}
	switch blk.Type {
	case "text":
		out.Text, out.Cut = b.take(blk.Text)
	case "thinking":
		out.Text, out.Cut = b.take(blk.Thinking)
	case "redacted_thinking":
		out.Type, out.Text = "thinking", "(redacted thinking)"
	case "tool_use", "server_tool_use":
		out.Type, out.Name, out.ToolID = "tool_use", b.name(blk.Name), b.name(blk.ID)
		out.Input, out.Cut = b.take(prettyJSON(blk.Input))
	case "tool_result":
		out.ToolID, out.IsError = b.name(blk.ToolUseID), blk.IsError
		out.Text, out.Cut = b.take(resultText(blk.Content))
	case "image", "document":
		if blk.Source != nil {
			out.Text = b.name(strings.TrimSpace(blk.Source.MediaType + " " + blk.Source.Type))
		}
	default:
		out.Type, out.Text = "other", b.name(blk.Type)
	}
	return out
}

// resultText is a tool_result's content as text: a string, or its text blocks joined, with
// other blocks named.
func resultText(content json.RawMessage) string {
	var parts []string
	blocks, more := readBlocks(content)
	for _, blk := range blocks {
		if blk.Type == "text" {
			parts = append(parts, blk.Text)
		} else {
			parts = append(parts, "["+cutUTF8(blk.Type, maxName)+"]")
		}
	}
	if more {
		parts = append(parts, "[…]")
	}
	return strings.Join(parts, "\n")
}

func prettyJSON(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "{}"
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

// systemText is the system prompt as text: a string, or its text blocks joined.
func systemText(raw json.RawMessage) string {
	var parts []string
	blocks, _ := readBlocks(raw)
	for _, blk := range blocks {
		if blk.Type == "text" {
			parts = append(parts, blk.Text)
		}
	}
	return strings.Join(parts, "\n\n")
}

// renderedRequest is what a request body shows in the window.
type renderedRequest struct {
	system    string
	systemCut bool
	tools     []string
	toolsMore int // tool names past maxTools, not listed
	messages  []Message
	omitted   int    // earliest messages left out to stay under maxDetailText
	raw       string // the body as text when it is not a Messages request
	rawCut    bool
}

// renderRequest renders a request body. The newest messages are kept first: when the whole
// history is over maxDetailText, the oldest messages are left out (omitted says how many).
func renderRequest(body []byte) renderedRequest {
	var r renderedRequest
	var w wireRequest
	if len(bytes.TrimSpace(body)) == 0 {
		return r
	}
	if err := json.Unmarshal(body, &w); err != nil || (w.Messages == nil && w.System == nil) {
		b := budget{maxMessageText}
		pretty := prettyJSON(body)
		r.raw, r.rawCut = b.take(pretty)
		return r
	}
	total := budget{maxDetailText}
	sys := budget{maxMessageText}
	r.system, r.systemCut = sys.take(systemText(w.System))
	total.left -= len(r.system)
	for i, t := range w.Tools {
		if i == maxTools {
			r.toolsMore = len(w.Tools) - maxTools
			break
		}
		name := cutUTF8(t.Name, maxName)
		r.tools = append(r.tools, name)
		total.left -= len(name)
	}
	r.messages = make([]Message, 0, len(w.Messages))
	for i := len(w.Messages) - 1; i >= 0; i-- {
		m := parseMessage(w.Messages[i])
		n := messageSize(m)
		if n > total.left && len(r.messages) > 0 {
			r.omitted = i + 1
			break
		}
		total.left -= n
		r.messages = append(r.messages, m)
	}
	for i, j := 0, len(r.messages)-1; i < j; i, j = i+1, j-1 {
		r.messages[i], r.messages[j] = r.messages[j], r.messages[i]
	}
	return r
}

// messageSize is what m costs against maxDetailText, counted as parseMessage charges it.
func messageSize(m Message) int {
	n := blockCost + len(m.Role)
	for _, b := range m.Blocks {
		n += blockCost + len(b.Text) + len(b.Input) + len(b.Name) + len(b.ToolID)
	}
	return n
}

// renderedAnswer is the response as the window shows it.
type renderedAnswer struct {
	answer *Message
	// errText is an error the response carried (an API error body or an error event).
	errText string
}

// renderAnswer reads a response: a Messages JSON body, an event stream, or an error body.
func renderAnswer(response []byte) renderedAnswer {
	b := bytes.TrimSpace(response)
	if len(b) == 0 {
		return renderedAnswer{}
	}
	if b[0] == '{' {
		var w struct {
			Type    string          `json:"type"`
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
			Error   json.RawMessage `json:"error"`
		}
		if json.Unmarshal(b, &w) != nil {
			return renderedAnswer{errText: cutUTF8(string(b), maxMessageText)}
		}
		if w.Type == "error" {
			return renderedAnswer{errText: errorText(w.Error)}
		}
		if w.Type != "message" {
			return renderedAnswer{errText: cutUTF8(prettyJSON(b), maxMessageText)}
		}
		raw, _ := json.Marshal(wireMessage{Role: "assistant", Content: w.Content})
		m := parseMessage(raw)
		return renderedAnswer{answer: &m}
	}
	return assembleStream(b)
}

// errorText is an API error object as "type: message".
func errorText(raw json.RawMessage) string {
	var e struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &e) != nil || (e.Type == "" && e.Message == "") {
		return cutUTF8(string(raw), maxMessageText)
	}
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// assembleStream rebuilds the assistant message of an event stream, as far as it went.
func assembleStream(stream []byte) renderedAnswer {
	var out renderedAnswer
	type block struct {
		wire    wireBlock
		text    strings.Builder
		partial strings.Builder
	}
	blocks := map[int]*block{}
	started := false
	p := conversation.SSEParser{OnEvent: func(name, data []byte) {
		switch string(name) {
		case "message_start":
			started = true
		case "content_block_start":
			var ev struct {
				Index        int       `json:"index"`
				ContentBlock wireBlock `json:"content_block"`
			}
			if json.Unmarshal(data, &ev) == nil && ev.Index >= 0 && ev.Index < 4096 {
				blk := &block{wire: ev.ContentBlock}
				blk.text.WriteString(ev.ContentBlock.Text + ev.ContentBlock.Thinking)
				blocks[ev.Index] = blk
			}
		case "content_block_delta":
			var ev struct {
				Index int `json:"index"`
				Delta struct {
					Type        string `json:"type"`
					Text        string `json:"text"`
					Thinking    string `json:"thinking"`
					PartialJSON string `json:"partial_json"`
				} `json:"delta"`
			}
			if json.Unmarshal(data, &ev) != nil {
				return
			}
			blk := blocks[ev.Index]
			if blk == nil || blk.text.Len()+blk.partial.Len() > maxMessageText {
				return
			}
			switch ev.Delta.Type {
			case "text_delta":
				blk.text.WriteString(ev.Delta.Text)
			case "thinking_delta":
				blk.text.WriteString(ev.Delta.Thinking)
			case "input_json_delta":
				blk.partial.WriteString(ev.Delta.PartialJSON)
			}
		case "error":
			var ev struct {
				Error json.RawMessage `json:"error"`
			}
			if json.Unmarshal(data, &ev) == nil {
				out.errText = errorText(ev.Error)
			}
		}
	}}
	p.Feed(stream)
	p.Feed([]byte("\n\n"))
	if !started && len(blocks) == 0 {
		if out.errText == "" {
			out.errText = cutUTF8(string(stream), 2000)
		}
		return out
	}
	idx := make([]int, 0, len(blocks))
	for i := range blocks {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	content := make([]json.RawMessage, 0, len(idx))
	for _, i := range idx {
		blk := blocks[i]
		w := blk.wire
		switch w.Type {
		case "text":
			w.Text = blk.text.String()
		case "thinking":
			w.Thinking = blk.text.String()
		}
		if blk.partial.Len() > 0 {
			w.Input = json.RawMessage(blk.partial.String())
			if !json.Valid(w.Input) { // a stream cut mid-input
				s, _ := json.Marshal(blk.partial.String())
				w.Input = s
			}
		}
		raw, err := json.Marshal(streamBlockJSON(w))
		if err == nil {
			content = append(content, raw)
		}
	}
	arr, _ := json.Marshal(content)
	raw, _ := json.Marshal(wireMessage{Role: "assistant", Content: arr})
	m := parseMessage(raw)
	out.answer = &m
	return out
}

// streamBlockJSON is a block with the fields parseMessage reads, for re-encoding.
func streamBlockJSON(w wireBlock) map[string]any {
	m := map[string]any{"type": w.Type}
	switch w.Type {
	case "text":
		m["text"] = w.Text
	case "thinking":
		m["thinking"] = w.Thinking
	case "tool_use", "server_tool_use":
		m["name"], m["id"] = w.Name, w.ID
		if len(w.Input) > 0 {
			m["input"] = w.Input
		} else {
			m["input"] = json.RawMessage("{}")
		}
	}
	return m
}

// previewOf is a message's text as one short line: its text blocks without system
// reminders, else what a tool result said.
func previewOf(raw []byte) string {
	m := parseMessage(raw)
	var texts, results []string
	for _, b := range m.Blocks {
		switch b.Type {
		case "text":
			if t := strings.TrimSpace(stripReminders(b.Text)); t != "" {
				texts = append(texts, t)
			}
		case "tool_result":
			results = append(results, b.Text)
		}
	}
	switch {
	case len(texts) > 0:
		return oneLine(strings.Join(texts, " "), maxPreview)
	case len(results) > 0:
		return oneLine(fmt.Sprintf("↩ %d tool result(s): %s", len(results), strings.Join(results, " ")), maxPreview)
	}
	return ""
}

func stripReminders(s string) string {
	const open, close = "<system-reminder>", "</system-reminder>"
	for {
		i := strings.Index(s, open)
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], close)
		if j < 0 {
			return s[:i]
		}
		s = s[:i] + s[i+j+len(close):]
	}
}

// oneLine collapses whitespace and shortens s to n runes.
func oneLine(s string, n int) string {
	return shorten(strings.Join(strings.Fields(s), " "), n)
}
