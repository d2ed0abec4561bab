package credentials

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// ClientKeyPrefix starts every client key, as in Claude Nexus Proxy.
const ClientKeyPrefix = "cnp_live_"

// NewClientKey returns a fresh client key: the prefix and base64url of 32 random bytes.
func NewClientKey() string {
	var b [32]byte
	rand.Read(b[:])
	return ClientKeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// keyDigest is what keys are compared by: equal-length digests make the comparison constant
// time whatever the presented key's length.
func keyDigest(key string) [32]byte { return sha256.Sum256([]byte(key)) }

// digestsEqual compares two digests in constant time.
func digestsEqual(a, b [32]byte) bool { return subtle.ConstantTimeCompare(a[:], b[:]) == 1 }
