package conversation

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestStreamReaderSummary(t *testing.T) {
	r := NewStreamReader()
	r.Feed([]byte(toolUseStream))
	s := r.Summary()
	want := Usage{InputTokens: 472, OutputTokens: 89, CacheCreationInputTokens: 30, CacheReadInputTokens: 200, CacheCreation5m: 10, CacheCreation1h: 20}
	if s.Usage != want || s.MessageID != "msg_01" || s.Model != "claude-sonnet-4-5" || s.StopReason != "tool_use" ||
		!s.Complete || s.Events != 11 || s.ErrorType != "" {
		t.Errorf("summary %+v", s)
	}
}

func TestStreamReaderCut(t *testing.T) {
	cut := toolUseStream[:strings.Index(toolUseStream, "event: message_delta")]
	r := NewStreamReader()
	r.Feed([]byte(cut))
	s := r.Summary()
	if s.Complete || s.Usage.InputTokens != 472 || s.Usage.OutputTokens != 2 || s.Usage.CacheReadInputTokens != 100 {
		t.Errorf("summary of a cut stream %+v", s)
	}
}

func TestStreamReaderError(t *testing.T) {
	r := NewStreamReader()
	r.Feed([]byte(toolUseStream[:strings.Index(toolUseStream, "event: content_block_stop")]))
	r.Feed([]byte("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"))
	if s := r.Summary(); s.ErrorType != "overloaded_error" || s.ErrorMessage != "Overloaded" || s.Complete {
		t.Errorf("summary %+v", s)
	}
}

func TestReadJSONResponse(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       ResponseSummary
	}{
		{"message",
			`{"id":"msg_1","type":"message","model":"claude-opus-4-6","stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":7,"cache_creation_input_tokens":3,"cache_creation":{"ephemeral_5m_input_tokens":1,"ephemeral_1h_input_tokens":2}}}`,
			ResponseSummary{MessageID: "msg_1", Model: "claude-opus-4-6", StopReason: "end_turn", Complete: true,
				Usage: Usage{InputTokens: 5, OutputTokens: 7, CacheCreationInputTokens: 3, CacheCreation5m: 1, CacheCreation1h: 2}}},
		{"error",
			`{"type":"error","error":{"type":"rate_limit_error","message":"slow down"},"request_id":"req_1"}`,
			ResponseSummary{ErrorType: "rate_limit_error", ErrorMessage: "slow down", Complete: true}},
		{"count_tokens", `{"input_tokens":12}`, ResponseSummary{Complete: true}},
		{"truncated", `{"id":"msg_1","type":"message","usage":{"input_tok`, ResponseSummary{}},
		{"not JSON", `<html>bad gateway</html>`, ResponseSummary{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReadJSONResponse([]byte(tc.body)); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func nonNegative(u Usage) bool {
	return u.InputTokens >= 0 && u.OutputTokens >= 0 && u.CacheCreationInputTokens >= 0 &&
		u.CacheReadInputTokens >= 0 && u.CacheCreation5m >= 0 && u.CacheCreation1h >= 0
}

// FuzzStreamReader: any bytes in any chunking give the summary of one-shot feeding, and
// never a negative count.
func FuzzStreamReader(f *testing.F) {
	for _, seed := range sseSeeds {
		f.Add([]byte(seed), []byte{7})
	}
	f.Add([]byte(strings.ReplaceAll(toolUseStream, "472", "99999999999999999999999")), []byte{1, 30})
	f.Add([]byte(strings.ReplaceAll(toolUseStream, "472", "-3")), []byte{})
	f.Add([]byte(strings.ReplaceAll(toolUseStream, "472", "1e3")), []byte{2})
	f.Fuzz(func(t *testing.T, stream, sizes []byte) {
		whole := NewStreamReader()
		whole.Feed(stream)
		chunked := NewStreamReader()
		for _, c := range chunk(stream, sizes) {
			chunked.Feed(c)
		}
		if whole.Summary() != chunked.Summary() {
			t.Fatalf("chunks %v:\n got %+v\nwant %+v", sizes, chunked.Summary(), whole.Summary())
		}
		if !nonNegative(whole.Summary().Usage) {
			t.Fatalf("negative usage %+v", whole.Summary().Usage)
		}
	})
}

// FuzzReadJSONResponse: garbage, truncation and huge numbers never panic; only valid JSON
// is complete; counts are never negative.
func FuzzReadJSONResponse(f *testing.F) {
	for _, tc := range []string{
		`{"id":"msg_1","type":"message","model":"m","stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":1}}}`,
		`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
		`{"usage":{"input_tokens":18446744073709551616}}`,
		`{"usage":{"input_tokens":-1,"output_tokens":1.5}}`,
		`{"usage":null,"error":null}`,
		`[1,2,3]`,
		`{"id":"msg_1","usage":{"input_tok`,
		"\xff\xfe",
	} {
		f.Add([]byte(tc))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := ReadJSONResponse(body)
		if s.Complete && !json.Valid(body) {
			t.Fatalf("invalid JSON %q read as complete", body)
		}
		if !nonNegative(s.Usage) {
			t.Fatalf("negative usage %+v", s.Usage)
		}
	})
}

// FuzzUsage merges two arbitrary usage objects: later fields win, absent ones change
// nothing, merging again changes nothing, and no count goes negative.
func FuzzUsage(f *testing.F) {
	f.Add(`{"input_tokens":100,"output_tokens":1,"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20}}`,
		`{"output_tokens":55,"cache_read_input_tokens":80}`)
	f.Add(`{"cache_creation_input_tokens":50}`, `{"cache_creation_input_tokens":80}`)
	f.Add(`{"input_tokens":9223372036854775807,"cache_creation_input_tokens":9223372036854775807,"cache_creation":{"ephemeral_1h_input_tokens":9223372036854775807}}`, `{}`)
	f.Add(`{"input_tokens":-1}`, `{"cache_creation":{"ephemeral_5m_input_tokens":-5,"ephemeral_1h_input_tokens":0}}`)
	f.Add(`{"input_tokens":1e400}`, `null`)
	f.Fuzz(func(t *testing.T, first, second string) {
		var a, b wireUsage
		if json.Unmarshal([]byte(first), &a) != nil || json.Unmarshal([]byte(second), &b) != nil {
			return
		}
		var u Usage
		u.merge(&a)
		u.merge(&b)
		if !nonNegative(u) {
			t.Fatalf("negative usage %+v", u)
		}
		for _, f := range []struct {
			src *int64
			got int64
		}{
			{b.InputTokens, u.InputTokens}, {b.OutputTokens, u.OutputTokens},
			{b.CacheCreationInputTokens, u.CacheCreationInputTokens}, {b.CacheReadInputTokens, u.CacheReadInputTokens},
		} {
			if f.src != nil && *f.src >= 0 && f.got != *f.src {
				t.Fatalf("later value %d lost: %+v", *f.src, u)
			}
		}
		again := u
		again.merge(&b)
		again.merge(&wireUsage{})
		again.merge(nil)
		if again != u {
			t.Fatalf("merge is not idempotent:\n%+v\n%+v", u, again)
		}
		_ = DefaultPrices().Cost("claude-sonnet-4-5", u) // huge counts must not panic
	})
}
