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
}

// ReadRequestKeys reads a /v1/messages request body. Malformed JSON, or JSON that is not an
// object, is an error; fields of unexpected types are read as absent.
func ReadRequestKeys(body []byte) (RequestKeys, error) {
	req, err := readRequest(body)
	if err != nil {
		return RequestKeys{}, fmt.Errorf("reading request keys: %w", err)
	}
	var k RequestKeys
	var (
		e           encoder
		seen        = newToolIDs(len(req.Messages))
		p           = chainStart
		prefix      = make([]Hash, 1, len(req.Messages)+1) // prefix[i] = p_i
		first, last *apiMessage
		sys         = systemTexts(req.System)
		sysMessages []string // role "system" messages: read by classification, not hashed
	)
	prefix[0] = p
	for i := range req.Messages {
		m := &req.Messages[i]
		switch m.Role {
		case "user", "assistant":
		case "system":
			sysMessages = append(sysMessages, userText(m))
			continue
		default:
			continue
		}
		if seen.duplicate(m.Content) {
			continue
		}
		p = chain(p, e.messageHash(m.Role, m.Content))
		prefix = append(prefix, p)
		if m.Role == "user" {
			k.UserMessages++
			if first == nil {
				first = m
			}
		}
		last = m
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
	k.System = systemHash(sys)

	shape := requestShape{
		system:   strings.ToLower(strings.Join(append(sys, sysMessages...), "\n")),
		only:     n == 1 && k.UserMessages == 1,
		tools:    req.Tools > 0,
		countTok: !req.MaxTokens,
	}
	if last != nil && last.Role == "user" {
		shape.lastUser = strings.ToLower(userText(last))
		for i := range last.Content {
			k.ToolLoop = k.ToolLoop || last.Content[i].Type == "tool_result"
		}
	}
	k.Kind = classify(shape)

	if first != nil {
		text := userText(first)
		if text != "" {
			k.FirstUser = promptHash(text)
		}
		k.Title = makeTitle(text)
		if k.Kind == KindTurn {
			k.Summary = summaryProbe(text)
		}
	}
	if k.Kind == KindCompaction && last != nil && last.Role == "user" {
		k.Base = baseHash(&e, last, back(1))
	}
	return k, nil
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
