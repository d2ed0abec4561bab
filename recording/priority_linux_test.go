package recording

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// threadNice reads the nice value of the calling thread from /proc.
func threadNice(t *testing.T) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/stat", syscall.Gettid()))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name (in parentheses): nice is the 19th field overall.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	return fields[16]
}

func TestLowerPriority(t *testing.T) {
	runtime.LockOSThread() // stay on one thread to read its nice value before and after
	defer runtime.UnlockOSThread()
	before, procs := threadNice(t), runtime.GOMAXPROCS(0)
	restore := lowerPriority()
	if got := threadNice(t); got != "10" {
		t.Errorf("nice while recording = %s, want 10", got)
	}
	if got := runtime.GOMAXPROCS(0); got != procs+1 {
		t.Errorf("GOMAXPROCS while recording = %d, want %d", got, procs+1)
	}
	restore()
	if got := threadNice(t); got != before {
		t.Errorf("nice after restore = %s, want %s", got, before)
	}
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS after restore = %d, want %d", got, procs)
	}
}
