package conversation

import (
	"errors"
	"fmt"
	"strings"
)

var errNotObject = errors.New("not a JSON object")

// RequestKeys is what linking needs from a Messages API request body alone.
type RequestKeys struct {
	// Kind is KindTurn, KindCompaction (the summarisation request) or KindAuxiliary;
	// KindSubagent is decided by Link.
	Kind string
	// Messages is the normalised message count n: role "system" messages and a client's
	// duplicated tool messages are not counted.
	Messages int
	// UserMessages counts the normalised user messages (a sub-agent root has one).
	UserMessages int
	// Current is p_n. Prev1, Prev2 and Prev4 are p_{n-1}, p_{n-2} and p_{n-4}, zero when n is
	// too small: p_0 = H("") is never a link key.
	Current, Prev1, Prev2, Prev4 Hash
	// Base is set for a compaction request whose summary instruction was appended inside the
	// last user message: p_n of the same messages without the instruction, the Current of the
	// turn that would have been sent instead. Zero otherwise.
	Base Hash
	// ToolLoop is true when the last message is the user's and carries tool results.
	ToolLoop bool
	// System is the normalised system prompt hash (a tie-breaker only); zero when none.
	System Hash
	// FirstUser is the hash of the first user message's text (reminders stripped, trimmed),
	// compared with the prompts of Agent/Task calls; zero when that message has no text.
	FirstUser Hash
	// Title is the first user text on one line, at most TitleLength runes and "…".
	Title string
	// Summary is set when the request continues after a compaction (its first user message
	// carries a summary): a probe of up to ProbeLength bytes of the summary body, whitespace
	// collapsed, to look for in earlier compaction answers. "" otherwise, and for summaries
	// under MinSummary bytes.
	Summary string
	// AfterCompaction is true when Summary is set: the request starts over after a
	// compaction. Unlike Summary it holds no content, so it is kept when bodies are not stored.
	AfterCompaction bool
}

// ReadRequestKeys reads a /v1/messages request body. Malformed JSON, or JSON that is not an
// object, is an error; fields of unexpected types are read as absent. Messages and system
// prompts read before are not read again (keycache.go).
func ReadRequestKeys(body []byte) (RequestKeys, error) { return readRequestKeys(body, sharedKeys) }

// readRequestKeys is ReadRequestKeys with the given cache; nil reads everything.
func readRequestKeys(body []byte, cache *keyCache) (RequestKeys, error) {
	req, err := scanRequest(body)
	if err != nil {
		return RequestKeys{}, fmt.Errorf("reading request keys: %w", err)
	}
	return keysOfParts(req, cache), nil
}

// keysOfParts reads the keys of a request that scanRequest (or a reader as strict) accepted.
func keysOfParts(req requestParts, cache *keyCache) RequestKeys {
	var (
		k           RequestKeys
		e           encoder
		infos       = cache.readMessages(&e, req.messages, req.keys)
		seen        = newToolIDs(len(infos))
		p           = chainStart
		prefix      = make([]Hash, 1, len(infos)+1) // prefix[i] = p_i
		first, last = -1, -1                        // indexes into req.messages
		sys         = cache.readSystem(req.system)
		sysRules    = sys.rules // of the prompt and of role "system" messages
	)
	message := func(i int) apiMessage { return readMessage(req.messages[i]) }
	prefix[0] = p
	for i := range infos {
		m := &infos[i]
		switch m.role {
		case "user", "assistant":
		case "system":
			// Role "system" messages are read by classification, not hashed.
			sm := message(i)
			sysRules |= systemRules(userText(&sm))
			continue
		default:
			continue
		}
		if seen.duplicate(m.uses, m.results) {
			continue
		}
		p = chain(p, m.hash)
		prefix = append(prefix, p)
		if m.role == "user" {
			k.UserMessages++
			if first < 0 {
				first = i
			}
		}
		last = i
	}
	n := len(prefix) - 1
	k.Messages, k.Current = n, p
	back := func(d int) Hash {
		if n-d < 1 {
			return Hash{}
		}
		return prefix[n-d]
	}
	k.Prev1, k.Prev2, k.Prev4 = back(1), back(2), back(4)
	k.System = sys.hash

	shape := requestShape{
		system:   sysRules,
		only:     n == 1 && k.UserMessages == 1,
		tools:    req.tools,
		countTok: !req.maxTokens,
	}
	var lastUser *apiMessage
	if last >= 0 && infos[last].role == "user" {
		lm := message(last)
		lastUser = &lm
		shape.lastUser = strings.ToLower(userText(lastUser))
		k.ToolLoop = len(infos[last].results) > 0
	}
	k.Kind = classify(shape)

	if first >= 0 {
		fm := lastUser // decoded above when the first user message is also the last message
		if first != last {
			m := message(first)
			fm = &m
		}
		text := userText(fm)
		if text != "" {
			k.FirstUser = promptHash(text)
		}
		k.Title = makeTitle(text)
		if k.Kind == KindTurn {
			k.Summary = summaryProbe(text)
			k.AfterCompaction = k.Summary != ""
		}
	}
	if k.Kind == KindCompaction && lastUser != nil {
		k.Base = baseHash(&e, lastUser, back(1))
	}
	return k
}

// baseHash returns p_n for the messages with the summary instruction removed from the last
// user message, or the zero Hash when the instruction is a message of its own.
func baseHash(e *encoder, last *apiMessage, prev Hash) Hash {
	if prev.IsZero() {
		prev = chainStart
	}
	for i := range last.Content {
		b := &last.Content[i]
		if b.Type != "text" || !strings.Contains(strings.ToLower(b.Text), compactInstruction) {
			continue
		}
		rest := append(append(apiContent{}, last.Content[:i]...), last.Content[i+1:]...)
		without := e.messageHash(last.Role, rest)
		if without == e.messageHash(last.Role, nil) {
			return Hash{} // nothing else in the message
		}
		return chain(prev, without)
	}
	return Hash{}
}
