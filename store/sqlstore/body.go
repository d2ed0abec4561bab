package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"

	"nexus/store"
)

// ContentGone is the request's content note when a piece its recorder took for stored had
// been removed by retention in the meantime: its metadata is kept, its bodies are not.
const ContentGone = "metadata only: content removed by retention while it was being recorded"

// storeBody stores a request's sealed pieces and the message-prefix nodes of its messages,
// and points the request at them. Blobs and nodes already stored are shared, not copied. The
// recorder leaves out blobs it knows are stored; those are checked, and when one is gone the
// request keeps no body (ContentGone).
func (w *writer) storeBody(ctx context.Context, id string, b *store.Body) error {
	included := make(map[string]bool, len(b.Blobs))
	for _, blob := range b.Blobs {
		err := w.exec(ctx, `INSERT INTO blobs (hash, size, data) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
			blob.Hash, blob.Size, blob.Data)
		if err != nil {
			return err
		}
		included[string(blob.Hash)] = true
	}
	present := func(hash []byte) (bool, error) {
		if len(hash) == 0 || included[string(hash)] {
			return true, nil
		}
		return w.exists(ctx, `SELECT 1 FROM blobs WHERE hash = ?`, hash)
	}
	for _, h := range [][]byte{b.Template, b.System, b.Tools, b.Response} {
		if ok, err := present(h); !ok || err != nil {
			return w.contentGone(ctx, id, err)
		}
	}
	last, err := w.storeNodes(ctx, b.Messages, present)
	if errors.Is(err, errGone) {
		return w.contentGone(ctx, id, nil)
	}
	if err != nil {
		return err
	}
	return w.exec(ctx, `UPDATE requests SET template_blob = ?, whole_body = ?, system_blob = ?, tools_blob = ?,
		last_node = ?, message_count = ?, response_blob = ? WHERE id = ?`,
		nullBytes(b.Template), b.Whole, nullBytes(b.System), nullBytes(b.Tools), nullBytes(last),
		len(b.Messages), nullBytes(b.Response), id)
}

// NodeHash is the hash of the message-prefix node holding blob after parent (nil for the
// first message): the exact prefix of a messages array ending at that message.
func NodeHash(parent, blob []byte) []byte {
	h := sha256.New()
	h.Write(parent)
	h.Write(blob)
	return h.Sum(nil)
}

// storeNodes makes sure the chain of nodes for messages exists and returns the last node.
// A conversation's next request shares all but its last few messages with the previous
// one, so it looks for the deepest stored node from the end and inserts only what follows.
func (w *writer) storeNodes(ctx context.Context, messages [][]byte, present func([]byte) (bool, error)) ([]byte, error) {
	if len(messages) == 0 {
		return nil, nil
	}
	nodes := make([][]byte, len(messages))
	var parent []byte
	for i, m := range messages {
		nodes[i] = NodeHash(parent, m)
		parent = nodes[i]
	}
	have := -1 // index of the deepest node already stored
	for i := len(nodes) - 1; i >= 0; i-- {
		ok, err := w.exists(ctx, `SELECT 1 FROM nodes WHERE hash = ?`, nodes[i])
		if err != nil {
			return nil, err
		}
		if ok {
			have = i
			break
		}
	}
	for i := have + 1; i < len(nodes); i++ {
		if ok, err := present(messages[i]); err != nil {
			return nil, err
		} else if !ok {
			return nil, errGone
		}
	}
	for i := have + 1; i < len(nodes); i++ {
		var parent []byte
		if i > 0 {
			parent = nodes[i-1]
		}
		err := w.exec(ctx, `INSERT INTO nodes (hash, parent, blob, depth) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
			nodes[i], nullBytes(parent), messages[i], i+1)
		if err != nil {
			return nil, err
		}
	}
	return nodes[len(nodes)-1], nil
}

var errGone = errors.New("content gone")

// contentGone notes that the request's content could not be stored (err == nil) or fails.
func (w *writer) contentGone(ctx context.Context, id string, err error) error {
	if err != nil {
		return err
	}
	return w.exec(ctx, `UPDATE requests SET content = ? WHERE id = ?`, ContentGone, id)
}

// exists runs a "SELECT 1 … LIMIT 1"-style query and reports whether it found a row.
func (w *writer) exists(ctx context.Context, query string, args ...any) (bool, error) {
	row, err := w.queryRow(ctx, query, args...)
	if err != nil {
		return false, err
	}
	var one int
	err = row.Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
