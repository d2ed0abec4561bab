package sqlstore

import (
	"context"
	"strings"

	"nexus/conversation"
	"nexus/store"
)

// SearchRequests implements store.Store: a ListRequests query, newest first, over at most
// store.TextScanLimit requests (or f.ScanLimit), keeping those whose newest message or answer holds f.Text in
// its text (case-insensitive; conversation.MessageSearchText says what counts as text).
// Every message of a conversation is the newest message of some request, or part of an
// answer, so this finds them all without opening whole histories. Content is sealed, so
// this reads it through the codec; without one nothing matches.
func (s *Store) SearchRequests(ctx context.Context, f store.RequestFilter) (store.SearchResult, error) {
	var res store.SearchResult
	if s.codec == nil || f.Text == "" {
		return res, nil
	}
	limit := listLimit(f.Limit)
	where, args := requestWhere(f)
	query := `SELECT ` + store.RequestColumns + `, (SELECT n.blob FROM nodes n WHERE n.hash = requests.last_node),
		(SELECT b.data FROM nodes n JOIN blobs b ON b.hash = n.blob WHERE n.hash = requests.last_node),
		response_blob, (SELECT b.data FROM blobs b WHERE b.hash = requests.response_blob)
		FROM requests` + where + ` ORDER BY started_at DESC, id DESC LIMIT ?`
	scan := store.TextScanLimit
	if f.ScanLimit > 0 {
		scan = min(scan, f.ScanLimit)
	}
	needle := strings.ToLower(f.Text)
	err := s.call(ctx, "searching requests", func() error {
		res = store.SearchResult{}
		rows, err := s.db.QueryContext(ctx, s.q(query), append(args, scan)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var read int
		var last store.Request
		for len(res.Requests) < limit && rows.Next() {
			var messageID, message, answerID, answer []byte
			r, err := store.RequestScan(func(dest ...any) error {
				return rows.Scan(append(dest, &messageID, &message, &answerID, &answer)...)
			})
			if err != nil {
				return err
			}
			read, last = read+1, r
			if s.holds(messageID, message, conversation.MessageSearchText, needle) ||
				s.holds(answerID, answer, conversation.ResponseSearchText, needle) {
				res.Requests = append(res.Requests, r)
			}
		}
		if read == scan && len(res.Requests) < limit {
			res.ResumeAt, res.ResumeID = last.StartedAt, last.ID
		}
		return rows.Err()
	})
	return res, err
}

// holds reports whether the text of a sealed blob, as text reads it, contains needle (lower
// case).
func (s *Store) holds(id, sealed []byte, text func([]byte) string, needle string) bool {
	if len(sealed) == 0 {
		return false
	}
	plain, err := s.codec.Open(id, sealed)
	return err == nil && strings.Contains(strings.ToLower(text(plain)), needle)
}
