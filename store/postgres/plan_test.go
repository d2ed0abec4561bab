package postgres

import (
	"context"
	"database/sql"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"nexus/store/sqlstore"
)

// The linking lookups run inside every record write. Some of PostgreSQL's indexes are partial
// (only rows whose conversation_id is not empty), and a query that does not say so cannot
// use them: the session lookup then walked requests_started backwards through every request
// of the week (300 ms at 1M). Each lookup must be served by its index.
func TestLinkLookupsUseTheirIndexes(t *testing.T) {
	conn := planningConn(t)
	for i, q := range sqlstore.LinkQueries {
		if text := explain(t, conn, q); !strings.Contains(text, " "+q.Index+" ") {
			t.Errorf("lookup %d is not served by %s:\n%s\n%s", i, q.Index, q.Query, text)
		}
	}
}

// The window's filtered pages and the security checklist read requests through indexes that
// leave out the start rows (migration 6). A query that does not repeat the index's predicate
// walks requests_started instead, through every request when the value it asks for is rare.
func TestFilteredQueriesUseTheirPartialIndexes(t *testing.T) {
	conn := planningConn(t)
	for i, q := range sqlstore.PartialIndexQueries {
		if text := explain(t, conn, q); !strings.Contains(text, " "+q.Index+" ") {
			t.Errorf("query %d is not served by %s:\n%s\n%s", i, q.Index, q.Query, text)
		}
	}
}

// planningConn is a connection to a fresh store holding a few thousand requests, with
// sequential scans off (the planner picks among indexes as it would on a large table) and
// generic plans forced (see explain). Models and statuses are many, each rare, so that a
// generic plan picks their indexes when it can. One request in 50 is still running (its start
// row only: no model, status or conversation).
func planningConn(t *testing.T) *sql.Conn {
	t.Helper()
	dbURL, _ := freshSchema(t)
	s := openURL(t, dbURL)
	ctx := testCtx(t)
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(ctx, `INSERT INTO requests (id, started_at, client, session_id, conversation_id,
		kind, cur_hash, parent_request_id, branch, model, status, finished)
		SELECT 'r' || g, g, 'k1', 's' || (g / 10), 'c' || (g / 10), 'turn', decode(md5(g::text), 'hex'),
		'r' || (g - 1), 'main', 'claude-' || (g % 1000), 100 + g % 500, TRUE FROM generate_series(1, 5000) g WHERE g % 50 <> 0;
		INSERT INTO requests (id, started_at, client, session_id)
		SELECT 'r' || g, g, 'k1', 's' || (g / 10) FROM generate_series(50, 5000, 50) g`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ANALYZE requests`, `SET enable_seqscan = off`, `SET plan_cache_mode = force_generic_plan`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

// explain is PostgreSQL's generic plan for q (one step per line): the plan of a prepared
// statement for any value of its parameters, which is what pgx's cached statements get
// after a few runs. A plan for the sample values could use a partial index that the
// values happen to satisfy.
func explain(t *testing.T, conn *sql.Conn, q sqlstore.IndexedQuery) string {
	t.Helper()
	ctx := context.Background()
	values := make([]string, len(q.Args))
	for i, a := range q.Args {
		switch v := a.(type) {
		case string:
			values[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		case []byte:
			values[i] = "'\\x" + hex.EncodeToString(v) + "'::bytea"
		case int64:
			values[i] = strconv.FormatInt(v, 10)
		case int:
			values[i] = strconv.Itoa(v)
		case bool:
			values[i] = strconv.FormatBool(v)
		default:
			t.Fatalf("sample argument %d of type %T", i, a)
		}
	}
	if _, err := conn.ExecContext(ctx, `PREPARE planned AS `+sqlstore.Numbered(q.Query)); err != nil {
		t.Fatalf("%v\n%s", err, q.Query)
	}
	defer conn.ExecContext(ctx, `DEALLOCATE planned`)
	rows, err := conn.QueryContext(ctx, `EXPLAIN EXECUTE planned(`+strings.Join(values, ", ")+`)`)
	if err != nil {
		t.Fatalf("%v\n%s", err, q.Query)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, strings.TrimSpace(line))
	}
	return strings.Join(plan, "\n")
}
