package content

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"nexus/conversation"
)

func deltaEvent(index int, typ, field, value string) string {
	v, _ := json.Marshal(value)
	return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":" + string(rune('0'+index)) +
		",\"delta\":{\"type\":\"" + typ + "\",\"" + field + "\":" + string(v) + "}}\n\n"
}

func textDeltas(index int, parts ...string) string {
	var s strings.Builder
	for _, p := range parts {
		s.WriteString(deltaEvent(index, "text_delta", "text", p))
	}
	return s.String()
}

func jsonDeltas(index int, parts ...string) string {
	var s strings.Builder
	for _, p := range parts {
		s.WriteString(deltaEvent(index, "input_json_delta", "partial_json", p))
	}
	return s.String()
}

const streamHead = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n" +
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"

const streamTail = "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

// A secret the model streams across several deltas is redacted: none of its parts is left,
// and the answer, joined again, reads "[REDACTED:<kind>]" where the secret was.
func TestRedactStreamJoinsDeltas(t *testing.T) {
	r, _ := NewRedactor(nil)
	k := anthropicKey
	for _, tc := range []struct {
		name   string
		stream string
		parts  []string // pieces of the secret that must be gone
		text   string   // the joined answer text, after redaction ("" to skip)
	}{
		{"anthropic key in text", textDeltas(0, "Your key is "+k[:10], k[10:40], k[40:]+" — keep it safe."),
			[]string{k[10:40], k[40:]}, "Your key is [REDACTED:anthropic-key] — keep it safe."},
		{"client key in text", textDeltas(0, "use cnp_live_Zm9v", clientKey[13:]+" here"),
			[]string{clientKey[13:]}, "use [REDACTED:nexus-client-key] here"},
		{"url password in text", textDeltas(0, "postgres://admin:", "Hunter2SuperSecret", "@db.internal:5432/app"),
			[]string{"Hunter2SuperSecret"}, "postgres://admin:[REDACTED:url-password]@db.internal:5432/app"},
		{"pem in text", textDeltas(0, "-----BEGIN RSA PRIVATE KEY-----\n", "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2\n", "-----END RSA PRIVATE KEY-----"),
			[]string{"MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2"}, "[REDACTED:private-key]"},
		{"anthropic key in a tool call", jsonDeltas(0, `{"command": "curl -H 'x-api-key: `+k[:12], k[12:50], k[50:]+`'"}`),
			[]string{k[12:50], k[50:]}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(streamHead + tc.stream + streamTail)
			out, n := r.RedactStream(in)
			for _, p := range tc.parts {
				if bytes.Contains(out, []byte(p)) {
					t.Errorf("%q survived:\n%s", p, out)
				}
			}
			if n != 1 {
				t.Errorf("%d redactions, want 1", n)
			}
			if tc.text != "" {
				if got := conversation.ResponseText(out); got != tc.text {
					t.Errorf("joined text %q, want %q", got, tc.text)
				}
			}
			if !bytes.HasPrefix(out, []byte(streamHead)) || !bytes.HasSuffix(out, []byte(streamTail)) {
				t.Error("events without a part of the secret changed")
			}
		})
	}
}

// A stream without a split secret is left exactly as it came; one whole in a delta is
// redacted there as Redact does.
func TestRedactStreamLeavesTheRest(t *testing.T) {
	r, _ := NewRedactor(nil)
	plain := []byte(streamHead + textDeltas(0, "Hello", " there, ", "general Kenobi.") + streamTail)
	if out, n := r.RedactStream(plain); n != 0 || !bytes.Equal(out, plain) {
		t.Errorf("%d redactions in a stream without secrets:\n%s", n, out)
	}
	whole := []byte(streamHead + textDeltas(0, "key "+anthropicKey, " done") + streamTail)
	out, n := r.RedactStream(whole)
	if n != 1 || bytes.Contains(out, []byte(anthropicKey[20:])) {
		t.Errorf("%d redactions of a key whole in one delta:\n%s", n, out)
	}
	// Not a stream: Redact.
	body := []byte(`{"content":[{"type":"text","text":"` + anthropicKey + `"}]}`)
	if out, n := r.RedactStream(body); n != 1 || !json.Valid(out) || bytes.Contains(out, []byte(anthropicKey)) {
		t.Errorf("JSON answer: %d redactions: %s", n, out)
	}
}

// Any stream, well formed or not: no panic, nothing changed without a redaction, and every
// secret part of the seed gone.
func FuzzRedactStream(f *testing.F) {
	k := anthropicKey
	f.Add([]byte(streamHead + textDeltas(0, "Your key is "+k[:10], k[10:40], k[40:]) + streamTail))
	f.Add([]byte(streamHead + jsonDeltas(1, `{"command": "curl -H 'x-api-key: `+k[:12], k[12:]+`'"}`) + streamTail))
	f.Add([]byte(streamHead + textDeltas(0, "-----BEGIN PRIVATE KEY-----\n", "MIIEvQIBADANBg\n") + streamTail))
	f.Add([]byte("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}\r\n\r\n"))
	r, _ := NewRedactor(nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		out, n := r.RedactStream(b)
		if n == 0 && !bytes.Equal(out, b) {
			t.Fatalf("changed without a redaction:\n%q\n%q", b, out)
		}
		if again, m := r.RedactStream(out); m != 0 && bytes.Contains(again, []byte(k[20:])) {
			t.Fatalf("a second pass found %d more and the key is still there", m)
		}
	})
}

// An answer of 400 text deltas (about 13 KB), no secret: the cost of joining the deltas.
// go test ./content -bench RedactStream
func BenchmarkRedactStream(b *testing.B) {
	r, _ := NewRedactor(nil)
	parts := make([]string, 400)
	for i := range parts {
		parts[i] = "Some words of the answer "
	}
	stream := []byte(streamHead + textDeltas(0, parts...) + streamTail)
	b.SetBytes(int64(len(stream)))
	b.Run("Redact", func(b *testing.B) {
		for b.Loop() {
			r.Redact(stream)
		}
	})
	b.Run("RedactStream", func(b *testing.B) {
		for b.Loop() {
			r.RedactStream(stream)
		}
	})
}

// readDelta reads the deltas the API writes as encoding/json does, and leaves other shapes
// to it.
func TestReadDelta(t *testing.T) {
	for _, tc := range []struct {
		data         string
		ok           bool
		field, value string
	}{
		{`{"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":"plain"}}`, true, "text", "plain"},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\": \"\\u00e9\\n\"}"}}`, true, "partial_json", `{"a": "\u00e9\n"}`},
		{`{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"caf\u00e9\n\"q\""}}`, true, "text", "café\n\"q\""},
		{`{"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"hm"}}`, true, "thinking", "hm"},
		{`{"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"x"}}`, false, "", ""},
		{`{"index":1,"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}`, false, "", ""},
		{`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"x"},"extra":1}`, false, "", ""},
		{`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"bad \q"}}`, false, "", ""},
	} {
		d, ok := readDelta([]byte(tc.data))
		if ok != tc.ok || ok && (d.field != tc.field || string(d.value) != tc.value) {
			t.Errorf("%s: ok %v field %q value %q", tc.data, ok, d.field, d.value)
		}
	}
}
