package checklist

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Traffic thresholds (the original security guide's).
const (
	// AuthWindow is the window auth-failure-burst counts 401 answers in.
	AuthWindow = time.Hour
	// MaxAuthFailures is how many 401 answers one client may get within AuthWindow.
	MaxAuthFailures = 10
	// SpikeLookback is how many days before a day its baseline averages over.
	SpikeLookback = 30
	// SpikeFactor is how many times its baseline a day's tokens may reach.
	SpikeFactor = 2
	// maxListed bounds how many clients the evidence names.
	maxListed = 5
	// MinSpikeHistory is how many days with usage an account needs in the lookback before
	// its days are judged: a new account has no normal yet.
	MinSpikeHistory = 3
)

// authFailureBurst warns when one client got more than MaxAuthFailures 401 answers within
// AuthWindow: a program guessing client keys, or one holding a rotated key.
func authFailureBurst(f Facts) Item {
	it := Item{ID: "auth-failure-burst", Title: fmt.Sprintf("No burst of failed client authentication (over %d per hour)", MaxAuthFailures)}
	t := f.Traffic
	switch {
	case t.Err != "":
		it.Status, it.Evidence = Warn, "could not read the recorded requests: "+t.Err
		it.Fix = "see why the store cannot be read (the database-tls and data-file-modes items may say)"
		return it
	case !t.Read:
		it.Status, it.Evidence = Pass, "no requests recorded yet"
		return it
	}
	var total int64
	var burst []string
	fails := append([]ClientFailures(nil), t.AuthFailures...)
	sort.SliceStable(fails, func(i, j int) bool { return fails[i].Count > fails[j].Count })
	for _, c := range fails {
		total += c.Count
		if c.Count > MaxAuthFailures {
			burst = append(burst, fmt.Sprintf("%q: %d (last at %s UTC)", c.Client, c.Count, c.Last.UTC().Format("15:04:05")))
		}
	}
	if len(burst) == 0 {
		it.Status = Pass
		if total == 0 {
			it.Evidence = "no request got a 401 in the last hour"
			return it
		}
		it.Evidence = fmt.Sprintf("%d request(s) got a 401 in the last hour, at most %d from one client (%q)",
			total, fails[0].Count, fails[0].Client)
		return it
	}
	it.Status = Warn
	if len(burst) > maxListed {
		burst = append(burst[:maxListed], fmt.Sprintf("and %d more client(s)", len(burst)-maxListed))
	}
	it.Evidence = "requests that got a 401 in the last hour, by client: " + strings.Join(burst, ", ")
	it.Fix = "find the program (its user agent is named above): give it the current key (`nexus client-key show`) " +
		"or stop it; if you do not know it, something on this machine is guessing keys — rotate the client key"
	return it
}

// tokenSpike warns when an account used more than SpikeFactor times its usual daily tokens
// today or yesterday (UTC). The usual is the average over the days it was used in the
// SpikeLookback days before; an account needs MinSpikeHistory such days first.
func tokenSpike(f Facts) Item {
	it := Item{ID: "token-spike", Title: fmt.Sprintf("No day above %d× the usual token usage", SpikeFactor)}
	t := f.Traffic
	switch {
	case t.Err != "":
		it.Status, it.Evidence = Warn, "could not read the recorded usage: "+t.Err
		it.Fix = "see why the store cannot be read (the database-tls and data-file-modes items may say)"
		return it
	case !t.Read:
		it.Status, it.Evidence = Pass, "no requests recorded yet"
		return it
	}
	byAccount := map[string]map[time.Time]int64{}
	for _, d := range t.DailyTokens {
		day := utcDay(d.Day)
		if byAccount[d.Account] == nil {
			byAccount[d.Account] = map[time.Time]int64{}
		}
		byAccount[d.Account][day] += d.Tokens
	}
	accounts := make([]string, 0, len(byAccount))
	for a := range byAccount {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	today := utcDay(f.Now)
	var spikes, judged, young []string
	for _, a := range accounts {
		days := byAccount[a]
		judgedHere := false
		for _, day := range []time.Time{today.AddDate(0, 0, -1), today} {
			var sum int64
			n := 0
			for i := 1; i <= SpikeLookback; i++ {
				if v := days[day.AddDate(0, 0, -i)]; v > 0 {
					sum += v
					n++
				}
			}
			if n < MinSpikeHistory {
				continue
			}
			judgedHere = true
			avg := float64(sum) / float64(n)
			if v := days[day]; float64(v) > SpikeFactor*avg {
				spikes = append(spikes, fmt.Sprintf("account %s on %s: %s tokens, %.1f× its average of %s over %d day(s) of use",
					accountLabel(a), day.Format("2006-01-02"), count(v), float64(v)/avg, count(int64(avg)), n))
			}
		}
		if judgedHere {
			judged = append(judged, accountLabel(a))
		} else {
			young = append(young, accountLabel(a))
		}
	}
	if len(spikes) > 0 {
		it.Status = Warn
		it.Evidence = strings.Join(spikes, "; ") + " (UTC days)"
		it.Fix = "if you did not expect this, look at that day's requests (which client, which model); " +
			"rotate the client key if a program you do not know uses the proxy"
		return it
	}
	it.Status = Pass
	var parts []string
	if len(judged) > 0 {
		parts = append(parts, fmt.Sprintf("today and yesterday (UTC) within %d× the usual for %s", SpikeFactor, strings.Join(judged, ", ")))
	}
	if len(young) > 0 {
		parts = append(parts, fmt.Sprintf("not enough history yet for %s (needs %d days of use in the last %d)",
			strings.Join(young, ", "), MinSpikeHistory, SpikeLookback))
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("no token usage in the last %d days", SpikeLookback))
	}
	it.Evidence = strings.Join(parts, "; ")
	return it
}

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func accountLabel(a string) string {
	if a == "" {
		return "(clients' own credentials)"
	}
	return a
}

// count writes a token count for people: 950, 12.3k, 4.56M.
func count(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprintf("%d", n)
}
