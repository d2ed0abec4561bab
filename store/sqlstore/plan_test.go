package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"nexus/store/sqlite"
	"nexus/store/sqlstore"
)

// The linking lookups by hash read the newest matches from their index, in order: a client
// that sent one body thousands of times must not make every later lookup read and sort all of
// them (it did: the recorder's catch-up after the proxy bench spent 64 % of its CPU there).
func TestLinkLookupsReadTheirIndexInOrder(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for index, query := range sqlstore.LinkLookupQueries {
		text := queryPlan(t, st, query, "client", []byte("hash"), time.Now().UnixMilli())
		if !strings.Contains(text, "INDEX "+index+" ") {
			t.Errorf("lookup by %s does not use its index: %s", index, text)
		}
		if strings.Contains(text, "TEMP B-TREE FOR ORDER BY") {
			t.Errorf("lookup by %s sorts every match: %s", index, text)
		}
	}
}

// The children lookup of every linked turn finds the parent's twins through requests_cur and
// their children through requests_parent: two index searches, never a scan of requests.
func TestChildrenLookupUsesItsIndexes(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	text := queryPlan(t, st, sqlstore.ChildrenQuery, "r_1", "client", []byte("hash"), time.Now().UnixMilli(), "c_1")
	for _, index := range []string{"requests_parent", "requests_cur"} {
		if !strings.Contains(text, "INDEX "+index+" ") {
			t.Errorf("children lookup does not use %s: %s", index, text)
		}
	}
	if strings.Contains(text, "SCAN requests") {
		t.Errorf("children lookup scans requests: %s", text)
	}
}

// The queries that PostgreSQL serves from partial indexes repeat each index's predicate; on
// SQLite, whose indexes are whole, that extra term must not turn a search into a scan.
func TestPartialIndexQueriesSearchAnIndexOnSQLite(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, q := range sqlstore.PartialIndexQueries {
		text := queryPlan(t, st, q.Query, q.Args...)
		if strings.Contains(text, "SCAN requests") || strings.Contains(text, "SCAN r ") || !strings.Contains(text, "INDEX requests_") {
			t.Errorf("query %d scans requests: %s\n%s", i, text, q.Query)
		}
	}
}

// queryPlan is SQLite's plan for query with args, its steps joined by "; ".
func queryPlan(t *testing.T, st *sqlite.Store, query string, args ...any) string {
	t.Helper()
	rows, err := st.DB().Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}
