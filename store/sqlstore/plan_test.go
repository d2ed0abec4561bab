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
		rows, err := st.DB().Query(`EXPLAIN QUERY PLAN `+query, "client", []byte("hash"), time.Now().UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "; ")
		if !strings.Contains(text, "INDEX "+index+" ") {
			t.Errorf("lookup by %s does not use its index: %s", index, text)
		}
		if strings.Contains(text, "TEMP B-TREE FOR ORDER BY") {
			t.Errorf("lookup by %s sorts every match: %s", index, text)
		}
	}
}
