package fakeapi

import (
	"bytes"
	"encoding/json"
)

// messageFields are the request fields the fake reads from a POST /v1/messages body.
type messageFields struct {
	Model  string
	Stream bool
}

// scanMessage reads "model" and "stream" from the top level of a JSON object without
// decoding the rest: bodies run to megabytes and a benchmark sends thousands. It checks
// the object's structure (strings, nesting) but not the validity of every value; ok is
// false when the structure is broken.
func scanMessage(body []byte) (f messageFields, ok bool) {
	s := scanner{b: body}
	if !s.expect('{') {
		return f, false
	}
	if s.peek() == '}' {
		s.i++
		return f, s.end()
	}
	for {
		key, ok := s.str()
		if !ok || !s.expect(':') {
			return f, false
		}
		s.space()
		start := s.i
		if !s.value() {
			return f, false
		}
		raw := body[start:s.i]
		switch string(key) {
		case "model":
			if json.Unmarshal(raw, &f.Model) != nil {
				return f, false
			}
		case "stream":
			f.Stream = string(raw) == "true"
		}
		switch s.space(); s.peek() {
		case ',':
			s.i++
			s.space()
		case '}':
			s.i++
			return f, s.end()
		default:
			return f, false
		}
	}
}

// scanner walks JSON bytes; i is the next unread byte.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// expect skips space and then c.
func (s *scanner) expect(c byte) bool {
	s.space()
	if s.peek() != c {
		return false
	}
	s.i++
	return true
}

// end reports whether only space remains.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// str reads a string and returns its raw (still escaped) contents.
func (s *scanner) str() ([]byte, bool) {
	if !s.expect('"') {
		return nil, false
	}
	start := s.i
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			return nil, false
		}
		s.i += j + 1
		// The quote ends the string unless an odd number of backslashes precede it.
		n := 0
		for k := s.i - 2; k >= start && s.b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return s.b[start : s.i-1], true
		}
	}
}

// value skips one value: a string, an object or array (with everything inside), or a
// literal or number.
func (s *scanner) value() bool {
	switch s.peek() {
	case '"':
		_, ok := s.str()
		return ok
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, ok := s.str(); !ok {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return true
				}
			}
			s.i++
		}
		return false
	}
	start := s.i
	for s.i < len(s.b) && !endsLiteral(s.b[s.i]) {
		s.i++
	}
	return s.i > start
}

func endsLiteral(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
