package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"nexus/store"
)

// GetRequest implements store.Store: the request and the sealed pieces of its bodies, its
// messages read back along the message-prefix tree.
func (s *Store) GetRequest(ctx context.Context, id string) (store.RequestDetail, error) {
	var d store.RequestDetail
	err := s.call(ctx, "reading request", func() error {
		var lastNode []byte
		var count int
		var template, system, tools, response []byte
		row := s.db.QueryRowContext(ctx, s.q(`SELECT `+store.RequestColumns+`, whole_body, message_count, last_node,
			template_blob, system_blob, tools_blob, response_blob FROM requests WHERE id = ?`), id)
		r, err := store.RequestScan(func(dest ...any) error {
			return row.Scan(append(dest, &d.Whole, &count, &lastNode, &template, &system, &tools, &response)...)
		})
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		d.Request = r
		for _, p := range []struct {
			hash []byte
			dst  *store.Sealed
		}{{template, &d.Template}, {system, &d.System}, {tools, &d.Tools}, {response, &d.Response}} {
			p.dst.Hash = p.hash
			if p.dst.Data, err = s.blob(ctx, p.hash); err != nil {
				return err
			}
		}
		d.Messages, err = s.messages(ctx, lastNode, count)
		return err
	})
	return d, err
}

// NewestMessages implements store.Store, asking about maxIn requests per query.
func (s *Store) NewestMessages(ctx context.Context, ids []string) (map[string]store.Sealed, error) {
	out := make(map[string]store.Sealed, len(ids))
	err := s.call(ctx, "reading newest messages", func() error {
		clear(out)
		for rest := ids; len(rest) > 0; {
			n := min(len(rest), maxIn)
			args := make([]any, n)
			for i, id := range rest[:n] {
				args[i] = id
			}
			rows, err := s.db.QueryContext(ctx, s.q(`SELECT r.id, n.blob, b.data FROM requests r
				JOIN nodes n ON n.hash = r.last_node JOIN blobs b ON b.hash = n.blob
				WHERE r.id IN (?`+strings.Repeat(`, ?`, n-1)+`)`), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				var m store.Sealed
				if err := rows.Scan(&id, &m.Hash, &m.Data); err != nil {
					rows.Close()
					return err
				}
				out[id] = m
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			rest = rest[n:]
		}
		return nil
	})
	return out, err
}

// blob reads one sealed blob; nil hash → nil.
func (s *Store) blob(ctx context.Context, hash []byte) ([]byte, error) {
	if len(hash) == 0 {
		return nil, nil
	}
	var data []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT data FROM blobs WHERE hash = ?`), hash).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("content %x is missing from the store", hash[:4])
	}
	return data, err
}

// messages walks the prefix tree up from last and returns the sealed message blobs in order.
func (s *Store) messages(ctx context.Context, last []byte, count int) ([]store.Sealed, error) {
	if len(last) == 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q(`WITH RECURSIVE chain(hash, parent, blob, depth) AS (
			SELECT hash, parent, blob, depth FROM nodes WHERE hash = ?
			UNION ALL
			SELECT n.hash, n.parent, n.blob, n.depth FROM nodes n JOIN chain c ON n.hash = c.parent
		) SELECT chain.depth, b.hash, b.data FROM chain JOIN blobs b ON b.hash = chain.blob ORDER BY chain.depth`), last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]store.Sealed, 0, count)
	for rows.Next() {
		var depth int
		var b store.Sealed
		if err := rows.Scan(&depth, &b.Hash, &b.Data); err != nil {
			return nil, err
		}
		if depth != len(out)+1 {
			return nil, fmt.Errorf("message %d is missing from the store", len(out)+1)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) != count {
		return nil, fmt.Errorf("found %d of the request's %d messages", len(out), count)
	}
	return out, nil
}
