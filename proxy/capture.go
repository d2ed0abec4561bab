package proxy

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"nexus/conversation"
)

// maxSummaryBytes bounds how much of a non-streaming answer is kept to read its usage when
// bodies are not kept.
const maxSummaryBytes = 4 << 20

// capture sits between the upstream response body and the client: bytes pass through
// unchanged while it notes the first byte's time, feeds streams to a StreamReader, keeps
// JSON answers for their usage, and resets the idle-stream timer. It never blocks on anything
// but the upstream read.
type capture struct {
	body   io.ReadCloser
	ex     *exchange
	stream *conversation.StreamReader // nil for non-streaming answers
	keep   int                        // bytes of the answer to keep
	idle   *time.Timer
	idleD  time.Duration

	mu      sync.Mutex // guards the fields below, read by the handler at the end
	buf     []byte
	readErr error
	eof     bool
}

func newCapture(resp *http.Response, ex *exchange, keepBodies bool, maxBody int64, idle time.Duration) *capture {
	c := &capture{body: resp.Body, ex: ex, idleD: idle}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		c.stream = conversation.NewStreamReader()
		if idle > 0 {
			c.idle = time.AfterFunc(idle, ex.idleTimeout)
		}
	}
	switch {
	case keepBodies:
		c.keep = int(maxBody)
	case c.stream == nil:
		c.keep = maxSummaryBytes
	}
	return c
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.body.Read(p)
	if n > 0 {
		c.ex.firstByte()
		if c.idle != nil {
			c.idle.Reset(c.idleD)
		}
		c.mu.Lock()
		if c.stream != nil {
			c.stream.Feed(p[:n])
		}
		if room := c.keep - len(c.buf); room > 0 {
			c.buf = append(c.buf, p[:min(n, room)]...)
		}
		c.mu.Unlock()
	}
	if err != nil {
		c.mu.Lock()
		if errors.Is(err, io.EOF) {
			c.eof = true
		} else if c.readErr == nil {
			c.readErr = err
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *capture) Close() error {
	if c.idle != nil {
		c.idle.Stop()
	}
	return c.body.Close()
}

// summary returns what a stream said (a JSON answer is left to the caller to read from the
// kept bytes), how the answer ended, and the kept bytes.
func (c *capture) summary() (s conversation.ResponseSummary, body []byte, eof bool, readErr error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stream != nil {
		s = c.stream.Summary()
	}
	return s, c.buf, c.eof, c.readErr
}
