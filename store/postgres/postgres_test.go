package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"nexus/store"
	"nexus/store/sqlstore"
	"nexus/store/storetest"
)

// These tests need a PostgreSQL server whose role may create schemas, at the URL in
// NEXUS_TEST_DATABASE_URL. Without it they skip, except under CI, where they fail.

func testURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("NEXUS_TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("NEXUS_TEST_DATABASE_URL is not set, and CI must run the PostgreSQL tests")
		}
		t.Skip("NEXUS_TEST_DATABASE_URL is not set; skipping the PostgreSQL tests")
	}
	return u
}

// testLog logs into the test's output.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// admin connects to the test database outside any store.
func admin(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(testCtx(t), testURL(t))
	if err != nil {
		t.Fatalf("connecting to the test database: %s", RedactURL(err.Error()))
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// freshSchema creates an empty schema, dropped when the test ends, and returns a URL whose
// connections use it (search_path) and name themselves after it (application_name), so
// that tests and packages running at once do not meet.
func freshSchema(t *testing.T) (dbURL, name string) {
	t.Helper()
	raw := testURL(t)
	b := make([]byte, 8)
	rand.Read(b)
	name = "nexus_test_" + hex.EncodeToString(b)
	conn := admin(t)
	if _, err := conn.Exec(testCtx(t), `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, raw)
		if err != nil {
			t.Errorf("dropping schema %s: %s", name, RedactURL(err.Error()))
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+name+` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("NEXUS_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String(), name
}

func openURL(t *testing.T, dbURL string) *Store { return openURLWith(t, dbURL, nil) }

func openURLWith(t *testing.T, dbURL string, codec sqlstore.Opener) *Store {
	t.Helper()
	s, err := Open(testCtx(t), dbURL, codec, testLog(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T, codec sqlstore.Opener) store.Store {
		u, _ := freshSchema(t)
		return openURLWith(t, u, codec)
	})
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	u, _ := freshSchema(t)
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(testCtx(t), u, nil, testLog(t))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	var rows, top int
	err := stores[0].pool.QueryRow(testCtx(t), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&rows, &top)
	if err != nil {
		t.Fatal(err)
	}
	if rows != len(migrations) || top != len(migrations) {
		t.Errorf("schema_migrations has %d rows up to version %d, want %d", rows, top, len(migrations))
	}
}

func TestReopenKeepsRecords(t *testing.T) {
	u, _ := freshSchema(t)
	ctx := testCtx(t)
	s, err := Open(ctx, u, nil, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRequest(ctx, store.Request{ID: "a", StartedAt: time.Now(), Model: "m"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := openURL(t, u)
	if n, err := s2.CountRequests(ctx); err != nil || n != 1 {
		t.Errorf("after reopening: CountRequests = %d, %v; want 1", n, err)
	}
}

// The schema has the SQLite store's indexes, and one for the side calls that SQLite finds
// through requests_conversation (partial here: migration 6).
func TestIndexes(t *testing.T) {
	u, name := freshSchema(t)
	s := openURL(t, u)
	rows, err := s.pool.Query(testCtx(t), `SELECT indexname FROM pg_indexes WHERE schemaname = $1
		AND tablename = 'requests' ORDER BY indexname`, name)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := "requests_account requests_compaction requests_cont requests_conversation requests_cur requests_model " +
		"requests_orphans requests_parent requests_pkey requests_session_client requests_side_calls " +
		"requests_started requests_status"
	if strings.Join(got, " ") != want {
		t.Errorf("indexes %v, want %s", got, want)
	}
}

func TestWrongPasswordIsHiddenAndNotUnavailable(t *testing.T) {
	u, err := url.Parse(testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	const wrong = "Wr0ng-pa55word-9f8e"
	u.User = url.UserPassword(u.User.Username(), wrong)
	s, err := Open(testCtx(t), u.String(), nil, testLog(t))
	if err == nil {
		s.Close()
		t.Skip("the test server does not check passwords")
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("error shows the password: %v", err)
	}
	if errors.Is(err, store.ErrUnavailable) {
		t.Errorf("a rejected password is a configuration error, not ErrUnavailable: %v", err)
	}
}

// A connection the server drops mid-use gives ErrUnavailable, and the same store then
// writes again on fresh connections without being reopened.
func TestTerminatedConnections(t *testing.T) {
	u, app := freshSchema(t)
	s := openURL(t, u)
	ctx := testCtx(t)
	killer := admin(t)
	write := func(id string) error {
		return s.FinishRequest(ctx, store.Request{ID: id, StartedAt: time.Now(), Model: "m"})
	}

	// One connection, killed while checked out.
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pid uint32
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := killer.Exec(ctx, `SELECT pg_terminate_backend($1, 5000)`, pid); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `SELECT 1`)
	conn.Release()
	if err == nil {
		t.Fatal("a query on a terminated connection succeeded")
	}
	if werr := s.wrap("querying", err); !errors.Is(werr, store.ErrUnavailable) {
		t.Errorf("terminated connection: %v does not wrap store.ErrUnavailable", werr)
	}
	if err := write("after-one"); err != nil {
		t.Errorf("writing after a lost connection: %v", err)
	}

	// Every connection of the pool, killed while idle.
	var wg sync.WaitGroup
	for i := range 8 { // fill the pool
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := write(fmt.Sprintf("fill-%d", i)); err != nil {
				t.Errorf("filling the pool: %v", err)
			}
		}()
	}
	wg.Wait()
	// Find the pids first: in one statement the planner might call pg_terminate_backend on
	// rows the filter would have dropped.
	rows, err := killer.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
	if err != nil {
		t.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	if len(pids) == 0 {
		t.Fatal("no backend of the store was found to terminate")
	}
	killed := len(pids)
	for _, pid := range pids {
		if _, err := killer.Exec(ctx, `SELECT pg_terminate_backend($1, 5000)`, pid); err != nil {
			t.Fatal(err)
		}
	}
	// The recorder retries after ErrUnavailable; do the same, a bounded number of times.
	for i := range 8 {
		id := fmt.Sprintf("after-all-%d", i)
		for attempt := 0; ; attempt++ {
			err := write(id)
			if err == nil {
				break
			}
			if !errors.Is(err, store.ErrUnavailable) {
				t.Fatalf("write after terminating %d backends: %v (not ErrUnavailable)", killed, err)
			}
			if attempt == 10 {
				t.Fatalf("still failing after %d tries: %v", attempt+1, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if n, err := s.CountRequests(ctx); err != nil || n != 1+8+8 {
		t.Errorf("CountRequests = %d, %v; want %d", n, err, 1+8+8)
	}
}

func TestClosedStoreIsUnavailable(t *testing.T) {
	u, _ := freshSchema(t)
	s := openURL(t, u)
	s.Close()
	err := s.StartRequest(testCtx(t), store.Request{ID: "a", StartedAt: time.Now()})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("write after Close: %v does not wrap store.ErrUnavailable", err)
	}
}
