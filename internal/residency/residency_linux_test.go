//go:build linux

package residency

import (
	"bytes"
	"os"
	"strconv"
	"testing"
)

const smapsSample = `55d0c0a00000-55d0c0c00000 r-xp 00000000 08:01 123 /usr/lib/libwebkit.so
Rss:                1024 kB
Anonymous:             0 kB
55d0c0c00000-55d0c0c10000 r--p 00200000 08:01 123 /usr/lib/libwebkit.so
Rss:                  64 kB
Anonymous:            64 kB
55d0c0c10000-55d0c0c20000 rw-p 00210000 08:01 123 /usr/lib/libwebkit.so
Rss:                  64 kB
Anonymous:            16 kB
7f0000000000-7f0000100000 r--s 00000000 08:01 456 /data/nexus.db-shm
Rss:                  32 kB
Anonymous:             0 kB
7f0000100000-7f0000200000 rw-p 00000000 00:00 0 
Rss:                 512 kB
Anonymous:           512 kB
7f0000200000-7f0000300000 r--p 00000000 08:01 789 /usr/lib/locale/C.utf8/LC_CTYPE
Rss:                   0 kB
Anonymous:             0 kB
7ffd0000a000-7ffd0000c000 r-xp 00000000 00:00 0                          [vdso]
Rss:                   8 kB
Anonymous:             0 kB
`

// Only the clean, private, read-only file mapping with pages in memory is chosen: not the
// relocated (anonymous) read-only one, the writable one, the shared one, anonymous memory,
// a mapping with nothing resident, or the vdso.
func TestCleanFileMappings(t *testing.T) {
	got := cleanFileMappings([]byte(smapsSample))
	if len(got) != 1 {
		t.Fatalf("chose %d mappings, want 1: %+v", len(got), got)
	}
	if m := got[0]; m.start != 0x55d0c0a00000 || m.end != 0x55d0c0c00000 || m.rss != 1024<<10 {
		t.Errorf("chose %+v", m)
	}
}

// In this very process: file-backed resident memory goes down, and the code that runs
// afterwards (faulted back in) still works, relocated data included.
func TestDropCleanFilePagesShrinksRSS(t *testing.T) {
	before := rssFile(t)
	dropped, err := DropCleanFilePages()
	if err != nil {
		t.Fatal(err)
	}
	after := rssFile(t)
	if dropped <= 0 || after >= before {
		t.Fatalf("dropped %d bytes; RssFile %d kB before, %d kB after", dropped, before, after)
	}
	if s := strconv.Itoa(12345) + string(bytes.ToUpper([]byte("ok"))); s != "12345OK" {
		t.Fatalf("code after the drop computed %q", s)
	}
	t.Logf("dropped %d kB; RssFile %d → %d kB", dropped>>10, before, after)
}

func rssFile(t *testing.T) int64 {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(status, []byte("\n")) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "RssFile:" {
			n, _ := strconv.ParseInt(string(f[1]), 10, 64)
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
