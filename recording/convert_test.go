package recording

import (
	"testing"
	"time"

	"nexus/conversation"
	"nexus/proxy"
)

func TestToStoreRequest(t *testing.T) {
	rec := proxy.Record{
		ID: "r_1", StartedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("x", 3600)), Method: "POST",
		Path: "/v1/messages", Query: "beta=true",
		Model: "claude-sonnet-4-5", Stream: true, SessionID: "s-42",
	}
	start := toStoreRequest(rec, false, conversation.DefaultPrices())
	if start.Model != "claude-sonnet-4-5" || !start.Stream || start.SessionID != "s-42" || start.Kind != "turn" ||
		start.Finished || !start.StartedAt.Equal(rec.StartedAt) || start.StartedAt.Location() != time.UTC {
		t.Errorf("start %+v", start)
	}

	rec.Status, rec.Stream = 200, true
	rec.Usage = conversation.Usage{InputTokens: 1e6, OutputTokens: 1e6}
	rec.Attempts = []proxy.Attempt{{Status: 529}, {Status: 200}}
	rec.Headers = map[string]string{"request-id": "req_1"}
	rec.SessionID = "from-header"
	rec.TTFB = 1500 * time.Microsecond
	fin := toStoreRequest(rec, true, conversation.DefaultPrices())
	if !fin.Finished || fin.SessionID != "from-header" || fin.CostUSD != 18 || fin.Attempts != 2 ||
		fin.AttemptsJSON == "" || fin.HeadersJSON != `{"request-id":"req_1"}` || fin.TTFBMs != 1.5 {
		t.Errorf("finish %+v", fin)
	}

	aux := toStoreRequest(proxy.Record{ID: "r_2", Path: "/v1/messages/count_tokens"}, true, conversation.DefaultPrices())
	if aux.Kind != "auxiliary" {
		t.Errorf("count_tokens kind %q", aux.Kind)
	}
}
