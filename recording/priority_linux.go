package recording

import (
	"runtime"
	"syscall"
)

// lowerPriority pins the calling goroutine to its OS thread and gives that thread a lower
// scheduling priority (nice 10), so that writing records only uses CPU the proxy's own
// traffic leaves idle. It returns the function that undoes both.
func lowerPriority() (restore func()) {
	runtime.LockOSThread()
	tid := syscall.Gettid()
	old, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil || syscall.Setpriority(syscall.PRIO_PROCESS, tid, 10) != nil {
		return runtime.UnlockOSThread
	}
	return func() {
		// Getpriority's raw syscall answers 20 - nice.
		syscall.Setpriority(syscall.PRIO_PROCESS, tid, 20-old)
		runtime.UnlockOSThread()
	}
}
