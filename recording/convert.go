package recording

import (
	"encoding/json"
	"time"

	"nexus/conversation"
	"nexus/proxy"
	"nexus/store"
)

// toStoreRequest turns a proxy record into a stored request and prices its usage.
func toStoreRequest(rec proxy.Record, finished bool, prices conversation.PriceTable) store.Request {
	r := store.Request{
		ID: rec.ID, StartedAt: rec.StartedAt.UTC(), Method: rec.Method, Path: rec.Path, Query: rec.Query,
		Model: rec.Model, Stream: rec.Stream, Status: rec.Status, ErrorType: rec.ErrorType, Error: rec.ErrorMessage,
		Kind: kindOf(rec.Path), SessionID: rec.SessionID, Account: rec.Account, ClientKeyID: rec.ClientKeyID,
		UserAgent:   rec.UserAgent,
		Passthrough: rec.Passthrough, Rejected: rec.Rejected, Finished: finished, Incomplete: rec.Incomplete,
		StopReason: rec.StopReason, MessageID: rec.MessageID,
		InputTokens: rec.Usage.InputTokens, OutputTokens: rec.Usage.OutputTokens,
		CacheCreationInputTokens: rec.Usage.CacheCreationInputTokens, CacheReadInputTokens: rec.Usage.CacheReadInputTokens,
		CacheCreation5m: rec.Usage.CacheCreation5m, CacheCreation1h: rec.Usage.CacheCreation1h,
		TTFBMs: ms(rec.TTFB), DurationMs: ms(rec.Duration), OverheadMs: ms(rec.Overhead), Attempts: len(rec.Attempts),
	}
	if len(rec.Attempts) > 0 {
		b, _ := json.Marshal(rec.Attempts)
		r.AttemptsJSON = string(b)
	}
	if len(rec.Headers) > 0 {
		b, _ := json.Marshal(rec.Headers)
		r.HeadersJSON = string(b)
	}
	r.CostUSD = prices.Cost(r.Model, rec.Usage)
	return r
}

// kindOf classifies a request by its path; conversation linking refines turns later.
func kindOf(path string) string {
	if path == "/v1/messages" {
		return "turn"
	}
	return "auxiliary"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
