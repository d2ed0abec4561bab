package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestDeltaEventIsTheMarshalledMap checks the hand-built content_block_delta event against
// what marshalling the event's maps writes, for text that needs escaping in every way.
func TestDeltaEventIsTheMarshalledEvent(t *testing.T) {
	// raw is a JSON object with its keys in the order given.
	raw := func(kv ...any) json.RawMessage {
		b := []byte("{")
		for i := 0; i < len(kv); i += 2 {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(append(append(b, marshal(kv[i])...), ':'), marshal(kv[i+1])...)
		}
		return append(b, '}')
	}
	values := []string{"", "plain words ", `"quoted" \ back\slash`, "line\nbreak\ttab\x01\x1f", "<b>&amp;</b>",
		"naïve — “quotes” 日本 🙂", "\u2028\u2029", "\xff\xfe invalid UTF-8", `{"path": "/tmp/x"}`}
	for index, v := range values {
		for _, d := range []struct{ kind, field string }{{"text_delta", "text"}, {"input_json_delta", "partial_json"}} {
			want := append([]byte("event: content_block_delta\ndata: "), raw("type", "content_block_delta", "index", index,
				"delta", raw("type", d.kind, d.field, v))...)
			want = append(want, "\n\n"...)
			if got := deltaEvent(index, d.kind, d.field, v); !bytes.Equal(got, want) {
				t.Errorf("deltaEvent(%d, %q, %q, %q)\n got %q\nwant %q", index, d.kind, d.field, v, got, want)
			}
		}
	}
}
