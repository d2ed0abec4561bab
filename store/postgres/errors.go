package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"nexus/store"
)

// wrap names the failed action, marks errors that mean "try again later" as
// store.ErrUnavailable, and keeps the password out of the message. When the password
// appears in the driver's message the driver's error is dropped rather than wrapped, so
// that no caller can print it.
func (s *Store) wrap(action string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := scrub(msg, s.secrets)
	down := unavailable(err)
	switch {
	case clean != msg && down:
		return fmt.Errorf("%s: %w: %s", action, store.ErrUnavailable, clean)
	case clean != msg:
		return fmt.Errorf("%s: %s", action, clean)
	case down:
		return fmt.Errorf("%s: %w: %w", action, store.ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", action, err)
	}
}

// unavailable reports whether err means the server cannot be reached or cannot serve now,
// as opposed to a mistake in the request or the configuration (bad password, missing
// database, constraint violation), which retrying would not fix.
func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return unavailableCode(pgErr.Code)
	}
	var connectErr *pgconn.ConnectError
	switch {
	case errors.Is(err, sql.ErrConnDone), strings.Contains(err.Error(), "sql: database is closed"):
		return true
	case errors.As(err, &connectErr), // could not dial, TLS handshake failed, …
		errors.Is(err, puddle.ErrClosedPool),
		errors.Is(err, context.DeadlineExceeded),
		pgconn.Timeout(err),
		pgconn.SafeToRetry(err), // nothing was sent: connection busy or closed
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ETIMEDOUT),
		errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH):
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}

// unavailableCode reports whether a SQLSTATE means the server cannot serve now: connection
// exceptions (class 08), insufficient resources (class 53: disk full, out of memory, too
// many connections), and shutdowns (57P01 admin, 57P02 crash, 57P03 cannot connect now).
func unavailableCode(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"):
		return true
	case code == "57P01", code == "57P02", code == "57P03":
		return true
	}
	return false
}

// conflict reports a transaction PostgreSQL rolled back because of a concurrent one: a
// deadlock (40P01; two proxies' batches lock usage rows, conversations or new blobs in
// different orders), a serialization failure (40001) or a lock it would not wait for (55P03).
// Running it again succeeds.
func conflict(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "40P01", "40001", "55P03":
		return true
	}
	return false
}
