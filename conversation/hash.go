package conversation

import (
	"crypto/sha256"
	"encoding/hex"
)

// Hash is a SHA-256 digest used as a linking key. The zero Hash means "none".
type Hash [32]byte

// IsZero reports whether h is the zero Hash ("none").
func (h Hash) IsZero() bool { return h == Hash{} }

// String returns h in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// chainStart is p0 = H(""), the hash of the empty message list. It is never a link key.
var chainStart = Hash(sha256.Sum256(nil))

// chain returns p_k = H(p_{k-1} ‖ m), where m is the hash of the normalised k-th message.
func chain(prev, m Hash) Hash {
	var b [64]byte
	copy(b[:32], prev[:])
	copy(b[32:], m[:])
	return sha256.Sum256(b[:])
}
