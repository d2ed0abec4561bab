package conversation

import (
	"hash/maphash"
	"sync"
)

// Claude Code resends the whole conversation on every call, so every message of a request
// but the newest was read by an earlier one, and so was the system prompt. The key cache
// remembers what linking reads from each of them, keyed by their raw JSON bytes, so that a
// request costs one scan of its body plus the decoding of what is new.
//
// Contract: a cached value is exactly what reading the same bytes again would give (the
// values depend on nothing but those bytes). Keys are two 64-bit seeded hashes of the bytes;
// the seeds are random per process, so a collision can be neither planned nor, at 128 bits,
// met by chance. The cache holds two generations of at most cacheGeneration entries each: a
// full generation becomes the old one, and an entry read from the old one moves to the new.

// cacheGeneration bounds a generation: enough for the live messages of several long sessions
// (a Claude Code session reaches about 1,000 messages before it compacts), about 1 MB.
const cacheGeneration = 8192

// RawKey identifies raw bytes: two 64-bit hashes under seeds random per process (the
// contract above). The content package keys its own cache of pieces with it.
type RawKey struct{ a, b uint64 }

var seedA, seedB = maphash.MakeSeed(), maphash.MakeSeed()

// KeyOf is the RawKey of raw.
func KeyOf(raw []byte) RawKey { return RawKey{maphash.Bytes(seedA, raw), maphash.Bytes(seedB, raw)} }

// messageInfo is what linking reads from one message.
type messageInfo struct {
	role string
	hash Hash // H(norm(m)) of a user or assistant message; zero for other roles
	// The ids of its tool_use and tool_result blocks, in order: a message whose tool blocks
	// were all seen before is a client's duplicate (normalize.go, toolIDs).
	uses, results []string
}

// readMessageInfo reads a message that is not in the cache.
func readMessageInfo(e *encoder, raw []byte) messageInfo {
	m := readMessage(raw)
	info := messageInfo{role: m.Role}
	if m.Role == "user" || m.Role == "assistant" {
		info.hash = e.messageHash(m.Role, m.Content)
	}
	for i := range m.Content {
		switch b := &m.Content[i]; b.Type {
		case "tool_use":
			info.uses = append(info.uses, b.ID)
		case "tool_result":
			info.results = append(info.results, b.ToolUseID)
		}
	}
	return info
}

// systemInfo is what linking reads from a system prompt.
type systemInfo struct {
	hash  Hash   // systemHash
	rules uint64 // systemRules: the classification phrases it contains
}

// readSystemInfo reads a system prompt that is not in the cache.
func readSystemInfo(raw []byte) systemInfo {
	texts := systemTexts(readContent(raw))
	info := systemInfo{hash: systemHash(texts)}
	for _, t := range texts {
		info.rules |= systemRules(t)
	}
	return info
}

// Generations is a map from raw bytes bounded as the cache contract says: two generations
// of at most Size entries each. It is not safe for concurrent use.
type Generations[V any] struct {
	cur, old map[RawKey]V
	Size     int
}

// Get returns the value of k; one found in the old generation moves to the new one.
func (g *Generations[V]) Get(k RawKey) (V, bool) {
	if v, ok := g.cur[k]; ok {
		return v, true
	}
	v, ok := g.old[k]
	if ok {
		g.Put(k, v)
	}
	return v, ok
}

// Put sets the value of k; a full generation becomes the old one, the old one is dropped.
func (g *Generations[V]) Put(k RawKey, v V) {
	if g.cur == nil || len(g.cur) >= g.Size {
		g.old, g.cur = g.cur, make(map[RawKey]V, min(g.Size, 1024))
	}
	g.cur[k] = v
}

// keyCache is the process's cache of message and system prompt readings.
type keyCache struct {
	mu       sync.Mutex
	messages Generations[messageInfo]
	systems  Generations[systemInfo]
}

// sharedKeys serves ReadRequestKeys.
var sharedKeys = &keyCache{
	messages: Generations[messageInfo]{Size: cacheGeneration},
	systems:  Generations[systemInfo]{Size: 64},
}

// readMessages returns the reading of each message, from the cache where it
// can; a nil cache reads everything. keys, when not nil, are KeyOf of each message.
func (c *keyCache) readMessages(e *encoder, messages [][]byte, keys []RawKey) []messageInfo {
	infos := make([]messageInfo, len(messages))
	if c == nil {
		for i, m := range messages {
			infos[i] = readMessageInfo(e, m)
		}
		return infos
	}
	if keys == nil {
		keys = make([]RawKey, len(messages))
		for i, m := range messages {
			keys[i] = KeyOf(m)
		}
	}
	var missing []int
	c.mu.Lock()
	for i, k := range keys {
		var ok bool
		if infos[i], ok = c.messages.Get(k); !ok {
			missing = append(missing, i)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return infos
	}
	for _, i := range missing {
		infos[i] = readMessageInfo(e, messages[i])
	}
	c.mu.Lock()
	for _, i := range missing {
		c.messages.Put(keys[i], infos[i])
	}
	c.mu.Unlock()
	return infos
}

// readSystem returns the reading of a system prompt, from the cache where it can; a nil cache
// reads it.
func (c *keyCache) readSystem(raw []byte) systemInfo {
	if c == nil || len(raw) == 0 {
		return readSystemInfo(raw)
	}
	k := KeyOf(raw)
	c.mu.Lock()
	info, ok := c.systems.Get(k)
	c.mu.Unlock()
	if ok {
		return info
	}
	info = readSystemInfo(raw)
	c.mu.Lock()
	c.systems.Put(k, info)
	c.mu.Unlock()
	return info
}
