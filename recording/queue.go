// Package recording writes the proxy's records to the store in the background. A slow or dead
// store never slows the proxy: records wait in a bounded in-memory queue, and past it, or
// while the store is down, in a spool on disk that is replayed when the store returns.
package recording

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"nexus/content"
	"nexus/conversation"
	"nexus/proxy"
	"nexus/store"
)

// QueueSize is how many records wait in memory before new ones go to the spool.
const QueueSize = 4096

// op is one record to write: a start, or a finish with its prepared content.
type op struct {
	finish bool
	req    store.Request
}

// Queue is a proxy.Recorder backed by a store.Store. Start it with Run; ending Run's context
// drains it, and records handed over after that are spooled for the next run.
type Queue struct {
	store  store.Store
	prices conversation.PriceTable
	bodies *content.Bodies // nil: bodies are neither read nor stored
	log    *slog.Logger
	spool  *spool
	prep   *preparer // finished requests whose bodies wait to be read
	ch     chan *op  // pointers: a buffer of QueueSize values would hold 2 MB from the start

	// stopMu is held for reading while a record is handed over, and for writing by Run when
	// it stops taking records from the channel; after that, records go to the spool.
	stopMu  sync.RWMutex
	stopped bool

	queuedBytes atomic.Int64 // sealed bodies of the records in ch
	contentGone atomic.Int64 // writes the store found with pieces gone (OnContentGone)
	held        holdover     // records neither the store nor the spool could take

	storeDown atomic.Bool  // while true, the worker spools instead of writing
	written   atomic.Int64 // records written to the store
	done      chan struct{}
	wake      chan struct{} // nudges the replayer
}

var _ proxy.Recorder = (*Queue)(nil)

// NewQueue returns a queue writing to st, spooling to spoolDir.
func NewQueue(st store.Store, spoolDir string, prices conversation.PriceTable, log *slog.Logger) (*Queue, error) {
	sp, err := openSpool(spoolDir)
	if err != nil {
		return nil, err
	}
	q := &Queue{store: st, prices: prices, log: log, spool: sp, prep: newPreparer(), ch: make(chan *op, QueueSize),
		done: make(chan struct{}), wake: make(chan struct{}, 1)}
	if w, ok := st.(contentGoneWatcher); ok {
		w.OnContentGone(func() { q.contentGone.Add(1) })
	}
	return q, nil
}

// contentGoneWatcher is a store that says when a write found pieces gone that the recorder
// took for stored (sqlstore.Store.OnContentGone).
type contentGoneWatcher interface{ OnContentGone(f func()) }

// Start implements proxy.Recorder.
func (q *Queue) Start(r proxy.Record) {
	o := op{req: toStoreRequest(r, false, q.prices)}
	q.redactText(&o.req)
	q.submit(o)
}

// redactText replaces the secrets in the texts of r that are not bodies — the query string,
// the error message (an upstream's may quote what it was sent) and the attempts' errors —
// before the record can reach the spool or the store.
func (q *Queue) redactText(r *store.Request) {
	if q.bodies == nil {
		return
	}
	for _, s := range []*string{&r.Query, &r.Error, &r.AttemptsJSON} {
		var n int
		*s, n = q.bodies.RedactText(*s)
		r.Redactions += n
	}
}

// Finish implements proxy.Recorder. The bodies are read later, by the preparer (prepare.go).
func (q *Queue) Finish(r proxy.Record) {
	p := pending{req: toStoreRequest(r, true, q.prices), request: r.RequestBody, response: r.ResponseBody, release: r.Release}
	q.redactText(&p.req)
	if q.bodies == nil || p.size() == 0 {
		if p.release != nil {
			p.release()
		}
		q.submit(op{finish: true, req: p.req})
		return
	}
	switch queued, shed := q.prep.offer(p, q.queuedBytes.Load()); {
	case queued:
	case shed:
		p.req.Content = contentShed
		if p.release != nil {
			p.release()
		}
		q.submit(op{finish: true, req: p.req})
	default: // Run has ended: read the bodies here; the record goes to the spool
		q.read(&p)
		q.submit(op{finish: true, req: p.req})
	}
}

// SetBodies makes the queue read and store bodies with b. Call it before Run.
func (q *Queue) SetBodies(b *content.Bodies) { q.bodies = b }

// wrote notes ops that reached the store; gone is what contentGone held before they were
// written. When a write in the meantime found pieces gone that the bodies took for stored
// (another process's retention removed them), the bodies forget what they remember, after
// these ops added theirs: the next requests carry all their pieces again.
func (q *Queue) wrote(gone int64, ops ...op) {
	q.written.Add(int64(len(ops)))
	if q.bodies == nil {
		return
	}
	for _, o := range ops {
		q.bodies.Stored(o.req.Body)
	}
	if q.contentGone.Load() != gone {
		q.bodies.Forget()
	}
}

