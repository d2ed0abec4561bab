package content

import (
	"bytes"

	"nexus/conversation"
)

// Parts is a Messages API request body cut into the pieces that repeat from one request to
// the next (the system prompt, the tool list, each message) and a template holding the rest.
// Rebuild gives back the body byte for byte.
//
// Every field is exported and survives encoding/json, so a caller can keep the pieces as
// blobs and the rest (Template and the positions) as a small record.
type Parts struct {
	// Template is the body without the values of "system" and "tools" and without the
	// elements of "messages" (from the first element's start to the last one's end; the
	// brackets and the whitespace inside them stay).
	Template []byte `json:"template"`
	// System and Tools are the raw JSON values of "system" and "tools"; nil when absent.
	System []byte `json:"system,omitempty"`
	Tools  []byte `json:"tools,omitempty"`
	// Messages are the raw JSON elements of "messages", in order; empty for [].
	Messages [][]byte `json:"messages"`

	// SystemAt, ToolsAt and MessagesAt are the offsets in Template where System, Tools and
	// the messages go. SystemAt and ToolsAt mean nothing when System or Tools is nil.
	SystemAt   int `json:"system_at"`
	ToolsAt    int `json:"tools_at"`
	MessagesAt int `json:"messages_at"`
	// Sep is what goes between two messages ("," or ",\n    "…) when it is the same
	// everywhere. Otherwise Seps holds each one, len(Messages)-1 of them, and Sep is empty.
	Sep  string   `json:"sep,omitempty"`
	Seps []string `json:"seps,omitempty"`

	// For linking, not kept: whether the body has a "max_tokens" member, and whether a
	// top-level key is written with an escape (and may then be one of the keys cut).
	maxTokens, escapedKey bool
}

// linking returns the parts as conversation.ReadRequestKeysFromParts takes them, and false
// when its contract does not hold (an escaped key may be a second "messages").
func (p Parts) linking() (conversation.RequestParts, bool) {
	return conversation.RequestParts{System: p.System, Messages: p.Messages, Tools: p.Tools, MaxTokens: p.maxTokens},
		!p.escapedKey
}

// Split cuts a Messages API request body into Parts. It reports false, and the caller keeps
// the body whole, unless the body is valid JSON (as json.Valid has it) whose top level is an
// object with a "messages" array and at most one "system" and one "tools" member. Keys are
// compared byte for byte: an escaped or differently cased key is left in the template.
//
// The pieces in Parts alias body; Template is new.
func Split(body []byte) (Parts, bool) {
	var (
		p    Parts
		cuts [3]cut
		n    int  // cuts used
		seen byte // which keys were cut, to refuse duplicates
	)
	s := scanner{b: body}
	s.ws()
	if !s.peek('{') || !s.open() {
		return Parts{}, false
	}
	s.ws()
	if !s.eat('}') {
		for {
			s.ws()
			k := s.i
			if !s.peek('"') || !s.str() {
				return Parts{}, false
			}
			key := body[k+1 : s.i-1]
			switch {
			case bytes.IndexByte(key, '\\') >= 0:
				p.escapedKey = true
			case string(key) == "max_tokens":
				p.maxTokens = true
			}
			s.ws()
			if !s.eat(':') {
				return Parts{}, false
			}
			s.ws()
			v := s.i
			var c cut
			switch string(key) {
			case "messages":
				msgs, seps, start, end, ok := s.messages()
				if !ok {
					return Parts{}, false
				}
				p.Messages = msgs
				p.Sep, p.Seps = separators(seps)
				c = cut{cutMessages, start, end}
			case "system":
				c = cut{cutSystem, v, 0}
			case "tools":
				c = cut{cutTools, v, 0}
			}
			if c.which != cutMessages {
				if !s.value() {
					return Parts{}, false
				}
				c.end = s.i
			}
			if c.which != 0 {
				if seen&c.which != 0 {
					return Parts{}, false
				}
				seen |= c.which
				cuts[n] = c
				n++
			}
			s.ws()
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return Parts{}, false
			}
		}
	}
	s.ws()
	if s.i != len(body) || seen&cutMessages == 0 {
		return Parts{}, false
	}

	size := len(body)
	for _, c := range cuts[:n] {
		size -= c.end - c.start
	}
	p.Template = make([]byte, 0, size)
	prev := 0
	for _, c := range cuts[:n] {
		p.Template = append(p.Template, body[prev:c.start]...)
		at := len(p.Template)
		switch c.which {
		case cutSystem:
			p.System, p.SystemAt = body[c.start:c.end], at
		case cutTools:
			p.Tools, p.ToolsAt = body[c.start:c.end], at
		case cutMessages:
			p.MessagesAt = at
		}
		prev = c.end
	}
	p.Template = append(p.Template, body[prev:]...)
	return p, true
}

