package proxy

import (
	"errors"
	"io"
	"sync"
)

var errTooLargeBody = errors.New("request body is larger than 32 MB, the API's limit")

// requestBody forwards the client's request body upstream as it arrives — so the proxy adds
// no store-and-forward delay — while keeping a copy: a retry replays the copy and then goes on
// reading, and the recorder reads the copy once the body is complete. It enforces
// MaxRequestBytes.
type requestBody struct {
	src io.Reader
	// onComplete runs once, on its own goroutine, when the whole body has been read.
	onComplete func(body []byte)

	mu      sync.Mutex // guards the fields below; held across reads of src
	buf     []byte
	done    bool  // src reached EOF
	err     error // a read error from src, or errTooLargeBody
	claimed bool  // the complete body was handed to onComplete (or taken by take)
}

func newRequestBody(src io.Reader, size int64, onComplete func([]byte)) *requestBody {
	capacity := 0
	if size > 0 && size <= MaxRequestBytes {
		capacity = int(size)
	}
	return &requestBody{src: src, buf: make([]byte, 0, capacity), onComplete: onComplete}
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
		if !b.claimed && b.onComplete != nil {
			b.claimed = true
			go b.onComplete(b.buf)
		}
	case err != nil:
		b.err = err
	}
	return n, err
}

func (r *bodyReader) Close() error { return nil }

// take returns the body read so far and whether onComplete has run (or will): the caller
// that gets claimed false owns the recording of the body's metadata.
func (b *requestBody) take() (body []byte, claimed bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	claimed = b.claimed
	b.claimed = true
	return b.buf, claimed, b.err
}

// peek is take without claiming: for error reporting.
func (b *requestBody) peek() ([]byte, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf, b.claimed, b.err
}
