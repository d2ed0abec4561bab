package postgres

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nexus/store"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://nexus:s3cret@db.example.com:5432/nexus?sslmode=require",
			"postgres://nexus:xxxxx@db.example.com:5432/nexus?sslmode=require"},
		{"postgresql://nexus@localhost/nexus", "postgresql://nexus@localhost/nexus"},
		{"postgres://localhost/nexus", "postgres://localhost/nexus"},
		{"postgres://u:p%40ss%2Fw0rd@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db?sslmode=verify-full&password=s3cret&sslpassword=k3y",
			"postgres://u@h/db?sslmode=verify-full&password=xxxxx&sslpassword=xxxxx"},
		{"postgres://u:pa/ss@h/db", "postgres://u:xxxxx@h/db"}, // unescaped '/': does not parse
		{"postgres://u:sec:ret@h/db", "postgres://u:xxxxx@h/db"},
		{"host=h user=u password=s3cret dbname=d", "host=h user=u password=xxxxx dbname=d"},
		{"host=h password='s3 cr\\'et' sslmode=require", "host=h password=xxxxx sslmode=require"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScrubRemovesEveryFormOfThePassword(t *testing.T) {
	secrets := urlSecrets("postgres://u:p%40ss%2Fw0rd@h/db?sslpassword=k%26y")
	msg := scrub("a p@ss/w0rd b p%40ss%2Fw0rd c k&y d k%26y", secrets)
	if want := "a xxxxx b xxxxx c xxxxx d xxxxx"; msg != want {
		t.Errorf("scrub = %q, want %q", msg, want)
	}
	secrets = urlSecrets(`host=h password='s3 cr\'et'`)
	if msg := scrub(`x s3 cr'et y`, secrets); msg != "x xxxxx y" {
		t.Errorf("scrub of a quoted keyword password = %q", msg)
	}
}

func TestIsLocalHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "localhost.": true, "127.0.0.1": true, "127.1.2.3": true,
		"::1": true, "[::1]": true, "/var/run/postgresql": true, "/tmp": true,
		"db.example.com": false, "10.0.0.5": false, "192.168.1.10": false, "::ffff:10.0.0.1": false,
		"localhost.example.com": false, "128.0.0.1": false, "": false,
	} {
		if got := isLocalHost(host); got != want {
			t.Errorf("isLocalHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestTLSRequiredForRemoteHosts(t *testing.T) {
	t.Setenv("PGSSLMODE", "") // only the URL decides
	tests := []struct {
		url string
		ok  bool
	}{
		{"postgres://u:pw@localhost/db?sslmode=disable", true},
		{"postgres://u:pw@127.0.0.1:5433/db?sslmode=disable", true},
		{"postgres://u:pw@127.9.9.9/db?sslmode=disable", true},
		{"postgres://u:pw@[::1]:5432/db?sslmode=disable", true},
		{"postgres://u:pw@%2Fvar%2Frun%2Fpostgresql/db", true},
		{"postgres:///db?host=/var/run/postgresql", true},
		{"postgres://u:pw@db.example.invalid/db?sslmode=require", true},
		{"postgres://u:pw@db.example.invalid/db?sslmode=verify-ca", true},
		{"postgres://u:pw@db.example.invalid/db?sslmode=verify-full", true},
		{"postgres://u:pw@db.example.invalid/db?sslmode=disable", false},
		{"postgres://u:pw@db.example.invalid/db?sslmode=allow", false},
		{"postgres://u:pw@db.example.invalid/db?sslmode=prefer", false},
		{"postgres://u:pw@db.example.invalid/db", false}, // libpq's default is prefer
		{"postgres://u:pw@10.1.2.3/db?sslmode=disable", false},
		{"postgres://u:pw@localhost,db.example.invalid/db?sslmode=disable", false},
	}
	for _, tt := range tests {
		cfg, err := pgxpool.ParseConfig(tt.url)
		if err != nil {
			t.Fatalf("ParseConfig(%s): %v", tt.url, err)
		}
		err = requireTLS(&cfg.ConnConfig.Config)
		if (err == nil) != tt.ok {
			t.Errorf("requireTLS(%s) = %v, want ok=%v", tt.url, err, tt.ok)
		}
		if tt.ok {
			continue
		}
		// Open refuses before dialing: at once, with the TLS message, not a connection error.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		start := time.Now()
		s, err := Open(ctx, tt.url, nil, testLog(t))
		cancel()
		if err == nil {
			s.Close()
			t.Fatalf("Open(%s) succeeded", tt.url)
		}
		if !strings.Contains(err.Error(), "without TLS") || !strings.Contains(err.Error(), "sslmode=verify-full") {
			t.Errorf("Open(%s): unclear error %q", tt.url, err)
		}
		if errors.Is(err, store.ErrUnavailable) || time.Since(start) > time.Second {
			t.Errorf("Open(%s) seems to have dialed: %v after %v", tt.url, err, time.Since(start))
		}
		if strings.Contains(err.Error(), "pw@") || strings.Contains(err.Error(), ":pw") {
			t.Errorf("Open(%s) error shows the password: %v", tt.url, err)
		}
	}
}

// closedPort returns a loopback port with nothing listening.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return strconv.Itoa(port)
}

func TestOpenWithNothingListening(t *testing.T) {
	const password = "Sup3r-s3cret-9d1c"
	url := "postgres://nexus:" + password + "@127.0.0.1:" + closedPort(t) + "/nexus?sslmode=disable"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Open(ctx, url, nil, testLog(t))
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded with nothing listening")
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("%v does not wrap store.ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "connect") {
		t.Errorf("unclear error: %v", err)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestInvalidURLHidesPassword(t *testing.T) {
	for _, url := range []string{
		"postgres://u:Sup3r-s3cret@h:notaport/db",
		"postgres://u:Sup3r-s3cret@localhost/db?sslmode=bogus",
		"postgres://u:Sup3r-s3cret@localhost/db?pool_max_conns=zero",
	} {
		s, err := Open(context.Background(), url, nil, testLog(t))
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", RedactURL(url))
			continue
		}
		if strings.Contains(err.Error(), "Sup3r-s3cret") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

// A password that the driver puts in a message is scrubbed, and the driver's error is not
// kept where a caller could print it.
func TestWrapScrubsPassword(t *testing.T) {
	s := &Store{secrets: urlSecrets("postgres://u:Sup3r-s3cret@h/db")}
	inner := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused for Sup3r-s3cret")}
	err := s.wrap("connecting", inner)
	if strings.Contains(err.Error(), "Sup3r-s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("%v lost ErrUnavailable", err)
	}
	var op *net.OpError
	if errors.As(err, &op) {
		t.Errorf("the unscrubbed driver error is still reachable: %v", op)
	}
}
