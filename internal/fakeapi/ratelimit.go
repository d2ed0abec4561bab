package fakeapi

import (
	"net/http"
	"strconv"
	"time"
)

// Rate-limit header values. They are fixed so tests can compare; a Reply's Header
// overrides any of them.
const (
	RequestsLimit     = 4000
	RequestsRemaining = 3999
	TokensLimit       = 2000000
	TokensRemaining   = 1990000
	Unified5hUtil     = "0.25" // anthropic-ratelimit-unified-5h-utilization
	Unified7dUtil     = "0.1"  // anthropic-ratelimit-unified-7d-utilization
)

// rateLimitHeaders sets the anthropic-ratelimit-* headers of an authenticated answer:
// requests-*, tokens-*, input-tokens-* and output-tokens-* (reset as RFC 3339) always, and
// for OAuth requests also the unified window (status allowed, resets as Unix seconds:
// the 5h window ends at the next full hour plus 4h, the 7d window 6 days after that).
func rateLimitHeaders(h http.Header, oauth bool, now time.Time) {
	reset := now.UTC().Add(time.Minute).Truncate(time.Second).Format(time.RFC3339)
	requestsLimit := strconv.Itoa(RequestsLimit)
	tokensLimit, tokensLeft := strconv.Itoa(TokensLimit), strconv.Itoa(TokensRemaining)
	h.Set("Anthropic-Ratelimit-Requests-Limit", requestsLimit)
	h.Set("Anthropic-Ratelimit-Requests-Remaining", strconv.Itoa(RequestsRemaining))
	h.Set("Anthropic-Ratelimit-Requests-Reset", reset)
	for _, kind := range [...]string{"Tokens", "Input-Tokens", "Output-Tokens"} {
		h.Set("Anthropic-Ratelimit-"+kind+"-Limit", tokensLimit)
		h.Set("Anthropic-Ratelimit-"+kind+"-Remaining", tokensLeft)
		h.Set("Anthropic-Ratelimit-"+kind+"-Reset", reset)
	}
	if !oauth {
		return
	}
	reset5h := now.Truncate(time.Hour).Add(5 * time.Hour).Unix()
	reset7d := reset5h + 6*24*3600
	h.Set("Anthropic-Ratelimit-Unified-Status", "allowed")
	h.Set("Anthropic-Ratelimit-Unified-Reset", strconv.FormatInt(reset5h, 10))
	h.Set("Anthropic-Ratelimit-Unified-5h-Status", "allowed")
	h.Set("Anthropic-Ratelimit-Unified-5h-Utilization", Unified5hUtil)
	h.Set("Anthropic-Ratelimit-Unified-5h-Reset", strconv.FormatInt(reset5h, 10))
	h.Set("Anthropic-Ratelimit-Unified-7d-Status", "allowed")
	h.Set("Anthropic-Ratelimit-Unified-7d-Utilization", Unified7dUtil)
	h.Set("Anthropic-Ratelimit-Unified-7d-Reset", strconv.FormatInt(reset7d, 10))
	h.Set("Anthropic-Ratelimit-Unified-Representative-Claim", "five_hour")
	h.Set("Anthropic-Ratelimit-Unified-Fallback-Percentage", "0.5")
}
