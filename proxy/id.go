package proxy

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewRecordID returns a unique, time-ordered request id: "r_" + 48 bits of Unix milliseconds
// and 80 random bits, in lower-case Crockford base32. Ids sort by start time.
func NewRecordID(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	rand.Read(b[6:])
	return "r_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}