func (q *Queue) submit(o op) {
	q.stopMu.RLock()
	defer q.stopMu.RUnlock()
	if q.stopped { // a request that outlived Run: the next run replays it
		q.spoolOp(o)
		return
	}
	select {
	case q.ch <- &o:
		q.queuedBytes.Add(sealedSize(o.req.Body))
	default: // the store is slower than the traffic: keep the record on disk
		q.spoolOp(o)
	}
}

func (q *Queue) spoolOp(o op) {
	q.spoolOrHold(o)
	q.nudge()
}

// spoolOrHold writes o to the spool, or holds it in memory when the spool cannot be written.
func (q *Queue) spoolOrHold(o op) {
	if err := q.spoolRequest(o.finish, o.req); err != nil {
		q.hold(o, err)
	}
}

func (q *Queue) spoolRequest(finish bool, req store.Request) error {
	if req.Body != nil && q.spool.crowded() {
		req.Body, req.Content = nil, "metadata only: the store was down and the spool was crowded"
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	name := "start"
	if finish {
		name = "finish"
	}
	line, err := json.Marshal(spooled{Op: name, Request: body})
	if err != nil {
		return err
	}
	return q.spool.append(line)
}

func (q *Queue) nudge() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Run writes records until ctx ends, then drains what is queued (to the store, or to the
// spool when the store is down) and returns. Run replays the spool, including what a previous
// run left, whenever the store accepts writes.
func (q *Queue) Run(ctx context.Context) {
	defer close(q.done)
	defer lowerPriority()()
	replayCtx, stopReplay := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); q.replayLoop(replayCtx) }()
	prepDone, prepStopped := make(chan struct{}), make(chan struct{})
	go func() { defer close(prepStopped); q.prepareLoop(prepDone) }()
	q.nudge()
	for {
		select {
		case po := <-q.ch:
			o := *po
			q.dequeued(o)
			q.writeBatch(q.collect(o))
		case <-ctx.Done():
			close(prepDone) // the preparer reads what waits, hands it over, and stops
			<-prepStopped
			q.stopMu.Lock()
			q.stopped = true
			q.stopMu.Unlock()
			q.drain()
			stopReplay()
			wg.Wait()
			if q.flushHeld(context.Background()) {
				q.log.Error("records lost at shutdown: neither the store nor the spool could take them",
					"records", q.held.len())
			}
			if err := q.spool.close(); err != nil {
				q.log.Error("closing spool", "error", err)
			}
			return
		}
	}
}

// drain writes what is queued in memory.
func (q *Queue) drain() {
	for {
		select {
		case po := <-q.ch:
			o := *po
			q.dequeued(o)
			q.write(o)
		default:
			return
		}
	}
}

// dequeued notes that the worker took o from ch.
func (q *Queue) dequeued(o op) { q.queuedBytes.Add(-sealedSize(o.req.Body)) }

// sealedSize is how many bytes of sealed pieces b carries.
func sealedSize(b *store.Body) int64 {
	if b == nil {
		return 0
	}
	var n int64
	for _, blob := range b.Blobs {
		n += int64(len(blob.Data))
	}
	return n
}

// Wait blocks until Run has returned.
func (q *Queue) Wait() { <-q.done }

// Written is the number of records written to the store so far (replays included).
func (q *Queue) Written() int64 { return q.written.Load() }

// Pending reports whether records are waiting in memory or on disk.
func (q *Queue) Pending() bool {
	return q.prep.waiting() || len(q.ch) > 0 || !q.spool.empty() || q.held.len() > 0
}

// maxBatch bounds how many writes go to the store in one transaction.
const maxBatch = 512

// batchWindow is how long the worker gathers records before writing them in one
// transaction: a busy proxy then costs a few transactions a second instead of two per
// request, and the writes stay out of the way of the traffic.
const batchWindow = 20 * time.Millisecond

// collect returns first and the records queued within batchWindow after it, up to maxBatch.
// It sleeps through the window and then takes what is queued, instead of receiving each
// record as it comes: a goroutine waiting on the channel is woken by every send, and each
// wake costs the sender — a request on its way upstream — a futex call to this goroutine's
// OS thread (locked, and of lower priority). The channel holds QueueSize records, far more
// than a window's worth. A full batch already waiting is taken at once (catching up).
func (q *Queue) collect(first op) []op {
	batch := []op{first}
	if len(q.ch) < maxBatch-1 {
		time.Sleep(batchWindow)
	}
	for len(batch) < maxBatch {
		select {
		case po := <-q.ch:
			o := *po
			q.dequeued(o)
			batch = append(batch, o)
		default:
			return batch
		}
	}
	return batch
}

