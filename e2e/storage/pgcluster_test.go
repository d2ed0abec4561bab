//go:build e2e

package storage

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"nexus/e2e/nexustest"
)

// pgBin is where Debian's PostgreSQL 15 keeps its programs.
const pgBin = "/usr/lib/postgresql/15/bin"

// cluster is a private PostgreSQL server for one test, so that the test can stop and start
// it without disturbing the shared server other tests use.
type cluster struct {
	t    *testing.T
	dir  string
	port int
	URL  string
}

// newCluster initialises and starts a private server (as the postgres user when run as
// root: PostgreSQL refuses to run as root) with a database "nexus".
func newCluster(t *testing.T) *cluster {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		t.Fatalf("PostgreSQL 15 is not installed (%v): .ci/run installs it", err)
	}
	dir, err := os.MkdirTemp("", "nexus-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	c := &cluster{t: t, dir: dir, port: nexustest.FreePort(t)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c.pg("initdb", "-D", c.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
	c.Start()
	t.Cleanup(func() { c.pgTry("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop") })
	c.pg("psql", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres", "-c", "CREATE DATABASE nexus")
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/nexus?sslmode=disable&connect_timeout=2", c.port)
	return c
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// Start starts the server and waits until it accepts connections.
func (c *cluster) Start() {
	c.t.Helper()
	c.pg("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir), "start")
}

// Kill stops the server at once, as a crash or a lost network would.
func (c *cluster) Kill() {
	c.t.Helper()
	c.pg("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
}

// Dump is pg_dump of the nexus database.
func (c *cluster) Dump() []byte {
	c.t.Helper()
	return []byte(c.pg("pg_dump", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres", "nexus"))
}

func (c *cluster) pg(prog string, args ...string) string {
	c.t.Helper()
	out, err := c.pgTry(prog, args...)
	if err != nil {
		c.t.Fatalf("%s %s: %v\n%s\nserver log:\n%s", prog, strings.Join(args, " "), err, out, c.log())
	}
	return out
}

func (c *cluster) pgTry(prog string, args ...string) (string, error) {
	path := filepath.Join(pgBin, prog)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=5")
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
	}
	return string(out), err
}

func (c *cluster) log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "log"))
	return string(b)
}
