// Package postgres is the shared team Store on PostgreSQL, through pgx's connection pool.
//
// A server that is not on this machine must be reached over TLS. The pool reconnects by
// itself, so a store survives the server restarting; while it is down, methods return errors
// wrapping store.ErrUnavailable. One file per kind of record (requests.go; the body store's
// blobs and nodes come later), each with its SQL beside the method that runs it.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"database/sql"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jackc/puddle/v2"

	"nexus/store"
	"nexus/store/sqlstore"
)

// defaultConnectTimeout bounds one connection attempt when the URL sets no connect_timeout.
const defaultConnectTimeout = 10 * time.Second

// Store is a store.Store on a PostgreSQL database: the shared SQL (sqlstore) over pgx's pool.
type Store struct {
	*sqlstore.Store
	pool    *pgxpool.Pool
	log     *slog.Logger
	secrets []string // passwords to scrub from every error
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL; sslmode and the other libpq
// parameters are honoured) and brings its schema up to date. It refuses, before dialing, a
// non-local server unless the URL requires TLS (sslmode=require, verify-ca or verify-full).
// Its errors never contain the URL's password; a server that cannot be reached gives an
// error wrapping store.ErrUnavailable.
// codec opens stored content (nil when bodies are not stored).
func Open(ctx context.Context, url string, codec sqlstore.Opener, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.Default()
	}
	secrets := urlSecrets(url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is not valid: %s", scrub(err.Error(), secrets))
	}
	if p := cfg.ConnConfig.Password; p != "" { // may come from PGPASSWORD or a passfile
		secrets = appendSecret(secrets, p)
	}
	if err := requireTLS(&cfg.ConnConfig.Config); err != nil {
		return nil, err
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "nexus"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening PostgreSQL store: %s", scrub(err.Error(), secrets))
	}
	s := &Store{pool: pool, log: log, secrets: secrets}
	if err := s.wrap("connecting to PostgreSQL", pool.Ping(ctx)); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s.Store = sqlstore.New(stdlib.OpenDBFromPool(pool), sqlstore.Dialect{
		Name:     "postgres",
		Numbered: true,
		Wrap:     s.wrap,
		Lost:     func(err error) bool { return unavailable(err) && !errors.Is(err, puddle.ErrClosedPool) },
		Conflict: conflict,
		Size:     size,
		// 0x6e78 ("nx") keeps these locks apart from the migration lock's key space.
		LockClient: `SELECT pg_advisory_xact_lock(28280, hashtext(?))`,
		// 28281 is the content lock: writes share it, retention's collection owns it.
		HoldContent:    `SELECT pg_advisory_xact_lock_shared(28281, 0)`,
		CollectContent: `SELECT pg_advisory_xact_lock(28281, 0)`,
	}, codec, log)
	log.Info("PostgreSQL store open", "host", cfg.ConnConfig.Host, "database", cfg.ConnConfig.Database,
		"tls", cfg.ConnConfig.TLSConfig != nil)
	return s, nil
}

// Close closes every connection. Calls after Close return errors wrapping
// store.ErrUnavailable.
func (s *Store) Close() error {
	err := s.Store.Close()
	s.pool.Close()
	return err
}

// size is the bytes of Nexus's tables with their indexes and TOAST data.
func size(ctx context.Context, db *sql.DB) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, `SELECT CAST(coalesce(sum(pg_total_relation_size(c.oid)), 0) AS BIGINT)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r'`).Scan(&n)
	return n, err
}

// retry runs an idempotent database call, and runs it once more when it failed because a
// pooled connection had been lost (server restarted, backend terminated): the pool drops a
// broken connection, so the second try gets a fresh one.
func (s *Store) retry(ctx context.Context, action string, call func() error) error {
	err := call()
	if err != nil && unavailable(err) && ctx.Err() == nil && !errors.Is(err, puddle.ErrClosedPool) {
		s.log.Debug("PostgreSQL call failed on a lost connection; retrying", "action", action,
			"error", scrub(err.Error(), s.secrets))
		err = call()
	}
	return s.wrap(action, err)
}