// writeBatch writes ops in one transaction. When the store is down they go to the spool; when
// the store refuses the batch for another reason, each op is written alone so that one bad
// record cannot take the others with it.
func (q *Queue) writeBatch(batch []op) {
	if len(batch) == 1 || q.storeDown.Load() {
		for _, o := range batch {
			q.write(o)
		}
		return
	}
	// A request that started and finished within the batch needs only its finish: that
	// write inserts the whole row.
	finished := make(map[string]bool, len(batch))
	for _, o := range batch {
		if o.finish {
			finished[o.req.ID] = true
		}
	}
	ops := make([]store.RequestOp, 0, len(batch))
	for _, o := range batch {
		if !o.finish && finished[o.req.ID] {
			continue
		}
		ops = append(ops, store.RequestOp{Finish: o.finish, Request: o.req})
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	gone := q.contentGone.Load()
	err := q.store.WriteRequests(ctx, ops)
	cancel()
	if err == nil {
		q.wrote(gone, batch...)
		return
	}
	for _, o := range batch {
		q.write(o)
	}
}

func (q *Queue) write(o op) {
	if q.storeDown.Load() {
		q.spoolOrHold(o)
		return
	}
	err := q.apply(context.Background(), o.finish, o.req)
	switch {
	case err == nil:
	case retryable(err):
		q.log.Warn("store unavailable; keeping records on disk until it returns", "error", err)
		q.storeDown.Store(true)
		q.spoolOrHold(o)
		q.nudge()
	default:
		q.refused(o, err)
	}
}

// refused handles a store's refusal that trying again would not change: the record is kept
// without its content when that is what the store refuses, else it is lost (and logged).
func (q *Queue) refused(o op, err error) {
	req := o.req
	if req.Body != nil || req.Keys != nil {
		q.log.Error("the store refused a request's content; keeping its metadata", "id", req.ID, "error", err)
		req.Body, req.Keys, req.Content = nil, nil, "metadata only: the store refused the content"
		q.write(op{finish: o.finish, req: req})
		return
	}
	q.log.Error("record lost: the store refused it", "id", req.ID, "error", err)
}

// retryable reports whether a store error means "try again later" (the store's
// ErrUnavailable, or a write that timed out). Other errors would fail again: retrying them
// would hold back every record behind.
func retryable(err error) bool {
	return errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}

const writeTimeout = 10 * time.Second

func (q *Queue) apply(ctx context.Context, finish bool, req store.Request) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	var err error
	gone := q.contentGone.Load()
	if finish {
		err = q.store.FinishRequest(ctx, req)
	} else {
		err = q.store.StartRequest(ctx, req)
	}
	if err == nil {
		q.wrote(gone, op{finish: finish, req: req})
	}
	return err
}

// replayLoop writes spooled records to the store, retrying with backoff while it is down.
func (q *Queue) replayLoop(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-time.After(backoff):
		}
		if q.flushHeld(ctx) {
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		if q.spool.empty() {
			q.storeDown.Store(false)
			backoff = time.Second
			continue
		}
		if err := q.replay(ctx); err != nil {
			q.log.Debug("spool replay failed; will retry", "error", err)
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
	}
}

// replay writes every spooled file to the store; a file is removed once all of it is in.
// Because StartRequest and FinishRequest are idempotent, a file replayed twice after a crash
// still leaves one row per request.
func (q *Queue) replay(ctx context.Context) error {
	files, err := q.spool.replayFiles()
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := q.replayFile(ctx, path); err != nil {
			return err
		}
		q.spool.done(path)
	}
	if q.spool.empty() {
		q.storeDown.Store(false)
	}
	return nil
}

// maxSpoolLine bounds a spool line replay reads; it is above the longest the recorder writes:
// a request and an answer kept up to MaxRequestBytes each that do not compress, sealed, in
// base64 (4/3), with the metadata — about 86 MB. A longer line would stop replay for good.
const maxSpoolLine = 3*proxy.MaxRequestBytes + 32<<20

func (q *Queue) replayFile(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxSpoolLine)
	for sc.Scan() {
		var line spooled
		var req store.Request
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || json.Unmarshal(line.Request, &req) != nil {
			// A torn last line from a crash: skip it.
			q.log.Error("skipping unreadable spool line", "file", filepath.Base(path))
			continue
		}
		err := q.apply(ctx, line.Op == "finish", req)
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			return err
		case retryable(err):
			return fmt.Errorf("replaying %s: %w", filepath.Base(path), err)
		default: // as when written live: the metadata is kept if it was the content refused
			q.refused(op{finish: line.Op == "finish", req: req}, err)
		}
	}
	return sc.Err()
}
