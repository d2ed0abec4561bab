package sqlstore

import (
	"bytes"
	"context"
	"strings"

	"nexus/store"
)

// searchRequests runs a ListRequests query, newest first, over at most store.TextScanLimit
// requests, and keeps those whose newest message or answer contains text (case-insensitive).
// Every message of a conversation is the newest message of some request, or part of an
// answer, so this finds them all without opening whole histories. Content is sealed, so
// this reads it through the codec; without one nothing matches.
func (s *Store) searchRequests(ctx context.Context, listQuery string, args []any, text string, limit int) ([]store.Request, error) {
	if s.codec == nil {
		return nil, nil
	}
	query := strings.Replace(listQuery, ` FROM requests`, `, (SELECT n.blob FROM nodes n WHERE n.hash = requests.last_node),
		(SELECT b.data FROM nodes n JOIN blobs b ON b.hash = n.blob WHERE n.hash = requests.last_node),
		response_blob, (SELECT b.data FROM blobs b WHERE b.hash = requests.response_blob) FROM requests`, 1)
	needle := bytes.ToLower([]byte(text))
	var out []store.Request
	err := s.call(ctx, "searching requests", func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, s.q(query), append(args, store.TextScanLimit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() && len(out) < limit {
			var messageID, message, answerID, answer []byte
			r, err := store.RequestScan(func(dest ...any) error {
				return rows.Scan(append(dest, &messageID, &message, &answerID, &answer)...)
			})
			if err != nil {
				return err
			}
			if s.contains(messageID, message, needle) || s.contains(answerID, answer, needle) {
				out = append(out, r)
			}
		}
		return rows.Err()
	})
	return out, err
}

func (s *Store) contains(id, sealed, needle []byte) bool {
	if len(sealed) == 0 {
		return false
	}
	plain, err := s.codec.Open(id, sealed)
	return err == nil && bytes.Contains(bytes.ToLower(plain), needle)
}
