package postgres

import (
	"strings"
	"testing"

	"nexus/store/sqlstore"
)

// The linking lookups run inside every record write. Some of PostgreSQL's indexes are partial
// (WHERE conversation_id <> ”), and a query that does not say so cannot use them: the
// session lookup then walked requests_started backwards through every request of the week
// (300 ms at 1M). Each lookup must be served by its index.
func TestLinkLookupsUseTheirIndexes(t *testing.T) {
	dbURL, _ := freshSchema(t)
	s := openURL(t, dbURL)
	ctx := testCtx(t)
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A few thousand rows, and no sequential scans: the planner picks among indexes as it
	// would on a large table.
	if _, err := conn.ExecContext(ctx, `INSERT INTO requests (id, started_at, client, session_id, conversation_id,
		kind, cur_hash, parent_request_id, branch) SELECT 'r' || g, g, 'k1', 's' || (g / 10), 'c' || (g / 10), 'turn',
		decode(md5(g::text), 'hex'), 'r' || (g - 1), 'main' FROM generate_series(1, 5000) g`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ANALYZE requests`, `SET enable_seqscan = off`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for i, q := range sqlstore.LinkQueries {
		rows, err := conn.QueryContext(ctx, `EXPLAIN `+sqlstore.Numbered(q.Query), q.Args...)
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, strings.TrimSpace(line))
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, " "+q.Index+" ") {
			t.Errorf("lookup %d is not served by %s:\n%s\n%s", i, q.Index, q.Query, text)
		}
	}
}
