package checklist

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDatabasePrivileges(t *testing.T) {
	pg := func(p DBPrivileges) func(*testing.T) Facts {
		return with(func(f *Facts) {
			f.DB = Database{Set: true, Postgres: true, Hosts: []string{"127.0.0.1"}, SSLMode: "disable"}
			f.DBPrivileges = p
		})
	}
	runCases(t, databasePrivileges, []checkCase{
		{"sqlite", with(func(*Facts) {}), Pass, "embedded SQLite file: no network"},
		{"tight", pg(DBPrivileges{Role: "nexus", Database: "nexus"}), Pass, "role nexus is not a superuser"},
		{"public connect", pg(DBPrivileges{Role: "nexus", Database: "Nexus-DB", PublicConnect: true}), Warn,
			`REVOKE CONNECT ON DATABASE "Nexus-DB" FROM PUBLIC; GRANT CONNECT ON DATABASE "Nexus-DB" TO nexus;`},
		{"superuser", pg(DBPrivileges{Role: "postgres", Database: "nexus", Superuser: true}), Warn, "role postgres is a superuser"},
		{"unreadable", pg(DBPrivileges{Err: "connection refused"}), Warn, "connection refused"},
	})
}

func TestBodyStorage(t *testing.T) {
	bodies := func(b Bodies) func(*testing.T) Facts { return with(func(f *Facts) { f.Bodies = b }) }
	safe := Bodies{Enabled: true, Encrypted: true, Redacting: true, RetentionDays: 90, RetentionMaxMB: 4096}
	runCases(t, bodyStorage, []checkCase{
		{"metadata only", bodies(Bodies{}), Pass, "metadata only"},
		{"off for a reason", bodies(Bodies{Reason: "the keychain is locked"}), Pass, "the keychain is locked"},
		{"stored safely", bodies(safe), Pass, "up to 90 days and up to 4096 MB"},
		{"size limit only", bodies(Bodies{Enabled: true, Encrypted: true, Redacting: true, RetentionMaxMB: 10}), Pass, "up to 10 MB"},
		{"plain", bodies(Bodies{Enabled: true, Redacting: true, RetentionDays: 90}), Warn, "without encryption"},
		{"unredacted", bodies(Bodies{Enabled: true, Encrypted: true, RetentionDays: 90}), Warn, "without redacting"},
		{"forever", bodies(Bodies{Enabled: true, Encrypted: true, Redacting: true}), Warn, "no retention limit"},
	})
}

func TestAuthFailureBurst(t *testing.T) {
	now := good().Now
	traffic := func(fs ...ClientFailures) func(*testing.T) Facts {
		return with(func(f *Facts) { f.Traffic = Traffic{Read: true, AuthFailures: fs} })
	}
	runCases(t, authFailureBurst, []checkCase{
		{"nothing recorded", with(func(*Facts) {}), Pass, "no requests recorded"},
		{"quiet", traffic(), Pass, "no request got a 401"},
		{"ten is fine", traffic(ClientFailures{Client: "curl/8.1", Count: 10, Last: now}), Pass, `at most 10 from one client ("curl/8.1")`},
		{"eleven", traffic(ClientFailures{Client: "curl/8.1", Count: 3, Last: now}, ClientFailures{Client: "python-requests/2.31", Count: 11, Last: now}),
			Warn, `"python-requests/2.31": 11 (last at 00:00:00 UTC)`},
		{"unreadable", with(func(f *Facts) { f.Traffic.Err = "database is locked" }), Warn, "database is locked"},
		{"many clients", func(*testing.T) Facts {
			var fs []ClientFailures
			for i := range 7 {
				fs = append(fs, ClientFailures{Client: fmt.Sprintf("bot-%d", i), Count: 20, Last: now})
			}
			return traffic(fs...)(t)
		}, Warn, "and 2 more client(s)"},
	})
}

