package engine

import (
	"context"
	"time"
)

// The window shows how many requests the store holds, and asks again each time the recorder
// writes (every two seconds while traffic flows). Counting is a scan of the whole table: well
// under a millisecond for a small store, but 25 ms on SQLite and 88 ms on PostgreSQL at a
// million requests. requestCount keeps that cost bounded: a count that took slowCount or more
// is reused for countReuse times as long as it took (at 88 ms: 4.4 s, about 2 % of the time
// spent counting); a faster count is always taken afresh, so a small store's count is exact.
// A count that has not answered in countTimeout fails (a database that went away), so that the
// window's status does not wait on it for longer.
const (
	slowCount    = 10 * time.Millisecond
	countReuse   = 50
	countTimeout = 5 * time.Second
)

// requestCount caches the store's request count. It is safe for concurrent use; callers that
// arrive while a count runs wait for it (or for their context to end) and then share it.
type requestCount struct {
	count   func(context.Context) (int64, error)
	now     func() time.Time
	timeout time.Duration

	turn chan struct{} // one token: held while reading or taking the count
	n    int64
	at   time.Time     // when counting n ended; zero: never
	took time.Duration // how long that count took
}

func newRequestCount(count func(context.Context) (int64, error)) *requestCount {
	return &requestCount{count: count, now: time.Now, timeout: countTimeout, turn: make(chan struct{}, 1)}
}

// get returns the number of requests in the store: the last count while it is fresh enough,
// else a new one. An error leaves the last count as it was.
func (c *requestCount) get(ctx context.Context) (int64, error) {
	select {
	case c.turn <- struct{}{}:
	case <-ctx.Done():
		return 0, context.Cause(ctx)
	}
	defer func() { <-c.turn }()
	now := c.now()
	if !c.at.IsZero() && c.took >= slowCount && now.Sub(c.at) < countReuse*c.took {
		return c.n, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	n, err := c.count(ctx)
	if err != nil {
		return 0, err
	}
	done := c.now()
	c.n, c.at, c.took = n, done, done.Sub(now)
	return n, nil
}
