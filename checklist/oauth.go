package checklist

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// oauthTokens checks that every OAuth (subscription) account can still be used: its access
// token refreshes, and the last refresh did not fail. A refused refresh token fails: only a
// new login brings the account back.
func oauthTokens(f Facts) Item {
	it := Item{ID: "oauth-tokens", Title: "OAuth accounts keep refreshing"}
	if f.KeychainErr != "" {
		it.Status, it.Evidence = Warn, "the keychain did not open, so OAuth accounts are unknown"
		it.Fix = "see the keychain item"
		return it
	}
	var ok, failing, dead, logins []string
	for _, a := range oauthAccounts(f) {
		expiry := "expires " + relative(a.Expires, f.Now)
		switch {
		case a.NeedsLogin:
			dead = append(dead, fmt.Sprintf("%s (refresh token refused; %s)", a.Name, expiry))
			logins = append(logins, "nexus credentials login "+a.Name)
		case a.RefreshError != "":
			failing = append(failing, fmt.Sprintf("%s (last refresh failed: %s; %s)", a.Name, a.RefreshError, expiry))
			logins = append(logins, "nexus credentials login "+a.Name)
		default:
			ok = append(ok, fmt.Sprintf("%s (%s)", a.Name, expiry))
		}
	}
	if len(ok)+len(failing)+len(dead) == 0 {
		it.Status, it.Evidence = Pass, "no OAuth accounts: nothing to refresh"
		return it
	}
	var parts []string
	if len(dead) > 0 {
		parts = append(parts, "needs a new login: "+strings.Join(dead, ", "))
	}
	if len(failing) > 0 {
		parts = append(parts, "refresh failing: "+strings.Join(failing, ", "))
	}
	if len(ok) > 0 {
		parts = append(parts, "refreshing: "+strings.Join(ok, ", "))
	}
	it.Evidence = strings.Join(parts, "; ")
	switch {
	case len(dead) > 0:
		it.Status = Fail
	case len(failing) > 0:
		it.Status = Warn
	default:
		it.Status = Pass
		return it
	}
	it.Fix = "log in again: " + strings.Join(logins, "; ") + " (a refresh that failed for a network reason is retried by itself)"
	return it
}

// subscriptionTerms informs about the provider's terms for subscription (OAuth) credentials.
// It never warns: whether a use is allowed is for the user to judge, but they should know.
func subscriptionTerms(f Facts) Item {
	it := Item{ID: "subscription-terms", Title: "Subscription credentials are used within the provider's terms", Status: Pass}
	var names []string
	for _, a := range oauthAccounts(f) {
		names = append(names, a.Name)
	}
	if len(names) == 0 {
		it.Evidence = "no subscription (OAuth) accounts: API keys are used under Anthropic's Commercial Terms"
		return it
	}
	it.Evidence = fmt.Sprintf("%d subscription (OAuth) account(s): %s. Anthropic's terms for Claude Free, Pro and Max "+
		"say their OAuth tokens are meant for Claude Code and Claude.ai only, that using them in any other product, tool "+
		"or service is not permitted under the Consumer Terms, and that plan limits assume ordinary, individual use",
		len(names), strings.Join(names, ", "))
	it.Fix = "send only your own Claude Code traffic through these accounts; for other tools, scripts or shared use add an " +
		"API key from the Claude Console (`nexus credentials add-key NAME`); the current wording is at " +
		"https://code.claude.com/docs/en/legal-and-compliance and https://www.anthropic.com/legal/consumer-terms"
	return it
}

func oauthAccounts(f Facts) []Credential {
	var out []Credential
	for _, a := range f.Accounts {
		if a.Kind == "oauth" {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// relative says when t is from now: "in 3h 12m", "2h 5m ago", "at an unknown time".
func relative(t, now time.Time) string {
	if t.IsZero() {
		return "at an unknown time"
	}
	d := t.Sub(now)
	if d >= 0 {
		return "in " + span(d)
	}
	return span(-d) + " ago"
}

// span is a duration rounded for people: "3d 4h", "2h 5m", "14m", "40s".
func span(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
