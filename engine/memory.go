package engine

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the Go runtime's soft memory limit in a running Nexus, unless GOMEMLIMIT
// sets another. Without it, a burst of traffic leaves its peak heap behind for long after:
// the collector lets the heap grow to twice what is live, and freed memory goes back to the
// system slowly. Near the limit the collector runs sooner and the scavenger returns memory.
// It is soft: a heap that must be larger (several 32 MB requests at once) still grows.
const memoryLimit = 64 << 20

// limitMemory applies memoryLimit to this process.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
