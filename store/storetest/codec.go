package storetest

import (
	"crypto/rand"
	"testing"

	"nexus/content"
)

// NewCodec returns a codec sealing under a fresh random data key, as the keychain would hold.
func NewCodec(t *testing.T) *content.Codec {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	codec, err := content.NewCodec(key)
	if err != nil {
		t.Fatal(err)
	}
	return codec
}

// NewBodies returns Bodies that prepare as the recorder does (default redaction) under a
// fresh codec, and that codec, which opens what they seal.
func NewBodies(t *testing.T) (*content.Bodies, *content.Codec) {
	t.Helper()
	codec := NewCodec(t)
	redactor, err := content.NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	return content.NewBodies(codec, "", redactor), codec
}