// A cut is a span of the body that is not in the template.
type cut struct {
	which      byte
	start, end int
}

const (
	cutSystem byte = 1 << iota
	cutTools
	cutMessages
)

// messages moves past the array at i. It returns its elements and the separators between
// them, all aliasing the body, and the span from the first element's start to the last one's
// end (empty, before the ']', for []).
func (s *scanner) messages() (elems, seps [][]byte, start, end int, ok bool) {
	if !s.peek('[') || !s.open() {
		return nil, nil, 0, 0, false
	}
	elems = [][]byte{}
	s.ws()
	start = s.i
	if s.eat(']') {
		s.depth--
		return elems, nil, start, start, true
	}
	for {
		v := s.i
		if !s.value() {
			return nil, nil, 0, 0, false
		}
		elems = append(elems, s.b[v:s.i])
		end = s.i
		s.ws()
		if s.eat(']') {
			s.depth--
			return elems, seps, start, end, true
		}
		if !s.eat(',') {
			return nil, nil, 0, 0, false
		}
		s.ws()
		seps = append(seps, s.b[end:s.i])
	}
}

// separators returns the one separator all seps share, or each of them.
func separators(seps [][]byte) (string, []string) {
	if len(seps) == 0 {
		return "", nil
	}
	same := true
	for _, sep := range seps[1:] {
		if !bytes.Equal(sep, seps[0]) {
			same = false
			break
		}
	}
	if same {
		return string(seps[0]), nil
	}
	all := make([]string, len(seps))
	for i, sep := range seps {
		all[i] = string(sep)
	}
	return "", all
}

// Rebuild returns the body p was split from. It returns nil when p is inconsistent
// (positions outside Template or out of order, Seps of the wrong length), as Parts read
// back from a damaged store may be.
func Rebuild(p Parts) []byte {
	type slot struct {
		at    int
		which byte
	}
	slots := make([]slot, 0, 3)
	size := len(p.Template)
	if p.System != nil {
		slots = append(slots, slot{p.SystemAt, cutSystem})
		size += len(p.System)
	}
	if p.Tools != nil {
		slots = append(slots, slot{p.ToolsAt, cutTools})
		size += len(p.Tools)
	}
	slots = append(slots, slot{p.MessagesAt, cutMessages})
	for _, m := range p.Messages {
		size += len(m)
	}
	switch {
	case len(p.Messages) < 2 && p.Seps == nil:
	case p.Seps == nil:
		size += (len(p.Messages) - 1) * len(p.Sep)
	case len(p.Seps) == len(p.Messages)-1 && p.Sep == "":
		for _, sep := range p.Seps {
			size += len(sep)
		}
	default:
		return nil
	}
	// Put the (at most three) slots in template order.
	for i := 1; i < len(slots); i++ {
		for j := i; j > 0 && slots[j].at < slots[j-1].at; j-- {
			slots[j], slots[j-1] = slots[j-1], slots[j]
		}
	}
	for i, sl := range slots {
		if sl.at < 0 || sl.at > len(p.Template) || i > 0 && sl.at == slots[i-1].at {
			return nil
		}
	}

	out := make([]byte, 0, size)
	prev := 0
	for _, sl := range slots {
		out = append(out, p.Template[prev:sl.at]...)
		prev = sl.at
		switch sl.which {
		case cutSystem:
			out = append(out, p.System...)
		case cutTools:
			out = append(out, p.Tools...)
		case cutMessages:
			for i, m := range p.Messages {
				if i > 0 {
					if p.Seps != nil {
						out = append(out, p.Seps[i-1]...)
					} else {
						out = append(out, p.Sep...)
					}
				}
				out = append(out, m...)
			}
		}
	}
	return append(out, p.Template[prev:]...)
}
