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
// own x-api-key or Authorization for Anthropic, which is none of clientKeys), else x-api-key,
// else a bearer token.
func readPresentedKey(h http.Header, clientKeys []string) presentedKey {
	if k := h.Get(headerClientKey); k != "" {
		return presentedKey{key: k, ownCredential: hasOwnCredential(h, clientKeys)}
	}
	if k := h.Get(headerAPIKey); k != "" {
		return presentedKey{key: k}
	}
	return presentedKey{key: bearer(h)}
}

func bearer(h http.Header) string {
	return bearerToken(h.Get(headerAuthorization))
}

// bearerToken is the token of an Authorization value "Bearer TOKEN", else "".
func bearerToken(v string) string {
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

// clientKeysIn lists the client keys a request carries, none of which may go upstream: the
// x-nexus-client-key value, and every x-api-key or bearer value that keys accepts — a client
// key sent as the client's "API key" with client auth off, or a second one beside
// x-nexus-client-key.
func clientKeysIn(h http.Header, keys ClientKeys) []string {
	var out []string
	if k := h.Get(headerClientKey); k != "" {
		out = append(out, k)
	}
	if keys == nil {
		return out
	}
	isKey := func(v string) bool { _, _, ok := keys.Authenticate(v); return ok }
	for _, v := range h.Values(headerAPIKey) {
		if v = strings.TrimSpace(v); v != "" && isKey(v) {
			out = append(out, v)
		}
	}
	for _, v := range h.Values(headerAuthorization) {
		if t := bearerToken(v); t != "" && isKey(t) {
			out = append(out, t)
		}
	}
	return out
}

// hasOwnCredential reports whether the client sent an Anthropic credential of its own: an
// x-api-key or Authorization value that carries none of clientKeys.
func hasOwnCredential(h http.Header, clientKeys []string) bool {
	for _, name := range []string{headerAPIKey, headerAuthorization} {
		for _, v := range h.Values(name) {
			if v != "" && !carriesKey(v, clientKeys) {
				return true
			}
		}
	}
	return false
}

// carriesKey reports whether v contains one of clientKeys.
func carriesKey(v string, clientKeys []string) bool {
	for _, k := range clientKeys {
		if k != "" && strings.Contains(v, k) {
			return true
		}
	}
	return false
}
