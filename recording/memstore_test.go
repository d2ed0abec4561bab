package recording

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"nexus/store"
)

// memStore is an in-memory store.Store that keeps the store contract (idempotent Start,
// Finish inserts or completes) and can be switched down (errors wrapping
// store.ErrUnavailable), made to block until released, or made to refuse one id for good.
type memStore struct {
	store.Store // the queries the recorder never calls; calling one panics

	mu     sync.Mutex // guards the fields below
	rows   map[string]store.Request
	down   bool
	gate   chan struct{} // while non-nil, writes wait for it to close
	poison string        // an id refused with a permanent error
	// refuseContent refuses for good every finish carrying content (bodies or linking keys).
	refuseContent bool
	writes        int // successful write calls
}

func newMemStore() *memStore { return &memStore{rows: make(map[string]store.Request)} }

func (m *memStore) setDown(down bool) {
	m.mu.Lock()
	m.down = down
	m.mu.Unlock()
}

// block makes every write wait until the returned release is called.
func (m *memStore) block() (release func()) {
	gate := make(chan struct{})
	m.mu.Lock()
	m.gate = gate
	m.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			m.mu.Lock()
			m.gate = nil
			m.mu.Unlock()
			close(gate)
		})
	}
}

// enter waits at the gate and reports the error a write gets now.
func (m *memStore) enter(id string) error {
	m.mu.Lock()
	gate := m.gate
	m.mu.Unlock()
	if gate != nil {
		<-gate // a store stuck for good: ignores ctx, as a hung driver would
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return fmt.Errorf("writing %s: %w: connection refused", id, store.ErrUnavailable)
	}
	if id == m.poison {
		return fmt.Errorf("writing %s: constraint failed", id)
	}
	return nil
}

func (m *memStore) StartRequest(_ context.Context, r store.Request) error {
	if err := m.enter(r.ID); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	if _, ok := m.rows[r.ID]; !ok {
		r.Finished = false
		m.rows[r.ID] = r
	}
	return nil
}

func (m *memStore) FinishRequest(_ context.Context, r store.Request) error {
	if err := m.enter(r.ID); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refuseContent && (r.Body != nil || r.Keys != nil) {
		return fmt.Errorf("writing %s: content refused", r.ID)
	}
	m.writes++
	r.Finished = true
	m.rows[r.ID] = r
	return nil
}

func (m *memStore) ListRequests(_ context.Context, f store.RequestFilter) ([]store.Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Request
	for _, r := range m.rows {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

func (m *memStore) CountRequests(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.rows)), nil
}

func (m *memStore) Close() error { return nil }

// snapshot copies the rows.
func (m *memStore) snapshot() map[string]store.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]store.Request, len(m.rows))
	for k, v := range m.rows {
		out[k] = v
	}
	return out
}

// waitRows waits until the store holds want finished rows and returns them.
func (m *memStore) waitRows(t testing.TB, want int) map[string]store.Request {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		rows := m.snapshot()
		finished := 0
		for _, r := range rows {
			if r.Finished {
				finished++
			}
		}
		if finished >= want {
			if len(rows) != want || finished != want {
				t.Fatalf("%d rows, %d finished; want %d finished rows", len(rows), finished, want)
			}
			return rows
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %d rows, %d finished; want %d", len(rows), finished, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var _ store.Store = (*memStore)(nil)

// WriteRequests applies the ops in order, all or none like a transaction.
func (m *memStore) WriteRequests(ctx context.Context, ops []store.RequestOp) error {
	for _, op := range ops {
		if err := m.enter(op.Request.ID); err != nil {
			return err
		}
	}
	for _, op := range ops {
		var err error
		if op.Finish {
			err = m.FinishRequest(ctx, op.Request)
		} else {
			err = m.StartRequest(ctx, op.Request)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
