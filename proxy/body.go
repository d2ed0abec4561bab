package proxy

import (
	"errors"
	"io"
	"sync"
)

var errTooLargeBody = errors.New("request body is larger than 32 MB, the API's limit")

// requestBody forwards the client's request body upstream as it arrives — so the proxy adds
// no store-and-forward delay — while keeping a copy: a retry replays the copy and then goes on
// reading, and the recorder reads the copy afterwards. It enforces
// MaxRequestBytes.
type requestBody struct {
	src io.Reader

	mu       sync.Mutex // guards the fields below; held across reads of src
	buf      []byte
	done     bool  // src reached EOF
	err      error // a read error from src, or errTooLargeBody
	detached bool  // the handler returned: src belongs to net/http again
}

func newRequestBody(src io.Reader, size int64) *requestBody {
	capacity := minBodyClass // unknown length (chunked): start small, grow as needed
	if size > 0 && size <= MaxRequestBytes {
		capacity = int(size)
	}
	return &requestBody{src: src, buf: getBodyBuffer(capacity)}
}

// reader returns a reader over the whole body from its start: the first attempt's body, and
// each retry's (it is the request's GetBody).
func (b *requestBody) reader() (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return nil, b.err
	}
	return &bodyReader{b: b}, nil
}

// bodyReader is one attempt's view of the body.
type bodyReader struct {
	b   *requestBody
	off int
}

func (r *bodyReader) Read(p []byte) (int, error) {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.off < len(b.buf) {
		n := copy(p, b.buf[r.off:])
		r.off += n
		return n, nil
	}
	if b.err != nil {
		return 0, b.err
	}
	if b.done {
		return 0, io.EOF
	}
	if b.detached {
		return 0, errBodyReleased
	}
	n, err := b.src.Read(p)
	if len(b.buf)+n > MaxRequestBytes {
		b.err = errTooLargeBody
		return 0, b.err
	}
	b.buf = append(b.buf, p[:n]...)
	r.off += n
	switch {
	case errors.Is(err, io.EOF):
		b.done = true
	case err != nil:
		b.err = err
	}
	return n, err
}

func (r *bodyReader) Close() error { return nil }

// take returns the body read so far and the read error, if any.
func (b *requestBody) take() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf, b.err
}

// detach stops all reading from the client's body; the handler calls it before returning, so
// that an attempt the transport abandoned cannot read the connection net/http reuses. It
// waits for a read in progress, as net/http's own body Close does.
func (b *requestBody) detach() {
	b.mu.Lock()
	b.detached = true
	b.mu.Unlock()
}

// closeUnread closes the client's body when no attempt read it to the end (the upstream was
// unreachable, the credential failed); the handler calls it before returning. Contract with
// net/http: with full duplex on, the server closes an unread body — reading up to 256 KB of it
// to reuse the connection — only after it has stopped its background read of the connection,
// and reaching EOF there starts that read again, so reading the next request panics with
// "invalid concurrent Body.Read call" and the connection is lost. Closing it here, while the
// handler runs, is the same drain in the order net/http expects.
func (b *requestBody) closeUnread() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.src.(io.Closer); ok && !b.done {
		c.Close()
	}
}

// release returns the copy to the pool once nobody needs it (the recorder is done with it). A
// reader still held by an abandoned attempt then reads nothing more.
func (b *requestBody) release() {
	b.mu.Lock()
	buf := b.buf
	b.buf, b.done = nil, true
	if b.err == nil {
		b.err = errBodyReleased
	}
	b.mu.Unlock()
	putBodyBuffer(buf)
}

var errBodyReleased = errors.New("request finished")
