package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"nexus/content"
	"nexus/store"
	"nexus/store/postgres"
	"nexus/store/sqlite"
)

// backend is a store opened fresh for one measurement, on a real database: SQLite in a
// temporary directory, or PostgreSQL in a new schema of the database at
// NEXUS_TEST_DATABASE_URL (dropped by close).
type backend struct {
	name  string
	st    store.Store
	db    *sql.DB
	codec *content.Codec
	// onDisk is the bytes the data takes on disk, and how that was measured.
	onDisk func(ctx context.Context) (int64, string, error)
	close  func()
}

// newCodec returns a codec under a fresh random data key, as the app's keychain would hold.
func newCodec() *content.Codec {
	key := make([]byte, 32)
	rand.Read(key)
	c, err := content.NewCodec(key)
	if err != nil {
		panic(err)
	}
	return c
}

func openBackend(ctx context.Context, name, pgURL string) (*backend, error) {
	switch name {
	case "sqlite":
		return openSQLite(ctx)
	case "postgres":
		return openPostgres(ctx, pgURL)
	}
	return nil, fmt.Errorf("unknown backend %q", name)
}

func openSQLite(ctx context.Context) (*backend, error) {
	dir, err := os.MkdirTemp("", "nexus-bench-storage-")
	if err != nil {
		return nil, err
	}
	codec := newCodec()
	st, err := sqlite.Open(ctx, dir, codec)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	db := st.DB()
	path := filepath.Join(dir, sqlite.FileName)
	return &backend{name: "SQLite", st: st, db: db, codec: codec,
		onDisk: func(ctx context.Context) (int64, string, error) {
			if err := truncateWAL(ctx, db); err != nil {
				return 0, "", err
			}
			var total int64
			for _, f := range []string{path, path + "-wal"} {
				if fi, err := os.Stat(f); err == nil {
					total += fi.Size()
				}
			}
			return total, "database file + WAL after PRAGMA wal_checkpoint(TRUNCATE)", nil
		},
		close: func() {
			st.Close()
			if os.Getenv("NEXUS_BENCH_KEEP") != "" { // for a look at the file afterwards
				fmt.Fprintf(os.Stderr, "kept %s\n", path)
				return
			}
			os.RemoveAll(dir)
		},
	}, nil
}

func openPostgres(ctx context.Context, raw string) (*backend, error) {
	if raw == "" {
		return nil, fmt.Errorf("NEXUS_TEST_DATABASE_URL is not set (e.g. postgres://nexus:nexus@127.0.0.1:5432/nexus_test?sslmode=disable)")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "nexus_bench_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL: %s", postgres.RedactURL(err.Error()))
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		return nil, fmt.Errorf("creating schema: %w", err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, raw)
		if err != nil {
			fmt.Fprintf(os.Stderr, "dropping schema %s: %s\n", schema, postgres.RedactURL(err.Error()))
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			fmt.Fprintf(os.Stderr, "dropping schema %s: %v\n", schema, err)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		drop()
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", schema)
	u.RawQuery = q.Encode()
	codec := newCodec()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := postgres.Open(ctx, u.String(), codec, quiet)
	if err != nil {
		drop()
		return nil, err
	}
	return &backend{name: "PostgreSQL", st: st, db: st.DB(), codec: codec,
		onDisk: func(ctx context.Context) (int64, string, error) {
			n, err := st.Size(ctx)
			return n, "store.Size: pg_total_relation_size of the schema's tables (heap, TOAST, indexes)", err
		},
		close: func() {
			st.Close()
			if os.Getenv("NEXUS_BENCH_KEEP") != "" { // for a look at the schema afterwards
				fmt.Fprintf(os.Stderr, "kept schema %s\n", schema)
				return
			}
			drop()
		},
	}, nil
}

// applyPragma runs "PRAGMA pragma" on every connection of the SQLite store's reading pool (it
// opens at most 4; all are kept idle so that none is reopened without it): an experiment for
// -sqlite-pragma, e.g. mmap_size=0. Writes run on a connection of their own, which it does not
// reach.
func applyPragma(ctx context.Context, b *backend, pragma string) error {
	b.db.SetMaxIdleConns(4)
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 4 {
		c, err := b.db.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		if _, err := c.ExecContext(ctx, `PRAGMA `+pragma); err != nil {
			return fmt.Errorf("PRAGMA %s: %w", pragma, err)
		}
	}
	return nil
}

// tableSizes is each table's bytes on disk (with its indexes), for the breakdown.
func tableSizes(ctx context.Context, b *backend) (map[string]int64, error) {
	query := `SELECT m.tbl_name, sum(d.pgsize) FROM dbstat d JOIN sqlite_schema m ON m.name = d.name GROUP BY m.tbl_name`
	if b.name == "PostgreSQL" {
		query = `SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'`
	}
	rows, err := b.db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}

// truncateWAL checkpoints the whole WAL and empties it. The checkpoint reports busy, without
// an error, while another connection (the store's checkpointer, a reader) holds a snapshot:
// then the WAL keeps its frames, and a measurement counted them (a second amplification
// session once read 33× instead of 1.2×). It is tried again until it completes.
func truncateWAL(ctx context.Context, db *sql.DB) error {
	for try := 0; ; try++ {
		var busy, logFrames, checkpointed int
		err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed)
		if err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		if try == 100 {
			return fmt.Errorf("the WAL could not be emptied: a connection kept it busy for %d tries", try+1)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
