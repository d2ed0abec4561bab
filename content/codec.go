package content

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// MaxBlobSize is the largest blob Seal takes and Open gives back.
const MaxBlobSize = 64 << 20

// sealVersion is the first byte of every sealed blob. Stored; DO NOT change.
const sealVersion = 1

const (
	nonceSize = 12 // GCM's standard nonce
	headSize  = 1 + nonceSize
)

// Labels of the subkeys derived from the data key. Every blob id and sealed blob depends on
// them: stored; DO NOT change.
const (
	labelBlobID = "nexus blob id v1"
	labelSeal   = "nexus blob seal v1"
	labelKeyID  = "nexus key id v1"
)

// dictionary is zstd's raw dictionary for small blobs: the Anthropic API's and Claude Code's
// wire vocabulary (message and content block shapes, tool schemas, SSE event framing, usage),
// written from the API's documentation, not from any user's traffic. Most blobs are a message
// or an answer of a few hundred bytes to a few KB, too short for zstd to find that framing
// in the blob itself: with the dictionary, pieces under 4 KB of captured Claude Code traffic
// seal 29 % smaller (TestDictionaryShrinksSmallBlobs). A sealed blob's zstd frame names the
// dictionary by id, so blobs sealed without it open as before. Stored blobs need it to open:
// DO NOT edit the file or the id (TestDictionaryIsUnchanged). A better dictionary is a new
// file with a new id, and the decoder keeps every old one.
//
//go:embed zstd_dictionary.txt
var dictionary []byte

// dictionaryID names the dictionary in sealed blobs' frames (zstd's private range).
const dictionaryID = 0x4e580001

// dictionaryBelow is the size from which a blob is sealed without the dictionary, by the
// stronger SpeedDefault matcher: in a large blob the framing is found in the blob itself.
const dictionaryBelow = 64 << 10

// ErrCannotOpen means a sealed blob does not open: it was sealed under another data key or
// for another id, or it was altered or truncated.
var ErrCannotOpen = errors.New("blob does not open: another data key, another blob id, or damaged data")

// Codec seals and opens blobs: zstd, then AES-256-GCM under a key derived from a 32-byte data
// key, and names them by a keyed hash. It is safe for concurrent use.
//
// A sealed blob is: version byte (1), 12-byte random nonce, GCM(zstd(plain)) with the
// version byte and the blob id as additional data, so a blob opens only under its own id.
// Random nonces keep a key good for about 2^32 blobs.
type Codec struct {
	aead    cipher.AEAD
	hashKey []byte
	hashers sync.Pool // of keyed HMAC-SHA256 states: keying one costs two SHA-256 blocks
	keyID   string
	small   *zstd.Encoder // blobs under dictionaryBelow; EncodeAll only: safe for concurrent use
	large   *zstd.Encoder // the others; EncodeAll only
	dec     *zstd.Decoder // DecodeAll only: safe for concurrent use
}

