package proxy

import (
	"net/http"
	"strings"
)

// Headers that carry a credential from the client. None of them ever goes upstream as sent.
const (
	headerAPIKey        = "X-Api-Key"
	headerAuthorization = "Authorization"
	headerClientKey     = "X-Nexus-Client-Key"
)

// presentedKey is what the client offered to authenticate to the proxy, and whether it also
// sent its own Anthropic credential (possible only with x-nexus-client-key).
type presentedKey struct {
	key           string
	ownCredential bool
}

// readPresentedKey finds the client key: x-nexus-client-key first (the client then keeps its
// own x-api-key or Authorization for Anthropic), else x-api-key, else a bearer token.
func readPresentedKey(h http.Header) presentedKey {
	if k := h.Get(headerClientKey); k != "" {
		return presentedKey{key: k, ownCredential: hasOwnCredential(h, k)}
	}
	if k := h.Get(headerAPIKey); k != "" {
		return presentedKey{key: k}
	}
	return presentedKey{key: bearer(h)}
}

func bearer(h http.Header) string {
	v := h.Get(headerAuthorization)
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

// hasOwnCredential reports whether the client sent an Anthropic credential of its own: an
// x-api-key or Authorization value that does not carry clientKey ("" matches nothing).
func hasOwnCredential(h http.Header, clientKey string) bool {
	for _, name := range []string{headerAPIKey, headerAuthorization} {
		for _, v := range h.Values(name) {
			if v != "" && !carriesKey(v, clientKey) {
				return true
			}
		}
	}
	return false
}

func carriesKey(v, clientKey string) bool {
	return clientKey != "" && strings.Contains(v, clientKey)
}
