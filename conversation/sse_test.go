package conversation

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

type sseEvent struct{ name, data string }

// parse feeds chunks to a parser with the given limit (0: MaxEventBytes) and returns the
// events. It fails the test if the parser ever holds more than the limit.
func parse(t testing.TB, limit int, chunks ...[]byte) []sseEvent {
	t.Helper()
	var evs []sseEvent
	p := SSEParser{limit: limit, OnEvent: func(name, data []byte) {
		evs = append(evs, sseEvent{string(name), string(data)})
	}}
	for _, c := range chunks {
		p.Feed(c)
		if max := p.max(); len(p.buf) > max || len(p.data) > max || len(p.name) > max {
			t.Fatalf("parser holds %d/%d/%d bytes, limit %d", len(p.buf), len(p.data), len(p.name), max)
		}
	}
	for _, e := range evs {
		if len(e.data) > p.max() || len(e.name) > p.max() {
			t.Fatalf("event of %d bytes passed limit %d", len(e.data), p.max())
		}
	}
	return evs
}

// chunk cuts b into pieces whose sizes cycle through sizes (each 1..64).
func chunk(b []byte, sizes []byte) [][]byte {
	if len(sizes) == 0 {
		return [][]byte{b}
	}
	var out [][]byte
	for i := 0; len(b) > 0; i++ {
		n := min(int(sizes[i%len(sizes)])%64+1, len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

func TestSSEParser(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []sseEvent
	}{
		{"anthropic events", "event: message_start\ndata: {\"a\":1}\n\nevent: ping\ndata: {}\n\n",
			[]sseEvent{{"message_start", `{"a":1}`}, {"ping", "{}"}}},
		{"crlf", "event: x\r\ndata: 1\r\n\r\n", []sseEvent{{"x", "1"}}},
		{"multi-line data", "data: a\ndata: b\ndata:c\n\n", []sseEvent{{"", "a\nb\nc"}}},
		{"comments and unknown fields", ": keep-alive\nid: 7\nretry: 10\nevent: e\ndata: d\n\n", []sseEvent{{"e", "d"}}},
		{"no data, no event", "event: e\n\n", nil},
		{"empty data line", "data\n\n", []sseEvent{{"", ""}}},
		{"name does not leak into the next event", "event: a\ndata: 1\n\ndata: 2\n\n", []sseEvent{{"a", "1"}, {"", "2"}}},
		{"unfinished event not dispatched", "event: a\ndata: 1\n", nil},
		{"only one leading space trimmed", "data:  x\n\n", []sseEvent{{"", " x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			if got := parse(t, 0, in); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			var bytewise [][]byte
			for i := range in {
				bytewise = append(bytewise, in[i:i+1])
			}
			if got := parse(t, 0, bytewise...); !slices.Equal(got, tc.want) {
				t.Errorf("byte by byte: got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSSEParserSkipsOversizedEvents(t *testing.T) {
	const limit = 16
	big := strings.Repeat("x", limit+1)
	for _, tc := range []struct {
		name, in string
		want     []sseEvent
	}{
		{"data over the limit", "data: " + big + "\n\ndata: ok\n\n", []sseEvent{{"", "ok"}}},
		{"data lines adding up over the limit", "data: 0123456789\ndata: 0123456789\n\ndata: ok\n\n", []sseEvent{{"", "ok"}}},
		{"line at the limit", "data: " + big[:limit-6] + "\n\n", []sseEvent{{"", big[:limit-6]}}},
		{"a long line spoils its event", ": " + big + "\ndata: a\n\ndata: ok\n\n", []sseEvent{{"", "ok"}}},
		// Regression: after an oversized data line, the rest of the event stayed skipped
		// only when it arrived in one piece; a blank-looking tail ended the skip early.
		{"rest of a skipped event", "data: " + big + "\ndata: tail\ndata: more\n\ndata: ok\n\n", []sseEvent{{"", "ok"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			whole := parse(t, limit, in)
			if !slices.Equal(whole, tc.want) {
				t.Errorf("got %q, want %q", whole, tc.want)
			}
			for _, sizes := range [][]byte{{0}, {9}, {3, 7}, {5, 0, 11}} {
				if got := parse(t, limit, chunk(in, sizes)...); !slices.Equal(got, whole) {
					t.Errorf("chunks %v: got %q, want %q", sizes, got, whole)
				}
			}
		})
	}
}

// TestSSEParserBoundedAtRealLimit streams an event far over MaxEventBytes in small chunks:
// it is skipped, the parser's buffers stay bounded, and the next event gets through.
func TestSSEParserBoundedAtRealLimit(t *testing.T) {
	var got []sseEvent
	p := SSEParser{OnEvent: func(name, data []byte) { got = append(got, sseEvent{string(name), string(data)}) }}
	p.Feed([]byte("event: huge\ndata: "))
	chunk := bytes.Repeat([]byte("y"), 64<<10)
	for range 3 * MaxEventBytes / len(chunk) {
		p.Feed(chunk)
	}
	p.Feed([]byte("\n\nevent: small\ndata: 1\n\n"))
	if !slices.Equal(got, []sseEvent{{"small", "1"}}) {
		t.Errorf("events %q", got)
	}
	if cap(p.buf) > 2*MaxEventBytes || cap(p.data) > 2*MaxEventBytes {
		t.Errorf("buffers grew to %d and %d bytes", cap(p.buf), cap(p.data))
	}
}

// FuzzSSEParser: any chunking yields the events of one-shot feeding; nothing panics; the
// parser never holds more than its limit.
func FuzzSSEParser(f *testing.F) {
	for _, seed := range sseSeeds {
		f.Add([]byte(seed), []byte{0})
		f.Add([]byte(seed), []byte{3, 17, 1})
	}
	f.Add([]byte("data: "+strings.Repeat("z", 40)+"\ndata: tail\n\ndata: ok\n\n"), []byte{5, 0})
	f.Add([]byte("data: a\r"), []byte{})
	f.Fuzz(func(t *testing.T, stream, sizes []byte) {
		for _, limit := range []int{0, 16} {
			whole := parse(t, limit, stream)
			if got := parse(t, limit, chunk(stream, sizes)...); !slices.Equal(got, whole) {
				t.Fatalf("limit %d, chunks %v:\n got %q\nwant %q", limit, sizes, got, whole)
			}
			if got := parse(t, limit, chunk(stream, []byte{0})...); !slices.Equal(got, whole) {
				t.Fatalf("limit %d, byte by byte:\n got %q\nwant %q", limit, got, whole)
			}
		}
	})
}

// sseSeeds are streams as the API sends them, and damaged ones.
var sseSeeds = []string{
	toolUseStream,
	strings.ReplaceAll(toolUseStream, "\n", "\r\n"),
	toolUseStream[:len(toolUseStream)/2],
	": comment\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n",
	"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
	"data:\ndata:\n\n\n\n",
	"event:\x00\ndata:\xff\xfe\n\n",
	fmt.Sprintf("data: %s\n\n", strings.Repeat("{", 100)),
}

// toolUseStream is a streamed tool_use answer, as the API sends it.
const toolUseStream = `event: message_start
data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":30,"cache_read_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20},"output_tokens":2}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let me check."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"SF\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":472,"cache_creation_input_tokens":30,"cache_read_input_tokens":200,"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

`
