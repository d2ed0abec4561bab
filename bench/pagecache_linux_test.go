package main

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A file just written is in the page cache; after loadFromDisk almost none of it is.
func TestLoadFromDiskEvictsTheFile(t *testing.T) {
	// Beside the package, on the disk the binaries are built on: a tmpfs /tmp has no disk to
	// drop its pages to.
	dir, err := os.MkdirTemp(".", ".pagecache-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "bin")
	if err := os.WriteFile(path, make([]byte, 8<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	before := residentPages(t, path)
	if err := loadFromDisk(path); err != nil {
		t.Fatal(err)
	}
	after := residentPages(t, path)
	t.Logf("resident pages: %d before, %d after (of %d)", before, after, (8<<20)/os.Getpagesize())
	if before < 1000 || after > before/10 {
		t.Fatalf("resident pages: %d before, %d after", before, after)
	}
}

// residentPages counts the file's pages in the page cache (mincore on a mapping of it).
func residentPages(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	m, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	vec := make([]byte, (len(m)+os.Getpagesize()-1)/os.Getpagesize())
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)),
		uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}
