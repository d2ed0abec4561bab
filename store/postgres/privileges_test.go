package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// freshDatabase creates a database owned by the test role (which .ci/run makes CREATEDB),
// dropped when the test ends, and returns a URL for it. A new database grants CONNECT to
// PUBLIC, as PostgreSQL does by default.
func freshDatabase(t *testing.T, raw string) (dbURL, name string) {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name = "nexus_priv_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(testCtx(t), raw)
	if err != nil {
		t.Fatalf("connecting: %s", RedactURL(err.Error()))
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(testCtx(t), `CREATE DATABASE `+name); err != nil {
		t.Fatalf("creating database %s (the test role needs CREATEDB): %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, raw)
		if err != nil {
			t.Errorf("dropping database %s: %s", name, RedactURL(err.Error()))
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String(), name
}

// execAt runs statements on the database at dbURL.
func execAt(t *testing.T, dbURL string, stmts ...string) {
	t.Helper()
	conn, err := pgx.Connect(testCtx(t), dbURL)
	if err != nil {
		t.Fatalf("connecting: %s", RedactURL(err.Error()))
	}
	defer conn.Close(context.Background())
	for _, s := range stmts {
		if _, err := conn.Exec(testCtx(t), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestPrivilegesPublicConnect(t *testing.T) {
	raw := testURL(t)
	dbURL, name := freshDatabase(t, raw)
	s := openURL(t, dbURL)
	ctx := testCtx(t)

	p, err := s.Privileges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var role string
	var super bool
	if err := s.pool.QueryRow(ctx, `SELECT session_user, current_setting('is_superuser') = 'on'`).Scan(&role, &super); err != nil {
		t.Fatal(err)
	}
	if p.Role != role || p.Database != name || p.Superuser != super {
		t.Errorf("Privileges = %+v, want role %s, database %s, superuser %v", p, role, name, super)
	}
	if !p.PublicConnect {
		t.Errorf("a new database grants CONNECT to PUBLIC, but Privileges says not: %+v", p)
	}

	execAt(t, dbURL, `REVOKE CONNECT ON DATABASE `+name+` FROM PUBLIC`, `GRANT CONNECT ON DATABASE `+name+` TO CURRENT_USER`)
	if p, err = s.Privileges(ctx); err != nil {
		t.Fatal(err)
	}
	if p.PublicConnect {
		t.Errorf("CONNECT was revoked from PUBLIC, but Privileges says PUBLIC has it: %+v", p)
	}

	execAt(t, dbURL, `GRANT CONNECT ON DATABASE `+name+` TO PUBLIC`)
	if p, err = s.Privileges(ctx); err != nil || !p.PublicConnect {
		t.Errorf("CONNECT granted to PUBLIC again: %+v, %v", p, err)
	}
}

// TestPrivilegesSuperuser needs a superuser's URL, NEXUS_TEST_SUPERUSER_DATABASE_URL (a role
// the test role cannot create); it skips without one, and fails without one in CI.
func TestPrivilegesSuperuser(t *testing.T) {
	raw := os.Getenv("NEXUS_TEST_SUPERUSER_DATABASE_URL")
	if raw == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("NEXUS_TEST_SUPERUSER_DATABASE_URL is not set: .ci/run sets it")
		}
		t.Skip("NEXUS_TEST_SUPERUSER_DATABASE_URL is not set; skipping the superuser case")
	}
	dbURL, _ := freshDatabase(t, raw)
	s := openURL(t, dbURL)
	p, err := s.Privileges(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Superuser {
		t.Errorf("connected as a superuser, but Privileges says not: %+v", p)
	}
}
