package recording

import (
	"runtime"
	"sync"
	"syscall"
)

// procsMu serialises changes to GOMAXPROCS.
var procsMu sync.Mutex

// lowerPriority pins the calling goroutine to its OS thread and gives that thread a lower
// scheduling priority (nice 10), so that recording only uses CPU the proxy's own traffic
// leaves idle. While pinned it also adds one P (GOMAXPROCS+1): a busy goroutine keeps its P
// even while the kernel makes its niced thread wait, and without the extra P the recorder's
// goroutines could hold every P and leave requests waiting for Go's 10 ms preemption. It
// returns the function that undoes all three.
func lowerPriority() (restore func()) {
	runtime.LockOSThread()
	tid := syscall.Gettid()
	old, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil || syscall.Setpriority(syscall.PRIO_PROCESS, tid, 10) != nil {
		return runtime.UnlockOSThread
	}
	addProcs(1)
	return func() {
		addProcs(-1)
		// Getpriority's raw syscall answers 20 - nice.
		syscall.Setpriority(syscall.PRIO_PROCESS, tid, 20-old)
		runtime.UnlockOSThread()
	}
}

func addProcs(n int) {
	procsMu.Lock()
	defer procsMu.Unlock()
	runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0)+n, 1))
}
