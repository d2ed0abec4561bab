//go:build linux

// Package residency gives back the memory a headless process mapped but does not use.
package residency

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// DropCleanFilePages unmaps from this process the resident pages of read-only file mappings
// that it has never written: the code and constant data of the shared libraries and of the
// binary itself. `nexus serve` is the same binary as the window, so the dynamic loader maps
// and touches GTK and WebKit (about 35 MB of them) that serve never calls. The pages stay in
// the kernel's page cache; whatever this process does use faults back in from there.
//
// Mappings with any anonymous (copied-on-write) page are left alone: a read-only mapping can
// hold pages the loader wrote before it made them read-only (relocations), and dropping those
// would bring back the file's unrelocated bytes. A read-only mapping cannot gain such pages
// later, so reading /proc/self/smaps first and advising after is safe.
//
// It returns the number of bytes that were resident in the mappings it advised.
func DropCleanFilePages() (int64, error) {
	data, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	var dropped int64
	for _, m := range cleanFileMappings(data) {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, syscall.MADV_DONTNEED); errno == 0 {
			dropped += m.rss
		}
	}
	return dropped, nil
}

type mapping struct {
	start, end uintptr
	rss        int64 // bytes
}

// cleanFileMappings parses smaps and returns the private, unwritable, file-backed mappings
// with resident pages and no anonymous ones.
func cleanFileMappings(smaps []byte) []mapping {
	var out []mapping
	var cur mapping
	var eligible bool
	var anon int64
	flush := func() {
		if eligible && anon == 0 && cur.rss > 0 {
			out = append(out, cur)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		line := sc.Bytes()
		fields := bytes.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if isHeader(fields[0]) {
			flush()
			cur, eligible, anon = mapping{}, false, 0
			bounds := bytes.SplitN(fields[0], []byte("-"), 2)
			start, err1 := strconv.ParseUint(string(bounds[0]), 16, 64)
			end, err2 := strconv.ParseUint(string(bounds[1]), 16, 64)
			perms := fields[1]
			fileBacked := len(fields) >= 6 && fields[5][0] == '/'
			eligible = err1 == nil && err2 == nil && len(perms) == 4 &&
				perms[1] == '-' && perms[3] == 'p' && fileBacked
			cur.start, cur.end = uintptr(start), uintptr(end)
			continue
		}
		if len(fields) < 2 {
			continue
		}
		switch string(fields[0]) {
		case "Rss:":
			cur.rss = kB(fields[1])
		case "Anonymous:":
			anon = kB(fields[1])
		}
	}
	flush()
	return out
}

// isHeader reports whether a smaps line's first field is an address range ("7f…-7f…").
func isHeader(f []byte) bool {
	i := bytes.IndexByte(f, '-')
	if i <= 0 || i == len(f)-1 {
		return false
	}
	for _, c := range f {
		if c != '-' && !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func kB(f []byte) int64 {
	n, _ := strconv.ParseInt(string(f), 10, 64)
	return n << 10
}
