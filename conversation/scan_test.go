package conversation

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestScanRequestMetaMatchesDecoding(t *testing.T) {
	bodies := []string{
		`{"model":"claude-sonnet-4-6","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
		`{"messages":[{"role":"user","content":[{"type":"text","text":"a \"quoted\" {brace} [bracket] \\\\"}]}],"model":"m","stream":false}`,
		`{ "model" : "m" , "metadata" : {"user_id":"user_x_account_y_session_0b8e7d1a-2f7c"} , "stream" : true }`,
		`{"model":"m","metadata":{"user_id":"{\"device_id\":\"d\",\"session_id\":\"s-123\"}"}}`,
		`{"model":"m","metadata":{"user_id":{"session_id":"obj-1"}}}`,
		`{"model":"m","model":"last wins","stream":true,"stream":false}`,
		`{"model":"esc\u0061ped","stream":true}`,
		`{"stream":null,"model":"m"}`,
		`{"max_tokens":32000,"temperature":0.5e1,"thinking":{"type":"enabled"},"tools":[],"model":"m"}`,
		`{}`,
		`[]`,
		`{"model":"m"`,
		`not json`,
	}
	for _, b := range bodies {
		got, want := ScanRequestMeta([]byte(b)), ReadRequestMeta([]byte(b))
		if json.Valid([]byte(b)) && got != want {
			t.Errorf("%s:\n scan   %+v\n decode %+v", b, got, want)
		}
	}
}

func FuzzScanRequestMeta(f *testing.F) {
	f.Add([]byte(`{"model":"claude","stream":true,"metadata":{"user_id":"u_session_abc"},"messages":[{"role":"user","content":"x"}]}`))
	f.Add([]byte(`{"a":"\\\"","model":"m","b":[{"c":"]}"}]}`))
	f.Add([]byte(`{"model":"m","stream":tru`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got := ScanRequestMeta(body)
		if json.Valid(body) {
			if want := ReadRequestMeta(body); got != want {
				t.Fatalf("scan %+v, decode %+v", got, want)
			}
		}
	})
}

func BenchmarkScanRequestMeta(b *testing.B) {
	for _, size := range []int{72 << 10, 650 << 10} {
		body := claudeCodeShapedBody(size)
		b.Run(fmt.Sprintf("scan-%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				ScanRequestMeta(body)
			}
		})
		b.Run(fmt.Sprintf("decode-%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				ReadRequestMeta(body)
			}
		})
	}
}

func claudeCodeShapedBody(size int) []byte {
	var msgs []map[string]any
	for n := 0; n < size; n += 2000 {
		msgs = append(msgs, map[string]any{"role": "user", "content": []map[string]any{{"type": "text",
			"text": strings.Repeat("some \"code\" {with: [brackets]}\n", 60)}}})
	}
	b, _ := json.Marshal(map[string]any{"model": "claude-sonnet-4-6", "max_tokens": 32000,
		"system": strings.Repeat("You are Claude Code. ", 100), "messages": msgs,
		"metadata": map[string]any{"user_id": "user_a_account_b_session_c"}, "stream": true})
	return b
}
