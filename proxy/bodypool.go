package proxy

import "sync"

// Request body buffers are pooled by size class (4 KB, 8 KB, … 8 MB): a Claude Code body
// is 70 KB to several MB, and allocating (and zeroing, and collecting) one per request costs
// more than forwarding it.
const (
	minBodyClass = 4 << 10
	bodyClasses  = 12
)

var bodyPools [bodyClasses]sync.Pool

// sizeClass is the smallest class holding size bytes, or -1 when none does.
func sizeClass(size int) int {
	c := minBodyClass
	for i := 0; i < bodyClasses; i++ {
		if size <= c {
			return i
		}
		c <<= 1
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
	return make([]byte, 0, minBodyClass<<i)
}

// putBodyBuffer returns b to its pool. The caller must not use b afterwards.
func putBodyBuffer(b []byte) {
	if i := sizeClass(cap(b)); i >= 0 && cap(b) == minBodyClass<<i {
		bodyPools[i].Put(&b)
	}
}
