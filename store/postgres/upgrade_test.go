package postgres

import (
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"nexus/store"
)

// A store that an earlier Nexus wrote, before migration 6 made four request indexes
// partial, opens with its records, and the filters that now read those indexes find them: a
// finished request by model, status and conversation, its conversation by model, and a
// request that was still running when that Nexus stopped in the unfiltered list only.
func TestUpgradeToPartialIndexesKeepsRecords(t *testing.T) {
	u, _ := freshSchema(t)
	ctx := testCtx(t)
	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{pool: pool, log: testLog(t)}
	for version := 1; version <= 5; version++ {
		if err := old.apply(ctx, version); err != nil {
			t.Fatalf("migration %d: %v", version, err)
		}
	}
	if _, err := pool.Exec(ctx, `INSERT INTO conversations (id, started_at, last_at, request_count)
		VALUES ('c1', 1000, 1000, 1);
		INSERT INTO requests (id, started_at, client, session_id, kind, model, status, finished, conversation_id, branch)
		VALUES ('r1', 1000, 'k', 's', 'turn', 'claude-x', 200, TRUE, 'c1', 'main'),
		       ('r2', 2000, 'k', 's', 'turn', '', 0, FALSE, '', '')`); err != nil {
		t.Fatal(err)
	}
	pool.Close()

	s := openURL(t, u)
	var version int
	if err := s.pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil ||
		version != len(migrations) {
		t.Fatalf("schema version %d (%v), want %d", version, err, len(migrations))
	}
	for _, c := range []struct {
		name string
		f    store.RequestFilter
		want []string
	}{
		{"no filter", store.RequestFilter{}, []string{"r2", "r1"}},
		{"model", store.RequestFilter{Model: "claude-x"}, []string{"r1"}},
		{"status", store.RequestFilter{Status: 200}, []string{"r1"}},
		{"conversation", store.RequestFilter{Conversation: "c1"}, []string{"r1"}},
		{"another model", store.RequestFilter{Model: "claude-y"}, nil},
	} {
		got, err := s.ListRequests(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var ids []string
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		if !slices.Equal(ids, c.want) {
			t.Errorf("%s: requests %v, want %v", c.name, ids, c.want)
		}
	}
	convs, err := s.ListConversations(ctx, store.ConversationFilter{Model: "claude-x"})
	if err != nil || len(convs) != 1 || convs[0].ID != "c1" {
		t.Errorf("conversations of model claude-x: %v, %v; want c1", convs, err)
	}
}
