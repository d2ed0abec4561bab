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

// requestParts is a request body as linking first reads it: its system prompt and each
// message, left undecoded so that what was read before can be looked up (keycache.go).
type requestParts struct {
	maxTokens bool     // max_tokens is present (count_tokens bodies have none)
	system    []byte   // the system value; nil when absent
	messages  [][]byte // the elements of messages
	tools     bool     // the request offers tools
	keys      []RawKey // KeyOf of each message, or nil
}

// scanRequest reads a request body, checking all of it; it fails on invalid JSON and on JSON
// that is not an object.
func scanRequest(body []byte) (requestParts, error) {
	var req requestParts
	r := jsonReader{b: body}
	value := func() []byte {
		r.peek()
		start := r.i
		r.skip()
		return body[start:r.i]
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
			req.tools = false
			r.array(func() { req.tools = true; r.skip() })
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

// RequestParts is a request body already cut into its parts by a reader that checked all of
// it (content.Split), so that linking need not walk the body again.
type RequestParts struct {
	System    []byte   // the raw "system" value; nil when absent
	Messages  [][]byte // the raw elements of the "messages" array
	Tools     []byte   // the raw "tools" value; nil when absent
	MaxTokens bool     // the body has a "max_tokens" member
	// MessageKeys, when not nil, are KeyOf of each of Messages, so that they are not hashed
	// twice by a caller that keys them too.
	MessageKeys []RawKey
}

// ReadRequestKeysFromParts is ReadRequestKeys for a body given as its parts. Contract: the
// body is valid JSON (as json.Valid has it) and an object whose keys are written without
// escapes, with at most one "system", one "messages" (an array) and one "tools"; p holds their
// values. Then the result is what ReadRequestKeys gives for the body.
func ReadRequestKeysFromParts(p RequestParts) RequestKeys {
	req := requestParts{maxTokens: p.MaxTokens, system: p.System, messages: p.Messages, tools: nonEmptyArray(p.Tools)}
	if len(p.MessageKeys) == len(p.Messages) {
		req.keys = p.MessageKeys
	}
	return keysOfParts(req, sharedKeys)
}

// nonEmptyArray reports whether raw, a valid JSON value, is an array with an element.
func nonEmptyArray(raw []byte) bool {
	if len(raw) == 0 || raw[0] != '[' {
		return false
	}
	for _, c := range raw[1:] {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return c != ']'
		}
	}
	return false
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
