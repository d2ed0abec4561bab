package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"nexus/store"
)

func TestUnavailable(t *testing.T) {
	pgErr := func(code string) error { return &pgconn.PgError{Severity: "FATAL", Code: code, Message: "m"} }
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"admin shutdown 57P01", pgErr("57P01"), true},
		{"crash shutdown 57P02", pgErr("57P02"), true},
		{"starting up 57P03", pgErr("57P03"), true},
		{"connection failure 08006", pgErr("08006"), true},
		{"cannot connect 08001", pgErr("08001"), true},
		{"too many connections 53300", pgErr("53300"), true},
		{"disk full 53100", pgErr("53100"), true},
		{"wrapped 57P01", fmt.Errorf("exec: %w", pgErr("57P01")), true},
		{"connection refused", refused, true},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), true},
		{"unexpected EOF", fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), true},
		{"pool closed", puddle.ErrClosedPool, true},
		{"deadline", fmt.Errorf("connect: %w", context.DeadlineExceeded), true},
		{"bad password 28P01", pgErr("28P01"), false},
		{"no such database 3D000", pgErr("3D000"), false},
		{"unique violation 23505", pgErr("23505"), false},
		{"syntax error 42601", pgErr("42601"), false},
		{"cancelled", context.Canceled, false},
		{"plain error", errors.New("boom"), false},
	}
	for _, tt := range tests {
		if got := unavailable(tt.err); got != tt.want {
			t.Errorf("%s: unavailable = %v, want %v", tt.name, got, tt.want)
		}
		s := &Store{}
		if got := errors.Is(s.wrap("doing", tt.err), store.ErrUnavailable); got != tt.want {
			t.Errorf("%s: wrap wraps ErrUnavailable = %v, want %v", tt.name, got, tt.want)
		}
	}
}
