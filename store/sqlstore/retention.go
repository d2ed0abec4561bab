package sqlstore

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"
	"time"

	"nexus/store"
)

// retentionBatch is how many requests one delete removes, so that a large purge never holds
// a long transaction (the recorder keeps writing between batches).
const retentionBatch = 2000

// Retain implements store.Store: requests older than MaxAge go, then the oldest until the
// store is under MaxBytes; then conversations, Agent calls, nodes and blobs nothing points at.
// SQLite gives the space back when a pass freed much of the file.
func (s *Store) Retain(ctx context.Context, p store.RetentionPolicy) (store.RetentionRun, error) {
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	run := store.RetentionRun{At: now.UTC()}
	var err error
	if run.BytesBefore, err = s.Size(ctx); err != nil {
		return run, err
	}
	var reasons []string
	touched := map[string]bool{} // conversations that lost requests and are not recounted yet
	if p.MaxAge > 0 {
		n, err := s.deleteRequests(ctx, touched, `started_at < ?`, now.Add(-p.MaxAge).UnixMilli())
		if err != nil {
			return run, err
		}
		if n > 0 {
			run.Requests += n
			reasons = append(reasons, "age")
		}
	}
	if err := s.collect(ctx, &run, touched); err != nil {
		return run, err
	}
	if p.MaxBytes > 0 {
		removed := int64(0)
		for {
			size, err := s.Size(ctx)
			if err != nil || size <= p.MaxBytes {
				break
			}
			n, err := s.deleteOldest(ctx, touched)
			if err != nil {
				return run, err
			}
			if n == 0 {
				break
			}
			removed += n
			if err := s.collect(ctx, &run, touched); err != nil {
				return run, err
			}
		}
		if removed > 0 {
			run.Requests += removed
			reasons = append(reasons, "size")
		}
	}
	if run.Requests == 0 && run.Blobs == 0 {
		return run, nil
	}
	if s.d.Reclaim != nil {
		if err := s.d.Reclaim(ctx, s.w); err != nil {
			return run, s.d.Wrap("reclaiming space", err)
		}
	}
	run.Reason = strings.Join(reasons, "+")
	if run.BytesAfter, err = s.Size(ctx); err != nil {
		return run, err
	}
	var oldest sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT min(started_at) FROM requests`).Scan(&oldest); err == nil && oldest.Valid {
		run.OldestKeptStart = time.UnixMilli(oldest.Int64).UTC()
	}
	err = s.call(ctx, "logging retention", func() error {
		_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO retention_runs (at, reason, requests, conversations, blobs,
			bytes_before, bytes_after, oldest_kept_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			run.At.UnixMilli(), run.Reason, run.Requests, run.Conversations, run.Blobs, run.BytesBefore,
			run.BytesAfter, run.OldestKeptStart.UnixMilli())
		return err
	})
	return run, err
}

// deleteRequests removes the requests matching cond in batches and returns how many; the
// conversations they were in go into touched.
func (s *Store) deleteRequests(ctx context.Context, touched map[string]bool, cond string, args ...any) (int64, error) {
	var total int64
	for {
		n, err := s.deleteBatch(ctx, touched, "removing old requests", `SELECT id FROM requests WHERE `+cond+` LIMIT ?`,
			append(args, retentionBatch)...)
		if err != nil {
			return total, err
		}
		total += n
		if n < retentionBatch {
			return total, nil
		}
	}
}

// deleteOldest removes the oldest batch of requests; their conversations go into touched.
func (s *Store) deleteOldest(ctx context.Context, touched map[string]bool) (int64, error) {
	return s.deleteBatch(ctx, touched, "removing the oldest requests",
		`SELECT id FROM requests ORDER BY started_at, id LIMIT ?`, retentionBatch)
}

// deleteBatch removes the requests whose ids ids selects and returns how many; the
// conversations they were in go into touched.
func (s *Store) deleteBatch(ctx context.Context, touched map[string]bool, action, ids string, args ...any) (int64, error) {
	var n int64
	err := s.call(ctx, action, func() error {
		n = 0
		rows, err := s.w.QueryContext(ctx, s.q(`DELETE FROM requests WHERE id IN (`+ids+`) RETURNING conversation_id`), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var conv string
			if err := rows.Scan(&conv); err != nil {
				return err
			}
			n++
			if conv != "" {
				touched[conv] = true
			}
		}
		return rows.Err()
	})
	return n, err
}

// collect removes what no request points at any more: empty conversations, Agent calls of
// removed requests, message nodes on no kept request's path, and blobs nothing references.
func (s *Store) collect(ctx context.Context, run *store.RetentionRun, touched map[string]bool) error {
	var conversations, blobs int64 // what this pass removed (a transaction run again counts afresh)
	steps := []struct {
		query string
		count *int64
	}{
		{`DELETE FROM conversations WHERE NOT EXISTS (SELECT 1 FROM requests r WHERE r.conversation_id = conversations.id AND r.conversation_id <> '')`, &conversations},
		{`DELETE FROM agent_calls WHERE NOT EXISTS (SELECT 1 FROM requests r WHERE r.id = agent_calls.request_id)`, nil},
		{`WITH RECURSIVE live(hash) AS (
			SELECT last_node FROM requests WHERE last_node IS NOT NULL
			UNION
			SELECT n.parent FROM nodes n JOIN live ON n.hash = live.hash WHERE n.parent IS NOT NULL
		) DELETE FROM nodes WHERE hash NOT IN (SELECT hash FROM live)`, nil},
		{`DELETE FROM blobs WHERE hash NOT IN (
			SELECT blob FROM nodes
			UNION SELECT template_blob FROM requests WHERE template_blob IS NOT NULL
			UNION SELECT system_blob FROM requests WHERE system_blob IS NOT NULL
			UNION SELECT tools_blob FROM requests WHERE tools_blob IS NOT NULL
			UNION SELECT response_blob FROM requests WHERE response_blob IS NOT NULL)`, &blobs},
	}
	err := s.inTx(ctx, "collecting unused content", func(tx *sql.Tx) error {
		if s.d.CollectContent != "" {
			if _, err := tx.ExecContext(ctx, s.d.CollectContent); err != nil {
				return err
			}
		}
		if err := recount(ctx, tx, s.q, touched); err != nil {
			return err
		}
		conversations, blobs = 0, 0
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.query)
			if err != nil {
				return err
			}
			if st.count != nil {
				n, _ := res.RowsAffected()
				*st.count += n
			}
		}
		return nil
	})
	if err == nil {
		run.Conversations += conversations
		run.Blobs += blobs
		clear(touched) // recounted
	}
	return err
}

// recountQuery sets the totals and start of n conversations from their requests.
func recountQuery(n int) string {
	const of = `FROM requests r WHERE r.conversation_id = conversations.id AND r.conversation_id <> ''`
	sum := func(col string) string { return `coalesce((SELECT sum(r.` + col + `) ` + of + ` AND r.finished), 0)` }
	return `UPDATE conversations SET request_count = (SELECT count(*) ` + of + ` AND r.finished),
		input_tokens = ` + sum("input_tokens") + `, output_tokens = ` + sum("output_tokens") + `,
		cache_creation_input_tokens = ` + sum("cache_creation_input_tokens") + `,
		cache_read_input_tokens = ` + sum("cache_read_input_tokens") + `, cost_usd = ` + sum("cost_usd") + `,
		started_at = coalesce((SELECT min(r.started_at) ` + of + `), started_at)
		WHERE id IN (?` + strings.Repeat(", ?", n-1) + `)`
}

// recount sets the totals of the touched conversations from the requests they still hold,
// and their start from the oldest of those (the totals count finished requests, as the
// writer adds them). Conversations left with none are removed by collect.
func recount(ctx context.Context, tx *sql.Tx, q func(string) string, touched map[string]bool) error {
	ids := slices.Sorted(maps.Keys(touched))
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		_, err := tx.ExecContext(ctx, q(recountQuery(len(batch))), args...)
		if err != nil {
			return err
		}
	}
	return nil
}

// RetentionRuns implements store.Store.
func (s *Store) RetentionRuns(ctx context.Context, limit int) ([]store.RetentionRun, error) {
	if limit <= 0 {
		limit = 20
	}
	var out []store.RetentionRun
	err := s.call(ctx, "reading retention runs", func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT at, reason, requests, conversations, blobs, bytes_before,
			bytes_after, oldest_kept_start FROM retention_runs ORDER BY at DESC LIMIT ?`), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r store.RetentionRun
			var at, oldest int64
			if err := rows.Scan(&at, &r.Reason, &r.Requests, &r.Conversations, &r.Blobs, &r.BytesBefore,
				&r.BytesAfter, &oldest); err != nil {
				return err
			}
			r.At, r.OldestKeptStart = time.UnixMilli(at).UTC(), time.UnixMilli(oldest).UTC()
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// Size implements store.Store.
func (s *Store) Size(ctx context.Context) (int64, error) {
	var n int64
	err := s.call(ctx, "measuring the store", func() error {
		var err error
		n, err = s.d.Size(ctx, s.db)
		return err
	})
	return n, err
}
