package recording

import (
	"fmt"
	"sync"

	"nexus/store"
)

// Reading a finished request's bodies (redaction, linking keys, sealing the new pieces) costs
// about 0.5 ms of CPU for Claude Code's 72 KB bodies and several ms at 650 KB. It happens here,
// on one goroutine pinned to a low-priority thread, so that it only uses CPU the traffic leaves
// idle and never competes with requests in flight. Bodies wait for it in a bounded backlog;
// when the machine is busy for long enough to fill it, new requests are recorded without
// their bodies (metadata, usage and cost are always kept) rather than letting memory grow.

// maxHeldBytes bounds the bodies the recorder holds in memory: those waiting to be read, and
// the sealed pieces of records waiting to be written (one request is always taken, however
// large, when nothing is held).
const maxHeldBytes = 16 << 20

// maxPreparing bounds how many finished requests wait to be read.
const maxPreparing = 1024

// contentShed is the content note of a request recorded without its bodies because the
// backlog was full.
const contentShed = "metadata only: the machine was too busy to read the bodies"

// pending is a finished request whose bodies have not been read yet.
type pending struct {
	req               store.Request
	request, response []byte
	release           func() // gives the request body's buffer back to the proxy; may be nil
}

func (p pending) size() int64 { return int64(len(p.request) + len(p.response)) }

// preparer holds the backlog.
type preparer struct {
	ch chan *pending // pointers: a buffer of maxPreparing values would hold 0.6 MB from the start

	mu      sync.Mutex // guards the fields below
	bytes   int64      // bodies in ch or being read
	stopped bool       // Run ended: Finish reads bodies itself
	shed    int64      // requests recorded without bodies since the backlog last emptied
}

func newPreparer() *preparer { return &preparer{ch: make(chan *pending, maxPreparing)} }

// offer puts p in the backlog, unless the bodies held would pass maxHeldBytes with the
// writer's queue holding queuedBytes. It reports false when the backlog is full or stopped;
// shed then says whether p must go without its bodies (full) or be read by the caller
// (stopped).
func (pr *preparer) offer(p pending, queuedBytes int64) (queued, shed bool) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.stopped {
		return false, false
	}
	if held := pr.bytes + queuedBytes; held > 0 && held+p.size() > maxHeldBytes {
		pr.shed++
		return false, true
	}
	select {
	case pr.ch <- &p:
		pr.bytes += p.size()
		return true, false
	default:
		pr.shed++
		return false, true
	}
}

// took notes that a request of size bytes has been read and handed over. It returns how many
// requests went without bodies when the backlog has just emptied after shedding, else 0.
func (pr *preparer) took(size int64) (shedSinceEmpty int64) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.bytes -= size
	if len(pr.ch) == 0 && pr.shed > 0 {
		shedSinceEmpty, pr.shed = pr.shed, 0
	}
	return shedSinceEmpty
}

// waiting reports whether bodies wait to be read or are being read.
func (pr *preparer) waiting() bool {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.bytes > 0
}

// stop makes later offers fail; what is in the backlog is still there for draining.
func (pr *preparer) stop() {
	pr.mu.Lock()
	pr.stopped = true
	pr.mu.Unlock()
}

// prepareLoop reads the backlog's bodies until done is closed, then reads what is left.
func (q *Queue) prepareLoop(done <-chan struct{}) {
	defer lowerPriority()()
	for {
		select {
		case p := <-q.prep.ch:
			q.prepareOne(*p)
		case <-done:
			q.prep.stop()
			for {
				select {
				case p := <-q.prep.ch:
					q.prepareOne(*p)
				default:
					return
				}
			}
		}
	}
}

func (q *Queue) prepareOne(p pending) {
	size := p.size()
	q.read(&p)
	q.submit(op{finish: true, req: p.req})
	if n := q.prep.took(size); n > 0 {
		q.log.Warn(fmt.Sprintf("the machine was too busy to read request bodies: %d requests recorded without them (metadata, usage and cost kept)", n))
	}
}

// read fills p.req from its bodies and gives the request body back to the proxy.
func (q *Queue) read(p *pending) {
	q.bodies.Prepare(&p.req, p.request, p.response)
	if p.release != nil {
		p.release()
	}
}
