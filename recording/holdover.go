package recording

import (
	"context"
	"sync"
)

// When the store is down and the spool cannot be written either — typically a full disk,
// which the SQLite store and the spool share — records wait in memory, within bounds, and
// go to the spool or the store as soon as either takes them. Nothing is lost unless the
// outage outlasts maxHoldover records.

// maxHoldover bounds the records held in memory (about 1 KB of metadata each).
const maxHoldover = 20_000

// holdoverNote is the content note of a held record whose bodies were dropped to stay
// within maxHeldBytes.
const holdoverNote = "metadata only: the disk was full"

// holdover is the records waiting in memory.
type holdover struct {
	mu       sync.Mutex // guards the fields below
	ops      []op
	flushing int   // records taken out of ops by flushHeld and not yet placed
	bytes    int64 // sealed bodies held
	warned   bool  // the outage has been logged
	lost     int64 // records dropped since the outage began
}

// len counts the records held, those being flushed included.
func (h *holdover) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ops) + h.flushing
}

// hold keeps o in memory after the spool refused it with err.
func (q *Queue) hold(o op, err error) {
	h := &q.held
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.warned {
		h.warned = true
		q.log.Warn("cannot write the spool either: keeping records in memory until there is room", "error", err)
	}
	if len(h.ops) >= maxHoldover {
		h.lost++
		if h.lost == 1 || h.lost%1000 == 0 {
			q.log.Error("records lost: the store, the spool and the memory holdover are all full",
				"lost", h.lost, "held", len(h.ops))
		}
		return
	}
	if size := sealedSize(o.req.Body); size > 0 {
		if h.bytes+size > maxHeldBytes {
			o.req.Body, o.req.Content = nil, holdoverNote
		} else {
			h.bytes += size
		}
	}
	h.ops = append(h.ops, o)
}

// flushHeld moves the held records to the spool, or straight to the store when the spool
// still cannot take them; what neither takes stays held. It reports whether any remain.
func (q *Queue) flushHeld(ctx context.Context) (remaining bool) {
	h := &q.held
	h.mu.Lock()
	ops := h.ops
	h.ops, h.bytes, h.flushing = nil, 0, len(ops)
	h.mu.Unlock()
	if len(ops) == 0 {
		return false
	}
	defer func() {
		h.mu.Lock()
		h.flushing = 0
		h.mu.Unlock()
	}()
	for i, o := range ops {
		if q.spoolRequest(o.finish, o.req) == nil {
			continue
		}
		err := q.apply(ctx, o.finish, o.req)
		if err == nil {
			continue
		}
		if !retryable(err) {
			q.refused(o, err)
			continue
		}
		h.mu.Lock()
		h.ops, h.bytes = append(ops[i:len(ops):len(ops)], h.ops...), 0
		for _, o := range h.ops {
			h.bytes += sealedSize(o.req.Body)
		}
		h.mu.Unlock()
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.ops) > 0 {
		return true
	}
	q.log.Info("the records held in memory are on disk or in the store now", "records", len(ops), "lost", h.lost)
	h.warned, h.lost = false, 0
	return false
}