// NewCodec returns a Codec for a 32-byte data key.
func NewCodec(dataKey []byte) (*Codec, error) {
	if len(dataKey) != 32 {
		return nil, fmt.Errorf("data key is %d bytes, want 32", len(dataKey))
	}
	// The data key is uniformly random, so it serves as HKDF's pseudorandom key as it is.
	sealKey, err := hkdf.Expand(sha256.New, dataKey, labelSeal, 32)
	if err != nil {
		return nil, err
	}
	hashKey, err := hkdf.Expand(sha256.New, dataKey, labelBlobID, 32)
	if err != nil {
		return nil, err
	}
	id, err := hkdf.Expand(sha256.New, dataKey, labelKeyID, 8)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	// Large blobs: SpeedDefault. On a Claude Code body SpeedBetterCompression saves 2-4% more
	// for two to three times the CPU (BenchmarkLevels), and each blob is sealed once however
	// often it is sent. Small blobs: SpeedFastest with the dictionary. With a dictionary every
	// EncodeAll starts by copying the matcher's tables primed with it, and SpeedDefault's are
	// five times SpeedFastest's (a 1 KB message took 55 µs to seal instead of 12; SpeedFastest
	// 18), for 1-2 % smaller blobs. Both: no frame checksum (GCM already has one); a 1 MB
	// window and history allocated as needed (the 8 MB default kept 16 MB of history alive
	// per encoder under load, for blobs almost all far smaller than a megabyte); one encoder
	// state each, since the recorder seals on one goroutine. The large one allocates its state
	// on its first blob.
	encoder := func(level zstd.EncoderLevel, more ...zstd.EOption) (*zstd.Encoder, error) {
		return zstd.NewWriter(nil, append([]zstd.EOption{zstd.WithEncoderLevel(level), zstd.WithEncoderCRC(false),
			zstd.WithZeroFrames(true), zstd.WithWindowSize(1 << 20), zstd.WithLowerEncoderMem(true),
			zstd.WithEncoderConcurrency(1)}, more...)...)
	}
	small, err := encoder(zstd.SpeedFastest, zstd.WithEncoderDictRaw(dictionaryID, dictionary))
	if err != nil {
		return nil, err
	}
	large, err := encoder(zstd.SpeedDefault)
	if err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(MaxBlobSize), zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderDictRaw(dictionaryID, dictionary))
	if err != nil {
		return nil, err
	}
	return &Codec{aead: aead, hashKey: hashKey, keyID: hex.EncodeToString(id), small: small, large: large, dec: dec}, nil
}

// Hash returns the 32-byte id of a blob: HMAC-SHA256 of its bytes under a subkey of the data
// key, so that whoever holds the database cannot confirm a guess of its content.
func (c *Codec) Hash(plain []byte) []byte {
	m, _ := c.hashers.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, c.hashKey)
	}
	m.Write(plain)
	id := m.Sum(nil)
	m.Reset()
	c.hashers.Put(m)
	return id
}

// KeyID names the data key without revealing it (16 hex digits), so that data sealed under
// another key can be told apart from damaged data.
func (c *Codec) KeyID() string { return c.keyID }

// Seal compresses and encrypts plain, binding it to id (normally Hash(plain)); Open must be
// given the same id. Blobs larger than MaxBlobSize are refused.
func (c *Codec) Seal(id, plain []byte) ([]byte, error) {
	if len(plain) > MaxBlobSize {
		return nil, fmt.Errorf("sealing a blob of %d bytes: more than the %d allowed", len(plain), MaxBlobSize)
	}
	buf := make([]byte, headSize, headSize+len(plain)/2+64)
	buf[0] = sealVersion
	rand.Read(buf[1:headSize])
	enc := c.small
	if len(plain) >= dictionaryBelow {
		enc = c.large
	}
	buf = enc.EncodeAll(plain, buf)
	// Encrypt the compressed bytes in place, after the header.
	return c.aead.Seal(buf[:headSize], buf[1:headSize], buf[headSize:], additionalData(buf[0], id)), nil
}

// Open returns the plain bytes of a blob sealed under id. A wrong data key, a wrong id or
// altered bytes give an error wrapping ErrCannotOpen.
func (c *Codec) Open(id, sealed []byte) ([]byte, error) {
	if len(sealed) < headSize+c.aead.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short for a sealed blob", ErrCannotOpen, len(sealed))
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: unknown format version %d", ErrCannotOpen, sealed[0])
	}
	z, err := c.aead.Open(nil, sealed[1:headSize], sealed[headSize:], additionalData(sealed[0], id))
	if err != nil {
		return nil, fmt.Errorf("%w (data key %s)", ErrCannotOpen, c.keyID)
	}
	plain, err := c.dec.DecodeAll(z, nil)
	if err != nil {
		return nil, fmt.Errorf("decompressing a blob: %w", err)
	}
	return plain, nil
}

func additionalData(version byte, id []byte) []byte {
	return append([]byte{version}, id...)
}
