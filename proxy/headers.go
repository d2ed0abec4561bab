package proxy

import (
	"net/http"
	"strings"
)

// OAuthBeta is the anthropic-beta value that OAuth (subscription) credentials require.
const OAuthBeta = "oauth-2025-04-20"

// prepareUpstreamHeaders edits the outgoing request headers in place: the client's
// credentials and Accept-Encoding go, the upstream credential comes in, and anthropic-beta
// keeps every value the client sent (deduplicated) plus the ones cred needs. With passthrough
// (cred.Secret empty) the client's x-api-key or Authorization stays.
func prepareUpstreamHeaders(h http.Header, cred Credential) {
	h.Del(headerClientKey)
	// The proxy's transport negotiates compression itself and serves the client plain bytes.
	h.Del("Accept-Encoding")
	// Nothing about the client goes upstream.
	h.Del("Forwarded")
	h.Del("X-Real-Ip")
	if cred.Secret != "" {
		h.Del(headerAPIKey)
		h.Del(headerAuthorization)
		switch cred.Kind {
		case OAuth:
			h.Set(headerAuthorization, "Bearer "+cred.Secret)
			mergeBeta(h, OAuthBeta)
		default:
			h.Set(headerAPIKey, cred.Secret)
		}
	}
}

// mergeBeta rewrites anthropic-beta as one comma-separated list holding every value already
// present, in order and without duplicates, followed by extra values not yet there. With
// nothing to add and nothing duplicated the header is left exactly as sent.
func mergeBeta(h http.Header, extra ...string) {
	const name = "Anthropic-Beta"
	lines := h.Values(name)
	seen := make(map[string]bool)
	var out []string
	dup := false
	add := func(v string) {
		v = strings.TrimSpace(v)
		if v == "" {
			return
		}
		if seen[v] {
			dup = true
			return
		}
		seen[v] = true
		out = append(out, v)
	}
	for _, line := range lines {
		for _, v := range strings.Split(line, ",") {
			add(v)
		}
	}
	before := len(out)
	for _, v := range extra {
		add(v)
	}
	if len(out) == before && !dup && len(lines) <= 1 {
		return
	}
	h.Set(name, strings.Join(out, ","))
}

// keptResponseHeader reports whether an upstream response header is recorded.
func keptResponseHeader(name string) bool {
	n := strings.ToLower(name)
	return n == "request-id" || n == "retry-after" || strings.HasPrefix(n, "anthropic-ratelimit-")
}
