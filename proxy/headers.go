package proxy

import (
	"net/http"
	"strings"
)

// OAuthBeta is the anthropic-beta value that OAuth (subscription) credentials require.
const OAuthBeta = "oauth-2025-04-20"

// upstreamAuth is what rewrite needs to set the outgoing credential; it travels in the
// request context.
type upstreamAuth struct {
	cred Credential
	// clientKeys are the client keys the request carries (clientKeysIn). With passthrough, a
	// credential header carrying one is dropped, so no client key ever goes upstream.
	clientKeys []string
}

type upstreamAuthKey struct{}

// prepareUpstreamHeaders edits the outgoing request headers in place: the client's
// credentials and Accept-Encoding go, the upstream credential comes in, and anthropic-beta
// becomes one line holding every value the client sent (deduplicated) plus the ones the
// credential needs. With passthrough (no secret) the client's own x-api-key or Authorization
// stays, minus any value carrying the client key.
func prepareUpstreamHeaders(h http.Header, a upstreamAuth) {
	h.Del(headerClientKey)
	// The proxy's transport negotiates compression itself and serves the client plain bytes.
	h.Del("Accept-Encoding")
	// Nothing about the client goes upstream.
	h.Del("Forwarded")
	h.Del("X-Real-Ip")
	switch {
	case a.cred.Secret == "":
		dropValuesCarrying(h, headerAPIKey, a.clientKeys)
		dropValuesCarrying(h, headerAuthorization, a.clientKeys)
		mergeBeta(h)
	case a.cred.Kind == OAuth:
		h.Del(headerAPIKey)
		h.Set(headerAuthorization, "Bearer "+a.cred.Secret)
		mergeBeta(h, OAuthBeta)
	default:
		h.Del(headerAuthorization)
		h.Set(headerAPIKey, a.cred.Secret)
		mergeBeta(h)
	}
}

// dropValuesCarrying removes the values of header name that carry one of keys.
func dropValuesCarrying(h http.Header, name string, keys []string) {
	vals := h.Values(name)
	kept := vals[:0:0]
	for _, v := range vals {
		if !carriesKey(v, keys) {
			kept = append(kept, v)
		}
	}
	if len(kept) == 0 {
		h.Del(name)
		return
	}
	h[http.CanonicalHeaderKey(name)] = kept
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
	switch {
	case len(out) == before && !dup && len(lines) <= 1:
		return
	case len(out) == 0:
		h.Del(name)
	default:
		h.Set(name, strings.Join(out, ","))
	}
}

// keptResponseHeader reports whether an upstream response header is recorded.
func keptResponseHeader(name string) bool {
	n := strings.ToLower(name)
	return n == "request-id" || n == "retry-after" || strings.HasPrefix(n, "anthropic-ratelimit-")
}

// keptHeaders are the upstream response headers a record keeps, by lower-case name (their
// first values); nil when there are none.
func keptHeaders(h http.Header) map[string]string {
	var kept map[string]string
	for name, vals := range h {
		if keptResponseHeader(name) && len(vals) > 0 {
			if kept == nil {
				kept = make(map[string]string)
			}
			kept[strings.ToLower(name)] = vals[0]
		}
	}
	return kept
}
