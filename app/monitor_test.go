package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/checklist"
)

// recordingNotifier keeps the notifications it is asked for.
type recordingNotifier struct {
	mu   sync.Mutex
	sent []Notification
}

func (r *recordingNotifier) Notify(_ context.Context, n Notification) error {
	r.mu.Lock()
	r.sent = append(r.sent, n)
	r.mu.Unlock()
	return nil
}

func (r *recordingNotifier) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

// scripted returns a check that gives the statuses of successive runs.
func scripted(runs ...map[string]string) (func(context.Context) checkRun, func() int) {
	var mu sync.Mutex
	n := 0
	count := func() int { mu.Lock(); defer mu.Unlock(); return n }
	return func(context.Context) checkRun {
		mu.Lock()
		defer mu.Unlock()
		statuses := runs[min(n, len(runs)-1)]
		n++
		var items []checklist.Item
		for _, id := range []string{"a", "b", "c"} {
			st := statuses[id]
			if st == "" {
				st = checklist.Pass
			}
			items = append(items, checklist.Item{ID: id, Title: "Item " + id, Status: st, Critical: id == "c", Evidence: "saw " + id})
		}
		return checkRun{at: time.Now(), items: items}
	}, count
}

func TestMonitorNotifiesWhatTurnsWorse(t *testing.T) {
	check, _ := scripted(
		map[string]string{"a": checklist.Warn},                      // start: a standing warning
		map[string]string{"a": checklist.Warn},                      // no change
		map[string]string{"a": checklist.Fail, "b": checklist.Warn}, // both worse
		map[string]string{"b": checklist.Warn},                      // a better: no news
		map[string]string{"b": checklist.Warn, "c": checklist.Fail}, // c, critical
	)
	rec := &recordingNotifier{}
	var published int
	m := NewMonitor(check, rec, func(checkRun) { published++ }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	want := []int{0, 0, 1, 1, 2}
	for i, w := range want {
		m.CheckNow(context.Background())
		if got := rec.count(); got != w {
			t.Fatalf("after run %d: %d notifications, want %d: %+v", i, got, w, rec.sent)
		}
	}
	if published != len(want) {
		t.Errorf("published %d runs, want %d", published, len(want))
	}
	if n := rec.sent[0]; !strings.Contains(n.Summary, "2 items") || !strings.Contains(n.Body, "FAIL: Item a") || !strings.Contains(n.Body, "WARN: Item b") || n.Critical {
		t.Errorf("first notification %+v", n)
	}
	if n := rec.sent[1]; !strings.Contains(n.Summary, "Item c failed") || n.Body != "saw c" || !n.Critical {
		t.Errorf("second notification %+v", n)
	}
}

func TestMonitorFirstRunNotifiesFailures(t *testing.T) {
	check, _ := scripted(map[string]string{"a": checklist.Warn, "c": checklist.Fail})
	rec := &recordingNotifier{}
	m := NewMonitor(check, rec, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.CheckNow(context.Background())
	if rec.count() != 1 || !strings.Contains(rec.sent[0].Summary, "Item c failed") {
		t.Errorf("start with a failure: %+v", rec.sent)
	}
}

func TestMonitorRunsPeriodicallyAndOnTrigger(t *testing.T) {
	check, n := scripted(map[string]string{})
	m := NewMonitor(check, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.every, m.gap = time.Hour, 10*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	waitRuns := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if n() >= want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d runs, want %d", n(), want)
			}
		}
	}
	waitRuns(1)
	m.Trigger()
	m.Trigger() // coalesced with the first
	waitRuns(2)
	cancel()
	<-done

	check, n = scripted(map[string]string{})
	m = NewMonitor(check, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.every = 20 * time.Millisecond
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)
	waitRuns(3)
}
