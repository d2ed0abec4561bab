package sqlstore

import (
	"context"
	"crypto/sha256"
	"errors"

	"nexus/store"
)

// ContentGone is the request's content note when a piece its recorder took for stored had
// been removed by retention in the meantime: its metadata is kept, its bodies are not.
const ContentGone = "metadata only: content removed by retention while it was being recorded"

// errIncompleteBody is a body naming a piece without its hash or its data.
var errIncompleteBody = errors.New("request body has a piece without its hash or data")

// contentRow is a finished request's pointers to its stored content (store.ContentColumns).
type contentRow struct {
	template, system, tools, lastNode, response []byte
	whole                                       bool
	messages                                    int
}

// args are the values of store.ContentColumns; a nil row has none of them.
func (c *contentRow) args() []any {
	if c == nil {
		return []any{nil, false, nil, nil, nil, 0, nil}
	}
	return []any{nullBytes(c.template), c.whole, nullBytes(c.system), nullBytes(c.tools), nullBytes(c.lastNode),
		c.messages, nullBytes(c.response)}
}

// storeBody stores a request's sealed pieces and the message-prefix nodes of its messages,
// and returns the request's pointers to them. Blobs and nodes already stored are shared, not
// copied. The recorder leaves out blobs it knows are stored; those are checked, and when one
// is gone storeBody returns nil: the request keeps no body (ContentGone).
func (w *writer) storeBody(ctx context.Context, b *store.Body) (*contentRow, error) {
	included := make(map[string]bool, len(b.Blobs))
	blobs := make([][]any, len(b.Blobs))
	for i, blob := range b.Blobs {
		if len(blob.Hash) == 0 || blob.Data == nil {
			return nil, errIncompleteBody // a NOT NULL column; SQLite's OR IGNORE would skip the row
		}
		blobs[i] = []any{blob.Hash, blob.Size, blob.Data}
		included[string(blob.Hash)] = true
	}
	nodes := nodeHashes(b.Messages)
	have, err := w.deepestNode(ctx, nodes)
	if err != nil {
		return nil, err
	}
	// What the request points at and the recorder left out must be stored already; when it
	// is not, nothing of this body is stored (no orphan blobs for retention to find).
	var need [][]byte
	for _, h := range append([][]byte{b.Template, b.System, b.Tools, b.Response}, b.Messages[have+1:]...) {
		if len(h) > 0 && !included[string(h)] {
			included[string(h)] = true // asked once
			need = append(need, h)
		}
	}
	found, err := w.stored(ctx, "blobs", need)
	if err != nil || len(found) < len(need) {
		return nil, err
	}
	if err := w.insertNew(ctx, "blobs (hash, size, data)", blobs); err != nil {
		return nil, err
	}
	var rows [][]any
	for i := have + 1; i < len(nodes); i++ {
		if len(b.Messages[i]) == 0 {
			return nil, errIncompleteBody
		}
		var parent []byte
		if i > 0 {
			parent = nodes[i-1]
		}
		rows = append(rows, []any{nodes[i], nullBytes(parent), b.Messages[i], i + 1})
	}
	if err := w.insertNew(ctx, "nodes (hash, parent, blob, depth)", rows); err != nil {
		return nil, err
	}
	c := &contentRow{template: b.Template, system: b.System, tools: b.Tools, response: b.Response,
		whole: b.Whole, messages: len(b.Messages)}
	if len(nodes) > 0 {
		c.lastNode = nodes[len(nodes)-1]
	}
	return c, nil
}

// NodeHash is the hash of the message-prefix node holding blob after parent (nil for the
// first message): the exact prefix of a messages array ending at that message.
func NodeHash(parent, blob []byte) []byte {
	h := sha256.New()
	h.Write(parent)
	h.Write(blob)
	return h.Sum(nil)
}

// nodeHashes are the hashes of the message-prefix nodes of messages, in order.
func nodeHashes(messages [][]byte) [][]byte {
	nodes := make([][]byte, len(messages))
	var parent []byte
	for i, m := range messages {
		nodes[i] = NodeHash(parent, m)
		parent = nodes[i]
	}
	return nodes
}

// deepestNode returns the index of the deepest of nodes (a chain) already stored, -1 for
// none. A conversation's next request shares all but its last few messages with the previous
// one, so it asks first about the last few, then about the rest.
func (w *writer) deepestNode(ctx context.Context, nodes [][]byte) (int, error) {
	end := len(nodes)
	for size := 4; end > 0; size = maxIn {
		start := max(0, end-size)
		found, err := w.stored(ctx, "nodes", nodes[start:end])
		if err != nil {
			return -1, err
		}
		for i := end - 1; i >= start; i-- {
			if found[string(nodes[i])] {
				return i, nil
			}
		}
		end = start
	}
	return -1, nil
}
