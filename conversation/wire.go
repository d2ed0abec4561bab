package conversation

import "slices"

// The Messages API shapes that linking reads, and their reading with jsonReader. Fields not
// named here (cache_control, citations, signatures, thinking text, …) are skipped. Keys match
// exactly; when a key repeats, the last value wins, as in encoding/json.

type apiMessage struct {
	Role    string
	Content apiContent
}

// apiContent is message, system or tool_result content: a string reads as one text block.
type apiContent []apiBlock

// apiBlock is any content block; which fields count depends on Type.
type apiBlock struct {
	Type, Text, ID, Name, ToolUseID string
	Input                           []byte     // the input as sent (JSON; in a cut stream maybe not); nil when absent
	Content                         apiContent // tool_result content, or the content of other blocks
	Source                          *apiSource // image and document
}

type apiSource struct {
	Type, MediaType, Data, URL, FileID string
	Content                            apiContent
}

// span is where a value lies in a request body: body[start:end].
type span struct{ start, end int }

// requestSpans is a request body as linking first reads it: where its system prompt and each
// message lie, left undecoded so that what was read before can be looked up (keycache.go).
type requestSpans struct {
	maxTokens bool // max_tokens is present (count_tokens bodies have none)
	system    span // the system value; zero when absent
	messages  []span
	tools     int // how many tools the request offers
}

// scanRequest reads a request body, checking all of it; it fails on invalid JSON and on JSON
// that is not an object.
func scanRequest(body []byte) (requestSpans, error) {
	var req requestSpans
	r := jsonReader{b: body}
	value := func() span {
		r.peek()
		start := r.i
		r.skip()
		return span{start, r.i}
	}
	isObject := r.object(func(key []byte) {
		switch string(key) {
		case "max_tokens":
			req.maxTokens = true
			r.skip()
		case "system":
			req.system = value()
		case "messages":
			req.messages = req.messages[:0]
			if r.peek() != '[' {
				r.skip()
				return
			}
			r.array(func() { req.messages = append(req.messages, value()) })
		case "tools":
			req.tools = 0
			r.array(func() { req.tools++; r.skip() })
		default:
			r.skip()
		}
	})
	r.end()
	if r.err == nil && !isObject {
		r.err = errNotObject
	}
	return req, r.err
}

// readMessage decodes one message of a body that scanRequest accepted.
func readMessage(raw []byte) apiMessage {
	r := jsonReader{b: raw}
	return r.message()
}

// readContent decodes a content value (a system prompt) of a body that scanRequest accepted;
// an empty raw reads as no content.
func readContent(raw []byte) apiContent {
	if len(raw) == 0 {
		return nil
	}
	r := jsonReader{b: raw}
	return r.content()
}

func (r *jsonReader) message() apiMessage {
	var m apiMessage
	r.object(func(key []byte) {
		switch string(key) {
		case "role":
			m.Role = r.name()
		case "content":
			m.Content = r.content()
		default:
			r.skip()
		}
	})
	return m
}

func (r *jsonReader) content() apiContent {
	switch r.peek() {
	case '"':
		return apiContent{{Type: "text", Text: r.str()}}
	case '[':
		// Blocks are collected on r.blocks, shared by nested contents, then copied out: one
		// allocation of the right size per content.
		base := len(r.blocks)
		r.array(func() {
			b := r.block()
			r.blocks = append(r.blocks, b)
		})
		c := slices.Clone(r.blocks[base:])
		clear(r.blocks[base:])
		r.blocks = r.blocks[:base]
		return c
	}
	r.skip()
	return nil
}

func (r *jsonReader) block() apiBlock {
	var b apiBlock
	r.object(func(key []byte) {
		switch string(key) {
		case "type":
			b.Type = r.name()
		case "text":
			b.Text = r.str()
		case "id":
			b.ID = r.str()
		case "name":
			b.Name = r.name()
		case "tool_use_id":
			b.ToolUseID = r.str()
		case "input":
			r.peek()
			start := r.i
			r.skip()
			b.Input = r.b[start:r.i]
		case "content":
			b.Content = r.content()
		case "source":
			b.Source = r.source()
		default:
			r.skip()
		}
	})
	return b
}

func (r *jsonReader) source() *apiSource {
	var s apiSource
	if !r.object(func(key []byte) {
		switch string(key) {
		case "type":
			s.Type = r.str()
		case "media_type":
			s.MediaType = r.str()
		case "data":
			s.Data = r.str()
		case "url":
			s.URL = r.str()
		case "file_id":
			s.FileID = r.str()
		case "content":
			s.Content = r.content()
		default:
			r.skip()
		}
	}) {
		return nil
	}
	return &s
}

// name reads a string that is usually one of a few known words (roles, block types, tool
// names) without allocating for those.
func (r *jsonReader) name() string {
	if r.peek() != '"' {
		r.skip()
		return ""
	}
	b := r.strBytes()
	switch string(b) {
	case "user":
		return "user"
	case "assistant":
		return "assistant"
	case "system":
		return "system"
	case "text":
		return "text"
	case "tool_use":
		return "tool_use"
	case "tool_result":
		return "tool_result"
	case "thinking":
		return "thinking"
	case "Agent":
		return "Agent"
	case "Task":
		return "Task"
	}
	return string(b)
}

// agentPrompt returns the prompt input of an Agent/Task call ("" when there is none).
func agentPrompt(input []byte) string {
	var prompt string
	r := jsonReader{b: input}
	r.object(func(key []byte) {
		if string(key) == "prompt" {
			prompt = r.str()
		} else {
			r.skip()
		}
	})
	return prompt
}
