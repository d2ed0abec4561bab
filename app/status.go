package app

import (
	"strings"

	"nexus/engine"
)

func toStatus(s engine.Status) Status {
	base := engine.BaseURL(s.Addr)
	return Status{
		Running: s.Running, Address: base, Port: s.Port, LastError: s.LastError, ClientAuth: s.ClientAuth,
		ClientKeyMasked: s.ClientKeyMasked, KeychainOK: s.KeychainOK, KeychainMessage: s.KeychainMessage,
		DefaultAccount: s.DefaultAccount, Connect: connectOptions(base, s.ClientKeyMasked),
		RequestCount: s.RequestCount,
	}
}

// connectOptions are the two ways to point Claude Code at the proxy (DESIGN.md), for a base
// URL and a client key (masked for display, real for the clipboard).
func connectOptions(baseURL, key string) []ConnectOption {
	return []ConnectOption{
		{
			ID:          "account",
			Title:       "Use an account kept in Nexus",
			Description: "Claude Code sends the Nexus client key; Nexus adds your Anthropic credential from the keychain.",
			Lines: []string{
				"export ANTHROPIC_BASE_URL=" + baseURL,
				"export ANTHROPIC_API_KEY=" + key,
			},
		},
		{
			ID:          "passthrough",
			Title:       "Keep Claude Code's own login",
			Description: "Claude Code keeps its subscription login; the client key travels in a header of its own.",
			Lines: []string{
				"export ANTHROPIC_BASE_URL=" + baseURL,
				`export ANTHROPIC_CUSTOM_HEADERS="x-nexus-client-key: ` + key + `"`,
			},
		},
	}
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") + "\n" }
