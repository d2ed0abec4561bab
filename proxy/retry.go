package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// retryTransport retries an upstream request while nothing has reached the client: after a
// connection error, or a 503 or 529 answer. It never retries other statuses. It honours
// retry-after up to maxWait; a longer wait is not retried but passed to the client.
type retryTransport struct {
	base       http.RoundTripper
	maxRetries int
	baseDelay  time.Duration
	maxWait    time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := exchangeFrom(req.Context())
	for attempt := 0; ; attempt++ {
		try := req
		if attempt > 0 {
			var err error
			if try, err = rewind(req); err != nil {
				return nil, err
			}
		}
		began := time.Now()
		if ex != nil {
			ex.sending(began)
		}
		resp, err := t.base.RoundTrip(try)
		a := Attempt{Duration: time.Since(began)}
		if err != nil {
			a.Error = err.Error()
		} else {
			a.Status = resp.StatusCode
		}
		if ex != nil {
			ex.addAttempt(a)
		}
		if attempt >= t.maxRetries || req.Context().Err() != nil {
			return resp, err
		}
		wait, retry := t.shouldRetry(resp, err, attempt)
		if !retry {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if err := sleepCtx(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// rewind returns a copy of req to send again, with a fresh body. The original is not
// touched: the transport may still hold it from the previous attempt.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return r, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("retrying: request body cannot be sent again")
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("retrying: %w", err)
	}
	r.Body = body
	return r, nil
}

// shouldRetry decides whether to try again and after how long.
func (t *retryTransport) shouldRetry(resp *http.Response, err error, attempt int) (time.Duration, bool) {
	backoff := t.baseDelay << attempt
	backoff += time.Duration(rand.Int64N(int64(backoff/4) + 1)) // jitter
	if err != nil {
		return backoff, true
	}
	if resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != 529 {
		return 0, false
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		wait, ok := retryAfter(ra, time.Now())
		if !ok {
			return backoff, true
		}
		if wait > t.maxWait {
			return 0, false
		}
		return wait, true
	}
	return backoff, true
}

// retryAfter reads a Retry-After value: seconds (Anthropic sends whole ones; fractions are
// accepted) or an HTTP date. ok is false for a value that is neither. A wait too long for a
// time.Duration comes back as the longest one, never as a negative.
func retryAfter(v string, now time.Time) (wait time.Duration, ok bool) {
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		switch {
		case math.IsNaN(secs) || secs < 0:
			return 0, false
		case secs >= math.MaxInt64/float64(time.Second):
			return math.MaxInt64, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
