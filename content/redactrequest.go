package content

import (
	"bytes"
	"slices"

	"nexus/conversation"
)

// Claude Code resends its whole conversation on every call, and redacting the body was a
// third of preparing it (BenchmarkPrepare). A piece that arrived before byte for byte and held
// no secret then holds none now: redactRequest reads only the pieces the piece cache does not
// know as clean, and the template text between the pieces.
//
// That is the same result as redacting the whole body when every pattern is local
// (locality.go): a secret kept by Redact lies inside one JSON string, and every string of a
// split body is inside one piece or one stretch of template, so each is read on its own and
// gives what it gave the last time. With a pattern that is not, Prepare redacts the whole body.

// pieceState is what redaction learned of one piece of a split request: its piece cache key,
// the cache's entry for it, and whether it is known to hold no secret.
type pieceState struct {
	key    conversation.RawKey
	entry  storedPiece // when cached
	cached bool
	clean  bool
}

// pieceStates holds a pieceState per piece of a Parts.
type pieceStates struct {
	system, tools pieceState
	messages      []pieceState
}

// each calls f with each piece of parts (system, tools, then the messages; nil ones left out)
// and its state in s.
func (s *pieceStates) each(parts Parts, f func(piece []byte, state *pieceState)) {
	if parts.System != nil {
		f(parts.System, &s.system)
	}
	if parts.Tools != nil {
		f(parts.Tools, &s.tools)
	}
	for i, m := range parts.Messages {
		f(m, &s.messages[i])
	}
}

// redactRequest redacts the request body raw, which Split cut into parts, with a local
// redactor (b.redactor.local), and returns it
// with the count of redactions, its parts (cut again when a secret was replaced) and the
// state of each piece; split is false in the case that should not happen, a redacted body
// that no longer cuts.
func (b *Bodies) redactRequest(raw []byte, parts Parts) (req []byte, n int, _ Parts, _ pieceStates, split bool) {
	type place struct {
		piece []byte
		state *pieceState
	}
	states := b.stateOf(parts)
	places := make([]place, 0, len(parts.Messages)+2)
	states.each(parts, func(piece []byte, state *pieceState) { places = append(places, place{piece, state}) })
	// The pieces alias raw (Split's contract), in body order but for system and tools,
	// which may come anywhere.
	slices.SortFunc(places, func(x, y place) int { return offsetIn(raw, x.piece) - offsetIn(raw, y.piece) })

	var spans []span
	var read []*pieceState // the piece read in each span, nil for template text
	template := func(start, end int) {
		// Text without a string (the commas between messages) cannot hold a secret.
		if bytes.IndexByte(raw[start:end], '"') >= 0 {
			spans = append(spans, span{start, end})
			read = append(read, nil)
		}
	}
	prev := 0
	for _, p := range places {
		start := offsetIn(raw, p.piece)
		template(prev, start)
		prev = start + len(p.piece)
		if p.state.cached && p.state.entry.clean {
			p.state.clean = true
			continue
		}
		spans = append(spans, span{start, prev})
		read = append(read, p.state)
	}
	template(prev, len(raw))

	out, counts := b.redactor.redactSpans(raw, spans)
	for i, c := range counts {
		n += c
		if read[i] != nil {
			read[i].clean = c == 0
		}
	}
	if n == 0 {
		return raw, 0, parts, states, true
	}
	// Redaction keeps the JSON's shape, so the redacted body cuts into as many pieces.
	again, ok := Split(out)
	if !ok || len(again.Messages) != len(parts.Messages) {
		return out, n, Parts{}, pieceStates{}, false
	}
	states.each(again, func(piece []byte, state *pieceState) { *state = b.restate(piece, *state) })
	return out, n, again, states, true
}

// stateOf is the state of each piece of parts before redaction: its key and cache entry.
func (b *Bodies) stateOf(parts Parts) pieceStates {
	states := pieceStates{messages: make([]pieceState, len(parts.Messages))}
	all := make([]*pieceState, 0, len(parts.Messages)+2)
	states.each(parts, func(piece []byte, state *pieceState) {
		state.key = conversation.KeyOf(piece)
		all = append(all, state)
	})
	b.pieces.lookUp(all)
	return states
}

// restate is the state of a piece after redaction: unchanged when it was clean, else that
// of its new bytes.
func (b *Bodies) restate(piece []byte, before pieceState) pieceState {
	if before.clean {
		return before
	}
	s := pieceState{key: conversation.KeyOf(piece)}
	s.entry, s.cached = b.pieces.get(s.key)
	return s
}

// messageKeys are the keys of the messages, in order.
func (s pieceStates) messageKeys() []conversation.RawKey {
	keys := make([]conversation.RawKey, len(s.messages))
	for i, m := range s.messages {
		keys[i] = m.key
	}
	return keys
}

// offsetIn is where piece starts in body, of which it is a slice body[i:j].
func offsetIn(body, piece []byte) int {
	return cap(body) - cap(piece)
}
