package fakeapi

import (
	"context"
	"iter"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Built-in answer content.
const (
	defaultText = "Hello from the fake Anthropic API. How can I help you today?"
	toolText    = "I'll look up the weather."
	toolName    = "get_weather"
	toolInput   = `{"location":"San Francisco, CA","unit":"celsius"}`
)

// textChunk is the size of a text delta; toolChunk of an input_json_delta.
const (
	textChunk = 16
	toolChunk = 12
)

// largeChunk is the 1 KiB of text each large:<kb> delta carries.
var largeChunk = strings.Repeat("All work and no play makes a fake API a dull server. ", 20)[:1024]

// block is one content block of an answer. Its streamed deltas concatenate to its content.
type block struct {
	tool     bool     // tool_use; else text
	id, name string   // tool_use
	chunks   []string // text deltas, or input_json_delta partial_json values
	paced    scenario // kindPaced: deltas are made at send time instead of chunks
}

// content returns the blocks and stop_reason of a non-error answer.
func content(sc scenario, text, toolID string) ([]block, string) {
	switch sc.kind {
	case kindToolUse:
		return []block{
			{chunks: split(toolText, textChunk)},
			// The API's first input_json_delta is empty.
			{tool: true, id: toolID, name: toolName, chunks: append([]string{""}, split(toolInput, toolChunk)...)},
		}, "tool_use"
	case kindPaced:
		return []block{{paced: sc}}, "end_turn"
	case kindLarge:
		chunks := make([]string, sc.n)
		for i := range chunks {
			chunks[i] = largeChunk
		}
		return []block{{chunks: chunks}}, "end_turn"
	}
	return []block{{chunks: split(text, textChunk)}}, "end_turn"
}

// split cuts s into pieces of about size bytes, on rune boundaries.
func split(s string, size int) []string {
	var out []string
	for len(s) > size {
		i := size
		for i < len(s) && !utf8.RuneStart(s[i]) {
			i++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return append(out, s)
}

// deltas yields b's delta texts. Paced blocks wait between deltas and stop early when ctx
// ends.
func (b block) deltas(ctx context.Context) iter.Seq[string] {
	return func(yield func(string) bool) {
		if b.paced.kind != kindPaced {
			for _, c := range b.chunks {
				if !yield(c) {
					return
				}
			}
			return
		}
		for i := range b.paced.n {
			if i > 0 && !sleep(ctx, b.paced.every) {
				return
			}
			if !yield(stamp(time.Now())) {
				return
			}
		}
	}
}

// outputBytes is the size of the answer's content.
func outputBytes(blocks []block) int {
	n := 0
	for _, b := range blocks {
		if b.paced.kind == kindPaced {
			n += b.paced.n * stampLen
		}
		for _, c := range b.chunks {
			n += len(c)
		}
	}
	return n
}

// A paced delta's text: stampPrefix, the send time in Unix nanoseconds as 19 digits, "\n".
const (
	stampPrefix = "ts="
	stampLen    = len(stampPrefix) + 19 + 1
)

func stamp(t time.Time) string {
	b := make([]byte, 0, stampLen)
	b = append(b, stampPrefix...)
	digits := strconv.AppendInt(nil, t.UnixNano(), 10)
	for range 19 - len(digits) {
		b = append(b, '0')
	}
	return string(append(append(b, digits...), '\n'))
}

// PacedStamp returns the send time written into the text of one paced:<n>:<ms> delta.
func PacedStamp(text string) (time.Time, bool) {
	digits, ok := strings.CutPrefix(strings.TrimSpace(text), stampPrefix)
	if !ok {
		return time.Time{}, false
	}
	ns, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}
