package engine

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeCounting is a store's count that takes a set time on a clock the test moves.
type fakeCounting struct {
	clock time.Time
	takes time.Duration
	n     int64
	calls int
	err   error
}

func (f *fakeCounting) count(context.Context) (int64, error) {
	f.calls++
	f.clock = f.clock.Add(f.takes)
	return f.n, f.err
}

func newFakeCount(takes time.Duration) (*fakeCounting, *requestCount) {
	f := &fakeCounting{clock: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), takes: takes, n: 7}
	c := newRequestCount(f.count)
	c.now = func() time.Time { return f.clock }
	return f, c
}

func getCount(t *testing.T, c *requestCount) int64 {
	t.Helper()
	n, err := c.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A fast count is taken afresh every time: a small store's count is exact.
func TestRequestCountFastIsAlwaysFresh(t *testing.T) {
	f, c := newFakeCount(time.Millisecond)
	for i := range 5 {
		f.n = int64(i)
		if got := getCount(t, c); got != int64(i) {
			t.Fatalf("count %d, want %d", got, i)
		}
	}
	if f.calls != 5 {
		t.Errorf("%d counts for 5 asks, want 5", f.calls)
	}
}

// A slow count is reused for countReuse times as long as it took, then taken again.
func TestRequestCountSlowIsReused(t *testing.T) {
	f, c := newFakeCount(80 * time.Millisecond)
	if got := getCount(t, c); got != 7 {
		t.Fatalf("first count %d, want 7", got)
	}
	f.n = 8
	f.clock = f.clock.Add(countReuse*80*time.Millisecond - 2*time.Millisecond)
	if got := getCount(t, c); got != 7 || f.calls != 1 {
		t.Fatalf("within the reuse window: count %d after %d counts, want 7 after 1", got, f.calls)
	}
	f.clock = f.clock.Add(3 * time.Millisecond)
	if got := getCount(t, c); got != 8 || f.calls != 2 {
		t.Fatalf("past the reuse window: count %d after %d counts, want 8 after 2", got, f.calls)
	}
}

// A failed count is an error, and the next ask counts again.
func TestRequestCountErrorIsNotKept(t *testing.T) {
	f, c := newFakeCount(80 * time.Millisecond)
	f.err = errors.New("database went away")
	if _, err := c.get(context.Background()); err == nil {
		t.Fatal("no error from a failed count")
	}
	f.err = nil
	if got := getCount(t, c); got != 7 || f.calls != 2 {
		t.Fatalf("after a failure: count %d after %d counts, want 7 after 2", got, f.calls)
	}
}

// hungCount is a store's count that answers only when its context ends.
func hungCount(started chan<- struct{}) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		close(started)
		<-ctx.Done()
		return 0, ctx.Err()
	}
}

// within fails the test unless done delivers within a few seconds.
func within(t *testing.T, what string, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still waiting after 5 s", what)
		return nil
	}
}

// A count that does not answer (a database that went away) fails after the count's timeout.
func TestRequestCountTimesOut(t *testing.T) {
	c := newRequestCount(hungCount(make(chan struct{})))
	c.timeout = 50 * time.Millisecond
	done := make(chan error, 1)
	go func() { _, err := c.get(context.Background()); done <- err }()
	if err := within(t, "a hung count", done); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a hung count: %v, want the count's timeout", err)
	}
}

// An ask that arrives while another count hangs gives up when its own context ends.
func TestRequestCountWaiterHonoursItsContext(t *testing.T) {
	started := make(chan struct{})
	c := newRequestCount(hungCount(started))
	c.timeout = time.Hour
	firstCtx, releaseFirst := context.WithCancel(context.Background())
	defer releaseFirst()
	go c.get(firstCtx)
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := c.get(ctx); done <- err }()
	if err := within(t, "an ask behind a hung count", done); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("an ask behind a hung count: %v, want its own deadline", err)
	}
}
