package proxy

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// lastID is the newest id NewRecordID returned, guarded by lastIDMu.
var (
	lastIDMu sync.Mutex
	lastID   [16]byte
)

// NewRecordID returns a unique, time-ordered request id: "r_" + 48 bits of Unix milliseconds
// and 80 random bits, in lower-case Crockford base32. Ids sort by start time; within one
// millisecond, ids of one process sort in the order they were made (the random bits of the
// previous id plus one, as ULID's monotonic mode), so that requests sent one after another
// list in that order even when they started within the same millisecond.
func NewRecordID(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	rand.Read(b[6:])
	lastIDMu.Lock()
	if bytes.Equal(b[:6], lastID[:6]) && bytes.Compare(b[6:], lastID[6:]) <= 0 {
		b = lastID
		increment(b[6:])
	}
	lastID = b
	lastIDMu.Unlock()
	return "r_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}

// increment adds one to the big-endian number n (wrapping at its width: 80 random bits are
// not exhausted within a millisecond).
func increment(n []byte) {
	for i := len(n) - 1; i >= 0; i-- {
		n[i]++
		if n[i] != 0 {
			return
		}
	}
}
