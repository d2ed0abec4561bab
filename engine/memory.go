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
// 60 MiB (make bench, 500 open streams): RSS 98.7 and 98.8 MB, throughput 96 and 101 % of a
// bare ReverseProxy's; at 64 MiB 100.7–101.3 MB and 103–110 %; at 56 MiB 98.5 MB: under
// that load the live heap and the goroutine stacks come to about 56 MiB.
const memoryLimit = 60 << 20

// limitMemory applies memoryLimit to this process.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
