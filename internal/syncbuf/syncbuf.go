// Package syncbuf is a bytes.Buffer that goroutines may write at once: a log destination for
// tests that read what a server logged.
package syncbuf

import (
	"bytes"
	"sync"
)

// Buffer collects writes; all its methods are safe for concurrent use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
