package conversation

import (
	"bytes"
	"strings"
)

// ResponseKeys is what linking needs from the answer to a request.
type ResponseKeys struct {
	// Continuation is the chain hash of the request's messages extended with the answer,
	// H(p_n ‖ H(norm(answer))): the Prev1 of the request that continues this one. Zero when
	// the answer had no assistant message.
	Continuation Hash
	// AgentPrompts holds, in order, the hash (as FirstUser) of the prompt input of every
	// tool_use named "Agent" or "Task"; a call without a string prompt has a zero Hash so that
	// positions stay the calls' ordinals.
	AgentPrompts []Hash
	// Text is the answer's text blocks joined with "\n".
	Text string
}

// ReadResponseKeys reads an answer, either a JSON body or the raw bytes of an event stream,
// as upstream sent it. An unfinished stream counts with the blocks it got so far: reading the
// keys of a stream still running finds the Agent/Task calls it completed (a client may start
// a sub-agent before the answer ends), and a continuation no client will send.
func ReadResponseKeys(req RequestKeys, response []byte) ResponseKeys {
	var k ResponseKeys
	content, ok := readAnswer(response)
	if !ok {
		return k
	}
	var e encoder
	prev := req.Current
	if prev.IsZero() {
		prev = chainStart
	}
	k.Continuation = chain(prev, e.messageHash("assistant", content))
	for i := range content {
		b := &content[i]
		if b.Type != "tool_use" || (b.Name != "Agent" && b.Name != "Task") {
			continue
		}
		var h Hash
		if prompt := agentPrompt(b.Input); prompt != "" {
			h = promptHash(prompt)
		}
		k.AgentPrompts = append(k.AgentPrompts, h)
	}
	k.Text = answerText(content)
	return k
}

// ResponseText returns the text blocks of an answer (JSON or event stream) joined with "\n".
func ResponseText(response []byte) string {
	content, _ := readAnswer(response)
	return answerText(content)
}

func answerText(content apiContent) string {
	var parts []string
	for i := range content {
		if content[i].Type == "text" {
			parts = append(parts, content[i].Text)
		}
	}
	return strings.Join(parts, "\n")
}

// readAnswer returns the content of the assistant message in a response; ok is false when
// there is none (an error, or a stream that never started a message).
func readAnswer(response []byte) (apiContent, bool) {
	if b := bytes.TrimLeft(response, " \t\r\n"); len(b) > 0 && b[0] == '{' {
		var typ, role string
		var content apiContent
		r := jsonReader{b: b}
		r.object(func(key []byte) {
			switch string(key) {
			case "type":
				typ = r.str()
			case "role":
				role = r.name()
			case "content":
				content = r.content()
			default:
				r.skip()
			}
		})
		r.end()
		if r.err != nil || (typ != "message" && role != "assistant") {
			return nil, false
		}
		return content, true
	}
	var a streamAnswer
	p := SSEParser{OnEvent: a.event}
	p.Feed(response)
	p.Feed([]byte("\n\n")) // dispatch a last event that lacked its blank line
	return a.content(), a.started
}

// streamAnswer assembles the content blocks of a streamed message.
type streamAnswer struct {
	started bool
	blocks  apiContent
	text    [][]byte // per block: the text_delta fragments so far
	partial [][]byte // per block: the input_json_delta fragments so far
}

func (a *streamAnswer) event(name, data []byte) {
	switch string(name) {
	case "message_start":
		a.started = true
		return
	case "content_block_start", "content_block_delta":
	default:
		return
	}
	index := -1
	var block apiBlock
	var delta, text, partial string
	r := jsonReader{b: data}
	r.object(func(key []byte) {
		switch string(key) {
		case "index":
			index = r.index()
		case "content_block":
			block = r.block()
		case "delta":
			r.object(func(key []byte) {
				switch string(key) {
				case "type":
					delta = r.str()
				case "text":
					text = r.str()
				case "partial_json":
					partial = r.str()
				default:
					r.skip()
				}
			})
		default:
			r.skip()
		}
	})
	if r.end(); r.err != nil || index < 0 || index > len(a.blocks)+1024 {
		return
	}
	if string(name) == "content_block_start" {
		for len(a.blocks) <= index {
			a.blocks = append(a.blocks, apiBlock{})
			a.text = append(a.text, nil)
			a.partial = append(a.partial, nil)
		}
		a.blocks[index] = block
		return
	}
	if index >= len(a.blocks) {
		return
	}
	switch delta {
	case "text_delta":
		a.text[index] = append(a.text[index], text...)
	case "input_json_delta":
		a.partial[index] = append(a.partial[index], partial...)
	}
}

// content returns the blocks with their streamed text and inputs added.
func (a *streamAnswer) content() apiContent {
	for i := range a.blocks {
		if len(a.text[i]) > 0 {
			a.blocks[i].Text += string(a.text[i])
		}
		if len(a.partial[i]) > 0 {
			a.blocks[i].Input = a.partial[i]
		}
	}
	return a.blocks
}
