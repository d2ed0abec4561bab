package content

import (
	"sync"

	"nexus/conversation"
	"nexus/store"
)

// Claude Code resends the whole conversation on every call: its system prompt, its tool list
// (together about 60 KB) and every message but the newest arrive again byte for byte. The
// piece cache remembers, by the raw bytes a piece arrived as, the id of the blob it was stored
// as and the cache_control marks cut out of it, so that a piece sent again and known to be
// stored costs one fast hash of its bytes instead of a cut, a keyed hash and a seal.
//
// Contract: an entry is exactly what cutting and hashing the same bytes again would give (the
// id depends only on the bytes and the codec, which a Bodies keeps for life; the marks'
// FromEnd, the one value that depends on the piece's place, is set by the caller). Keys are
// conversation.RawKey, bounded as conversation.Generations says.

// pieceGeneration bounds each generation of the piece cache: the live messages of several
// long sessions, about 100 bytes each.
const pieceGeneration = 4096

// storedPiece is what a piece was stored as.
type storedPiece struct {
	id    []byte      // the blob id (shared, never modified)
	marks []CacheMark // the cache_control members cut out of a message (nil for most)
	clean bool        // the redactor found no secret in these bytes (redactrequest.go)
	// message: the piece was stored as a message, its cache_control members cut out; the
	// same bytes sent as a system prompt or tool list are stored as they are.
	message bool
}

// pieceCache is safe for concurrent use.
type pieceCache struct {
	mu     sync.Mutex
	pieces conversation.Generations[storedPiece]
}

func newPieceCache() *pieceCache {
	return &pieceCache{pieces: conversation.Generations[storedPiece]{Size: pieceGeneration}}
}

func (c *pieceCache) get(k conversation.RawKey) (storedPiece, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pieces.Get(k)
}

// lookUp fills in the cache's entry of each of states, under one lock.
func (c *pieceCache) lookUp(states []*pieceState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range states {
		s.entry, s.cached = c.pieces.Get(s.key)
	}
}

func (c *pieceCache) put(k conversation.RawKey, p storedPiece) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pieces.Put(k, p)
}

// addPiece is add for a piece of the redacted request (raw), in the state redaction left it:
// for a message (fromEnd ≥ 0, its place counted from the last) the cache_control members are
// cut out first and returned as marks. nil stays nil.
func (b *Bodies) addPiece(body *store.Body, raw []byte, state pieceState, fromEnd int) ([]byte, []CacheMark, error) {
	if raw == nil {
		return nil, nil, nil
	}
	k := state.key
	if p := state.entry; state.cached && p.message == (fromEnd >= 0) && b.isKnown(p.id) {
		return p.id, placed(p.marks, fromEnd), nil
	}
	plain, marks := raw, []CacheMark(nil)
	if fromEnd >= 0 {
		plain, marks = stripCacheControl(fromEnd, raw)
	}
	id, err := b.add(body, plain)
	if err != nil {
		return nil, nil, err
	}
	b.pieces.put(k, storedPiece{id: id, marks: marks, clean: state.clean, message: fromEnd >= 0})
	return id, marks, nil
}

// placed is a copy of marks for a message fromEnd-th from the last.
func placed(marks []CacheMark, fromEnd int) []CacheMark {
	if marks == nil {
		return nil
	}
	out := make([]CacheMark, len(marks))
	for i, m := range marks {
		m.FromEnd = fromEnd
		out[i] = m
	}
	return out
}
