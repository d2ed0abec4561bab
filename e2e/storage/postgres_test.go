//go:build e2e

package storage

import (
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/e2e/nexustest"
)

// TestPostgresRestartMidTraffic stops the PostgreSQL server while requests flow and starts
// it again: the proxy keeps answering, and every record arrives once.
func TestPostgresRestartMidTraffic(t *testing.T) {
	pg := newCluster(t)
	fake := nexustest.StartFake(t)
	e := newEnv(t, "DATABASE_URL="+pg.URL)
	_, clientKey := e.SetupAccount()
	s := e.Serve(fake.URL())

	const perPhase = 40
	sent := 0
	phase := func() {
		var wg sync.WaitGroup
		for i := range perPhase {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				send(t, s.URL, clientKey, i%2 == 0, question(sent+i))
			}(i)
			if i%4 == 3 {
				wg.Wait()
			}
		}
		wg.Wait()
		sent += perPhase
	}
	phase()
	pg.Kill()
	phase() // the store is down: the proxy must not notice
	time.Sleep(time.Second)
	phase()
	pg.Start()
	phase()
	if t.Failed() {
		t.FailNow()
	}
	recs := e.Requests(sent)
	if n := unique(t, recs); n != sent {
		t.Errorf("%d requests recorded, want %d", n, sent)
	}
	for _, r := range recs {
		if !r.Finished || r.Status != 200 || r.InputTokens == 0 {
			t.Errorf("record %s: finished %v status %d input %d", r.ID, r.Finished, r.Status, r.InputTokens)
		}
	}
	if !strings.Contains(s.Logs(), "store unavailable") {
		t.Errorf("the outage went unnoticed: the records never waited in the spool\n%s", s.Logs())
	}
	if err := s.Stop(t); err != nil {
		t.Errorf("nexus serve exit: %v", err)
	}
}

// TestTwoProcessesOneDatabase runs two proxies on one PostgreSQL database at once, each
// carrying its own multi-turn conversations: nothing is lost or duplicated, and every
// conversation is whole.
func TestTwoProcessesOneDatabase(t *testing.T) {
	pg := newCluster(t)
	fake := nexustest.StartFake(t)
	a := newEnv(t, "DATABASE_URL="+pg.URL)
	_, clientKey := a.SetupAccount() // one keychain: both processes use the same account
	b := newEnv(t, "DATABASE_URL="+pg.URL)
	sa, sb := a.Serve(fake.URL()), b.Serve(fake.URL())

	const convs, turns = 12, 3
	var wg sync.WaitGroup
	for p, s := range []*nexustest.Server{sa, sb} {
		for c := range convs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				first := question(p*1000 + c)
				history := []string{first}
				for turn := range turns {
					send(t, s.URL, clientKey, turn%2 == 0, history...)
					history = append(history, "answer", question(p*1000+c*10+turn+1))
				}
			}()
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	want := 2 * convs * turns
	recs := a.Requests(want)
	if n := unique(t, recs); n != want {
		t.Errorf("%d requests recorded, want %d", n, want)
	}
	got := a.conversations()
	if len(got) != 2*convs {
		t.Errorf("%d conversations, want %d", len(got), 2*convs)
	}
	for _, c := range got {
		if c.RequestCount != turns {
			t.Errorf("conversation %q has %d requests, want %d", c.Title, c.RequestCount, turns)
		}
	}
}
