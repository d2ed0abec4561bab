package conversation

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// ScanRequestMeta returns what ReadRequestMeta returns for a valid JSON body, without decoding
// the whole body: it walks the top-level object, decodes only model, stream and metadata, and
// skips every other value (the messages, the system prompt, the tools) at memchr speed. It
// falls back to ReadRequestMeta on anything unusual (escaped keys, a non-string model).
// For invalid JSON the result is unspecified but never a panic.
func ScanRequestMeta(body []byte) RequestMeta {
	s := jsonScanner{b: body}
	var m RequestMeta
	if !s.consume('{') {
		return ReadRequestMeta(body)
	}
	if s.consume('}') {
		return m
	}
	for {
		key, ok := s.plainString()
		if !ok || !s.consume(':') {
			return ReadRequestMeta(body)
		}
		s.ws()
		// Keys match as encoding/json matches them: case-insensitively, the last one winning.
		switch {
		case strings.EqualFold(key, "model"):
			v, ok := s.plainString()
			if !ok {
				return ReadRequestMeta(body)
			}
			m.Model = v
		case strings.EqualFold(key, "stream"):
			switch {
			case bytes.HasPrefix(s.b[s.i:], []byte("true")):
				m.Stream, s.i = true, s.i+4
			case bytes.HasPrefix(s.b[s.i:], []byte("false")):
				m.Stream, s.i = false, s.i+5
			default:
				return ReadRequestMeta(body)
			}
		case strings.EqualFold(key, "metadata"):
			start := s.i
			if !s.skipValue() {
				return ReadRequestMeta(body)
			}
			if v := s.b[start:s.i]; v[0] != '{' && !bytes.Equal(v, []byte("null")) {
				return ReadRequestMeta(body) // a type error: encoding/json rejects the whole body
			}
			m.SessionID = ReadRequestMeta(append(append([]byte(`{"metadata":`), s.b[start:s.i]...), '}')).SessionID
		default:
			if !s.skipValue() {
				return ReadRequestMeta(body)
			}
		}
		if s.consume(',') {
			continue
		}
		if s.consume('}') {
			return m
		}
		return ReadRequestMeta(body)
	}
}

// jsonScanner walks JSON text without building values.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// consume skips whitespace and then c, reporting whether c was there.
func (s *jsonScanner) consume(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// plainString reads a string with no escapes and valid UTF-8; ok is false for anything else.
func (s *jsonScanner) plainString() (string, bool) {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", false
	}
	end := bytes.IndexByte(s.b[s.i+1:], '"')
	if end < 0 {
		return "", false
	}
	v := s.b[s.i+1 : s.i+1+end]
	if bytes.IndexByte(v, '\\') >= 0 || !utf8.Valid(v) { // encoding/json would rewrite either
		return "", false
	}
	s.i += end + 2
	return string(v), true
}

// skipString moves past the string starting at s.i (which is '"').
func (s *jsonScanner) skipString() bool {
	j := s.i + 1
	for {
		k := bytes.IndexByte(s.b[j:], '"')
		if k < 0 {
			return false
		}
		j += k
		// The quote is escaped when an odd number of backslashes precede it.
		n := 0
		for p := j - 1; p > s.i && s.b[p] == '\\'; p-- {
			n++
		}
		j++
		if n%2 == 0 {
			s.i = j
			return true
		}
	}
}

// skipValue moves past one value of any kind.
func (s *jsonScanner) skipValue() bool {
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"':
		return s.skipString()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if !s.skipString() {
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
	default: // number, true, false, null
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return s.i > start
			}
			s.i++
		}
		return s.i > start
	}
}
