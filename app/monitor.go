package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"nexus/checklist"
)

// Monitor timing.
const (
	// checkEvery is how often the monitor re-runs the checklist on its own.
	checkEvery = 60 * time.Second
	// checkGap is the least time between two runs asked for by Trigger (a burst of changes
	// makes one run).
	checkGap = 5 * time.Second
)

// checkRun is one run of the checklist: the facts it looked at and the items it gave.
type checkRun struct {
	at    time.Time
	facts checklist.Facts
	items []checklist.Item
}

// Monitor re-runs the security checklist every checkEvery and soon after Trigger, keeps the
// latest run, hands each run to publish (the window), and raises a desktop notification when
// an item turns to warn or fail.
type Monitor struct {
	check    func(ctx context.Context) checkRun
	notifier Notifier // nil: no notifications
	publish  func(checkRun)
	log      *slog.Logger
	every    time.Duration
	gap      time.Duration
	kick     chan struct{}

	runMu sync.Mutex // held for a whole run, so that transitions are judged in order

	mu     sync.Mutex // guards latest
	latest *checkRun
}

// NewMonitor returns a monitor that runs check; publish may be nil.
func NewMonitor(check func(ctx context.Context) checkRun, notifier Notifier, publish func(checkRun), log *slog.Logger) *Monitor {
	if publish == nil {
		publish = func(checkRun) {}
	}
	return &Monitor{check: check, notifier: notifier, publish: publish, log: log, every: checkEvery, gap: checkGap,
		kick: make(chan struct{}, 1)}
}

// Run checks at once, then every interval and after each Trigger, until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	t := time.NewTicker(m.every)
	defer t.Stop()
	for {
		m.CheckNow(ctx)
		last := time.Now()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.kick:
			select { // coalesce: at most one run per gap
			case <-ctx.Done():
				return
			case <-time.After(m.gap - time.Since(last)):
			}
		}
	}
}

// Trigger asks Run for a run soon: something the checklist looks at changed.
func (m *Monitor) Trigger() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// CheckNow runs the checklist, notifies about the items that turned worse, publishes the run
// and returns it.
func (m *Monitor) CheckNow(ctx context.Context) checkRun {
	m.runMu.Lock()
	defer m.runMu.Unlock()
	r := m.check(ctx)
	m.mu.Lock()
	prev := m.latest
	m.latest = &r
	m.mu.Unlock()
	var before []checklist.Item
	if prev != nil {
		before = prev.items
	}
	if bad := worsened(before, r.items, prev == nil); len(bad) > 0 {
		m.log.Warn("security checklist: items need attention", "items", ids(bad))
		if m.notifier != nil {
			nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if err := m.notifier.Notify(nctx, notificationFor(bad)); err != nil {
				m.log.Info("no desktop notification", "error", err)
			}
			cancel()
		}
	}
	m.publish(r)
	return r
}

// Latest returns the latest run, running the checklist first when there is none.
func (m *Monitor) Latest(ctx context.Context) checkRun {
	m.mu.Lock()
	r := m.latest
	m.mu.Unlock()
	if r != nil {
		return *r
	}
	return m.CheckNow(ctx)
}

// rank orders statuses from good to bad.
func rank(status string) int {
	switch status {
	case checklist.Fail:
		return 2
	case checklist.Warn:
		return 1
	}
	return 0
}

// worsened returns the items of cur whose status is worse than in prev. On the first run
// (first) nothing came before: only failures are news then, not the standing warnings a
// user sees each start.
func worsened(prev, cur []checklist.Item, first bool) []checklist.Item {
	was := map[string]string{}
	for _, it := range prev {
		was[it.ID] = it.Status
	}
	var out []checklist.Item
	for _, it := range cur {
		switch {
		case first && it.Status == checklist.Fail:
			out = append(out, it)
		case !first && rank(it.Status) > rank(was[it.ID]):
			out = append(out, it)
		}
	}
	return out
}

func ids(items []checklist.Item) string {
	var s []string
	for _, it := range items {
		s = append(s, it.ID+"="+it.Status)
	}
	return strings.Join(s, ",")
}

// maxNotificationBody keeps a notification readable; the window shows the whole evidence.
const maxNotificationBody = 240

// notificationFor says what turned worse: one item with its evidence, or several by title.
func notificationFor(items []checklist.Item) Notification {
	n := Notification{}
	for _, it := range items {
		if it.Status == checklist.Fail {
			n.Critical = n.Critical || it.Critical
		}
	}
	if len(items) == 1 {
		it := items[0]
		verb := "needs attention"
		if it.Status == checklist.Fail {
			verb = "failed"
		}
		n.Summary = fmt.Sprintf("Nexus security: %s %s", it.Title, verb)
		n.Body = shorten(it.Evidence, maxNotificationBody)
		return n
	}
	n.Summary = fmt.Sprintf("Nexus security: %d items need attention", len(items))
	var lines []string
	for _, it := range items {
		lines = append(lines, fmt.Sprintf("%s: %s", strings.ToUpper(it.Status), it.Title))
	}
	n.Body = shorten(strings.Join(lines, "\n"), maxNotificationBody*2)
	return n
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
