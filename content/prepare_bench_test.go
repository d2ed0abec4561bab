package content

import (
	"strconv"
	"testing"

	"nexus/store"
)

// BenchmarkPrepare measures what the recorder spends on one finished Claude Code request of
// about 72 KB and 650 KB: redaction, linking keys, splitting, hashing, and sealing the pieces
// not yet stored (here the newest message and the answer, as in a running session).
func BenchmarkPrepare(b *testing.B) {
	for _, size := range []int{72 << 10, 650 << 10} {
		b.Run(strconv.Itoa(size>>10)+"KB", func(b *testing.B) {
			req := claudeCodeBody(size)
			resp := []byte(`{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Done."}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":2}}`)
			redactor, err := NewRedactor(nil)
			if err != nil {
				b.Fatal(err)
			}
			bodies := NewBodies(newTestCodec(b, 1), "", redactor)
			first := store.Request{Path: "/v1/messages", Status: 200}
			bodies.Prepare(&first, req, resp)
			bodies.Stored(first.Body)
			b.SetBytes(int64(len(req)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				r := store.Request{Path: "/v1/messages", Status: 200}
				bodies.Prepare(&r, req, resp)
			}
		})
	}
}
