package proxy

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// exchange is the state of one proxied request, shared by the handler, the transport and the
// response body through the request context.
type exchange struct {
	start  time.Time
	cancel context.CancelCauseFunc
	body   *requestBody

	mu        sync.Mutex // guards the fields below
	sentAt    time.Time  // the first attempt went upstream
	headersAt time.Time  // upstream headers arrived (last attempt)
	passedAt  time.Time  // headers handed to the client
	firstAt   time.Time  // first body byte from upstream
	attempts  []Attempt
	capture   *capture
	status    int
	// header is upstream's answer's, kept by reference and read after the response
	// (keptHeaders): ReverseProxy does not change it once it has copied it to the client.
	header http.Header
	// errType and errMsg are the proxy's own error when no answer could be had.
	errType, errMsg string
	idled           bool
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

func (ex *exchange) sending(t time.Time) {
	ex.mu.Lock()
	if ex.sentAt.IsZero() {
		ex.sentAt = t
	}
	ex.mu.Unlock()
}

func (ex *exchange) addAttempt(a Attempt) {
	ex.mu.Lock()
	ex.attempts = append(ex.attempts, a)
	ex.headersAt = time.Now()
	ex.mu.Unlock()
}

func (ex *exchange) firstByte() {
	ex.mu.Lock()
	if ex.firstAt.IsZero() {
		ex.firstAt = time.Now()
	}
	ex.mu.Unlock()
}

// errIdleStream is the cancel cause when a stream sent nothing for too long.
type idleStreamError struct{}

func (idleStreamError) Error() string { return "upstream stream idle for too long" }

func (ex *exchange) idleTimeout() {
	ex.mu.Lock()
	ex.idled = true
	ex.mu.Unlock()
	ex.cancel(idleStreamError{})
}
