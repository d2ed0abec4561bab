package conversation

import (
	"path/filepath"
	"strings"
	"testing"
)

func newKeyCache(size int) *keyCache {
	return &keyCache{messages: Generations[messageInfo]{Size: size}, systems: Generations[systemInfo]{Size: size}}
}

// sameKeys reads body with cache and without one; the two must agree in full.
func sameKeys(t *testing.T, name string, body []byte, cache *keyCache) {
	t.Helper()
	fresh, errFresh := readRequestKeys(body, nil)
	cached, errCached := readRequestKeys(body, cache)
	if (errFresh == nil) != (errCached == nil) || (errFresh != nil && errFresh.Error() != errCached.Error()) {
		t.Fatalf("%s: error %v with the cache, %v without", name, errCached, errFresh)
	}
	if cached != fresh {
		t.Errorf("%s: keys differ with the cache\n cached %+v\n fresh  %+v", name, cached, fresh)
	}
}

// TestKeyCacheGolden replays every captured Claude Code request of the golden corpus through
// one cache, as the recorder does, so that most messages and system prompts are hits: every
// request reads the same as without a cache, and so does each again when all are warm.
func TestKeyCacheGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "[0-9]*.json"))
	if len(files) < 20 {
		t.Fatalf("%d golden captures", len(files))
	}
	cache := newKeyCache(cacheGeneration)
	var bodies [][]byte
	for _, f := range files {
		c := readGoldenCapture(t, f)
		if strings.HasPrefix(c.Path, "/v1/messages") {
			sameKeys(t, f, c.Request, cache)
			bodies = append(bodies, c.Request)
		}
	}
	hits := 0
	for _, b := range bodies {
		parts, err := scanRequest(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range parts.messages {
			if _, ok := cache.messages.Get(KeyOf(m)); ok {
				hits++
			}
		}
	}
	if hits == 0 {
		t.Fatal("nothing was cached")
	}
	for i, b := range bodies {
		sameKeys(t, files[i], b, cache)
	}
}

// TestKeyCacheLongSession grows a session turn by turn through a cache smaller than the
// session, so that generations turn over while it is read.
func TestKeyCacheLongSession(t *testing.T) {
	cache := newKeyCache(64)
	for n := 1; n <= 300; n += 7 {
		sameKeys(t, "long session", longSession(t, n), cache)
	}
	if got := len(cache.messages.cur) + len(cache.messages.old); got > 128 {
		t.Errorf("the cache holds %d messages, bound 128", got)
	}
}

// TestKeyCacheSameBytesOtherPlace: a message's reading depends only on its bytes, but what
// linking makes of it depends on where it is (a duplicate, the first user message, the last):
// the same messages in another order or another request read as without a cache.
func TestKeyCacheSameBytesOtherPlace(t *testing.T) {
	use := asMessage(toolUse("toolu_1", "Bash", map[string]any{"command": "ls"}))
	result := user(toolResult("toolu_1", "a b"))
	compact := user(toolResult("toolu_1", "a b"), compactPrompt)
	cache := newKeyCache(cacheGeneration)
	for i, body := range [][]byte{
		cc(t, user("fix it"), use, result),
		cc(t, user("fix it"), use, result, use, result), // the client's duplicates
		cc(t, result),
		cc(t, use),
		cc(t, user("fix it"), use, compact),
		cc(t, user("Warmup")),
		ccRequest{max: 512, noTools: true, system: []string{"Generate a concise, sentence-case title (3-7 words)."}}.body(t, user("fix it")),
		ccRequest{max: 512, noTools: true}.body(t, user("fix it")),
		[]byte(`{"max_tokens":1,"system":"You are naming a coding session","messages":[{"role":"system","content":"Tasked with summarizing conversations"},{"role":"user","content":"fix it"}]}`),
		[]byte(`{"max_tokens":1,"messages":[{"role":"system","content":"Tasked with summarizing conversations"},{"role":"user","content":"fix it"}]}`),
		[]byte(`{"max_tokens":1,"system":7,"messages":{"role":"user"}}`),
		[]byte(`{"max_tokens":1,"messages":[{"role":"user","content":"fix it"}`),
	} {
		sameKeys(t, string(rune('a'+i)), body, cache)
		sameKeys(t, string(rune('a'+i))+" again", body, cache)
	}
}

// TestSystemRulesSplit checks systemRules' contract: no phrase it looks for spans a "\n",
// and every rule has a bit.
func TestSystemRulesSplit(t *testing.T) {
	if len(kindRules) > 64 {
		t.Fatalf("%d kind rules do not fit a uint64 set", len(kindRules))
	}
	for i, k := range kindRules {
		if strings.Contains(k.phrase, "\n") || k.phrase != strings.ToLower(k.phrase) {
			t.Errorf("rule %d: phrase %q must be one lower-case line", i, k.phrase)
		}
		if k.where == inSystem && systemRules("Intro.\n"+strings.ToUpper(k.phrase)+"!")&(1<<i) == 0 {
			t.Errorf("rule %d: systemRules misses its phrase", i)
		}
	}
}

func TestGenerationsBound(t *testing.T) {
	g := Generations[int]{Size: 4}
	for i := range 10 {
		g.Put(RawKey{a: uint64(i)}, i)
	}
	if len(g.cur)+len(g.old) > 8 {
		t.Errorf("%d entries, bound 8", len(g.cur)+len(g.old))
	}
	if _, ok := g.Get(RawKey{a: 0}); ok {
		t.Error("the oldest entry outlived two generations")
	}
	if v, ok := g.Get(RawKey{a: 9}); !ok || v != 9 {
		t.Errorf("newest entry: %d %v", v, ok)
	}
	if v, ok := g.Get(RawKey{a: 5}); !ok || v != 5 {
		t.Errorf("old generation entry: %d %v", v, ok)
	}
	if _, ok := g.cur[RawKey{a: 5}]; !ok {
		t.Error("an entry read from the old generation did not move to the new one")
	}
}

// FuzzKeyCache warms a cache with one body and reads another through it: the reading is
// always the one without a cache.
func FuzzKeyCache(f *testing.F) {
	a := `{"model":"m","max_tokens":5,"system":[{"type":"text","text":"You are Claude Code"}],"messages":[{"role":"user","content":"fix it"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"c":"ls"}}]}]}`
	b := `{"model":"m","max_tokens":5,"system":[{"type":"text","text":"You are Claude Code"}],"messages":[{"role":"user","content":"fix it"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"c":"ls"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"c":"ls"}}]}]}`
	f.Add([]byte(a), []byte(b))
	f.Add([]byte(b), []byte(a))
	f.Add([]byte(a), []byte(`{"max_tokens":1,"messages":[{"role":"system","content":"x"},{"role":"user","content":"Your task is to create a detailed summary of"}]}`))
	f.Fuzz(func(t *testing.T, warm, body []byte) {
		cache := newKeyCache(16)
		readRequestKeys(warm, cache)
		sameKeys(t, "body", body, cache)
	})
}
