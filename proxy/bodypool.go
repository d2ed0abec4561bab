package proxy

import "sync"

// Request body buffers are pooled by size class: a Claude Code body is 70 KB to several MB,
// and allocating (and zeroing, and collecting) one per request costs more than forwarding it.
// Four classes per doubling (4, 5, 6, 7, 8, 10 KB … 8 MB), so a buffer wastes at most a
// quarter of its size: a buffer is held for the whole request, and with hundreds of streams
// open at once that waste is most of the proxy's memory.
const (
	minBodyClass = 4 << 10
	bodyClasses  = 4*11 + 1 // up to minBodyClass<<11 = 8 MB
)

var bodyPools [bodyClasses]sync.Pool

// classSize is the capacity of the buffers of class i.
func classSize(i int) int { return minBodyClass << (i / 4) * (4 + i%4) / 4 }

// sizeClass is the smallest class holding size bytes, or -1 when none does.
func sizeClass(size int) int {
	for i := 0; i < bodyClasses; i++ {
		if size <= classSize(i) {
			return i
		}
	}
	return -1
}

// getBodyBuffer returns an empty buffer with room for size bytes.
func getBodyBuffer(size int) []byte {
	i := sizeClass(size)
	if i < 0 {
		return make([]byte, 0, size)
	}
	if v, ok := bodyPools[i].Get().(*[]byte); ok {
		return (*v)[:0]
	}
	return make([]byte, 0, classSize(i))
}

// putBodyBuffer returns b to its pool. The caller must not use b afterwards.
func putBodyBuffer(b []byte) {
	if i := sizeClass(cap(b)); i >= 0 && cap(b) == classSize(i) {
		bodyPools[i].Put(&b)
	}
}