func TestTokenSpike(t *testing.T) {
	now := time.Date(2026, 5, 10, 15, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return time.Date(2026, 5, 10-n, 0, 0, 0, 0, time.UTC) }
	history := func(account string, days int, each int64, today int64) []DailyTokens {
		var out []DailyTokens
		for i := 1; i <= days; i++ {
			out = append(out, DailyTokens{Account: account, Day: day(i), Tokens: each})
		}
		if today > 0 {
			out = append(out, DailyTokens{Account: account, Day: day(0), Tokens: today})
		}
		return out
	}
	traffic := func(d ...[]DailyTokens) func(*testing.T) Facts {
		return func(*testing.T) Facts {
			f := good()
			f.Now = now
			f.Traffic.Read = true
			for _, x := range d {
				f.Traffic.DailyTokens = append(f.Traffic.DailyTokens, x...)
			}
			return f
		}
	}
	runCases(t, tokenSpike, []checkCase{
		{"nothing recorded", with(func(*Facts) {}), Pass, "no requests recorded"},
		{"no usage", traffic(), Pass, "no token usage"},
		{"steady", traffic(history("work", 10, 100_000, 190_000)), Pass, "within 2× the usual for work"},
		{"spike today", traffic(history("work", 10, 100_000, 250_000), history("", 5, 1000, 1000)), Warn,
			"account work on 2026-05-10: 250.0k tokens, 2.5× its average of 100.0k over 10 day(s) of use"},
		{"spike yesterday", traffic([]DailyTokens{
			{Account: "work", Day: day(5), Tokens: 1000}, {Account: "work", Day: day(4), Tokens: 1000},
			{Account: "work", Day: day(3), Tokens: 1000}, {Account: "work", Day: day(1), Tokens: 5000},
		}), Warn, "account work on 2026-05-09"},
		{"too young", traffic(history("new", 2, 100, 10_000)), Pass, "not enough history yet for new"},
		{"old history beyond the lookback", traffic([]DailyTokens{
			{Account: "a", Day: day(40), Tokens: 10}, {Account: "a", Day: day(35), Tokens: 10}, {Account: "a", Day: day(32), Tokens: 10},
			{Account: "a", Day: day(0), Tokens: 10_000},
		}), Pass, "not enough history yet for a"},
		{"unreadable", with(func(f *Facts) { f.Traffic.Err = "no such table" }), Warn, "no such table"},
	})
}

func TestOAuthTokens(t *testing.T) {
	now := good().Now
	accounts := func(as ...Credential) func(*testing.T) Facts {
		return with(func(f *Facts) { f.Accounts = as })
	}
	runCases(t, oauthTokens, []checkCase{
		{"none", accounts(Credential{Name: "work", Kind: "api_key"}), Pass, "no OAuth accounts"},
		{"fresh", accounts(Credential{Name: "max", Kind: "oauth", Expires: now.Add(3*time.Hour + 12*time.Minute)}), Pass, "max (expires in 3h 12m)"},
		{"refresh failing", accounts(Credential{Name: "max", Kind: "oauth", Expires: now.Add(-time.Minute), RefreshError: "token endpoint: 503"}),
			Warn, "last refresh failed: token endpoint: 503; expires 1m ago"},
		{"needs login", accounts(Credential{Name: "max", Kind: "oauth", Expires: now.Add(-3 * 24 * time.Hour), NeedsLogin: true, RefreshError: "invalid_grant"}),
			Fail, "nexus credentials login max"},
		{"keychain closed", with(func(f *Facts) { f.KeychainErr = "locked" }), Warn, "unknown"},
	})
}

func TestSubscriptionTerms(t *testing.T) {
	runCases(t, subscriptionTerms, []checkCase{
		{"api keys only", with(func(f *Facts) { f.Accounts = []Credential{{Name: "work", Kind: "api_key"}} }), Pass, "Commercial Terms"},
		{"subscription", with(func(f *Facts) { f.Accounts = []Credential{{Name: "max", Kind: "oauth"}} }), Pass, "Claude Code and Claude.ai only"},
	})
	it := subscriptionTerms(Facts{Accounts: []Credential{{Name: "max", Kind: "oauth"}}})
	if !strings.Contains(it.Fix, "https://code.claude.com/docs/en/legal-and-compliance") {
		t.Errorf("the subscription item should point at the terms: %q", it.Fix)
	}
}

func TestRelativeTimes(t *testing.T) {
	now := good().Now
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{40 * time.Second, "in 40s"}, {-14 * time.Minute, "14m ago"}, {50 * time.Hour, "in 2d 2h"}} {
		if got := relative(now.Add(c.d), now); got != c.want {
			t.Errorf("relative(%v) = %q, want %q", c.d, got, c.want)
		}
	}
	if got := fmt.Sprint(relative(time.Time{}, now)); got != "at an unknown time" {
		t.Errorf("zero time: %q", got)
	}
}
