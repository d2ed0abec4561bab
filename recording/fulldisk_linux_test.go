package recording

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"nexus/conversation"
	"nexus/internal/syncbuf"
	"nexus/store"
	"nexus/store/sqlite"
)

// TestFullDiskLosesNothing records into SQLite on a real, full file system (a 32 MB tmpfs):
// the database and the spool share it, so both writes fail with "no space". Proxying goes
// on, the log says what is wrong, and once space is freed every record arrives, once.
func TestFullDiskLosesNothing(t *testing.T) {
	dir := smallFileSystem(t, 32<<20)
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "data"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs syncbuf.Buffer
	q, err := NewQueue(st, filepath.Join(dir, "spool"), conversation.DefaultPrices(),
		slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go q.Run(ctx)
	defer func() { cancel(); q.Wait() }()

	filler := fillDisk(t, dir)
	base := proxyWith(t, q)
	const n = 300
	send(t, base, n) // fails the test if a request does not complete
	time.Sleep(300 * time.Millisecond)
	if c, _ := st.CountRequests(context.Background()); c == n {
		t.Fatalf("all %d records were written to a full disk: the test did not fill it", c)
	}
	if !strings.Contains(logs.String(), "no space left on device") {
		t.Errorf("the log does not say the disk is full:\n%s", logs.String())
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for q.Pending() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	reqs, err := st.ListRequests(context.Background(), store.RequestFilter{Limit: 2 * n})
	if err != nil {
		t.Fatal(err)
	}
	finished := 0
	for _, r := range reqs {
		if r.Status == 200 {
			finished++
		}
	}
	if len(reqs) != n || finished != n {
		t.Errorf("after the disk had room again: %d records, %d finished; want %d of each; log:\n%s", len(reqs), finished, n, logs.String())
	}
	if strings.Contains(logs.String(), "record lost") {
		t.Errorf("the log reports lost records:\n%s", logs.String())
	}
}

// smallFileSystem mounts a tmpfs of size bytes for the test. It needs root, as CI has.
func smallFileSystem(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		if errors.Is(err, syscall.EPERM) {
			// CI runs as root on a VM, where this does not happen.
			t.Skip("mounting a tmpfs needs root (CAP_SYS_ADMIN)")
		}
		t.Fatalf("mounting a tmpfs: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fillDisk writes a file into dir until the file system is full and returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return path
			}
			t.Fatal(err)
		}
	}
}

// TestSpoolShortWriteLeavesWholeLines: a line that only partly fits on a full disk is cut
// off again, so the line written after space returns does not join a torn one.
func TestSpoolShortWriteLeavesWholeLines(t *testing.T) {
	dir := smallFileSystem(t, 1<<20)
	sp, err := openSpool(filepath.Join(dir, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.append([]byte(`{"op":"start","request":{"id":"first"}}`)); err != nil {
		t.Fatal(err)
	}
	filler := fillDisk(t, dir)
	// Free one page, then append a line longer than it: the write is short.
	if err := os.Truncate(filler, mustSize(t, filler)-4096); err != nil {
		t.Fatal(err)
	}
	long := []byte(`{"op":"start","request":{"id":"long","path":"` + strings.Repeat("x", 64<<10) + `"}}`)
	if err := sp.append(long); err == nil {
		t.Fatal("a 64 KB line fitted in one free page")
	}
	os.Remove(filler)
	if err := sp.append([]byte(`{"op":"finish","request":{"id":"last"}}`)); err != nil {
		t.Fatal(err)
	}
	sp.close()
	data, err := os.ReadFile(filepath.Join(dir, "spool", currentSpool))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 2 || !json.Valid([]byte(lines[0])) || !json.Valid([]byte(lines[1])) {
		t.Errorf("spool holds %d lines, want 2 whole ones:\n%.300s", len(lines), data)
	}
}

func mustSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
