package content

import "nexus/conversation"

// scanner walks JSON text without building values, checking it as encoding/json would
// (json.Valid): strings, escapes, numbers and literals by the grammar, nesting at most
// maxDepth deep. Like json.Valid it does not check UTF-8.
type scanner struct {
	b     []byte
	i     int // next byte to read
	depth int // containers open around i
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// eat moves past c if it is the next byte.
func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) peek(c byte) bool { return s.i < len(s.b) && s.b[s.i] == c }

// value moves past one value (no whitespace around it), reporting whether it is valid.
func (s *scanner) value() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '{':
		return s.object()
	case c == '[':
		return s.array()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

// open moves past the '{' or '[' at i, counting the depth.
func (s *scanner) open() bool {
	s.depth++
	s.i++
	return s.depth <= maxDepth
}

func (s *scanner) object() bool {
	if !s.open() {
		return false
	}
	s.ws()
	if s.eat('}') {
		s.depth--
		return true
	}
	for {
		s.ws()
		if !s.peek('"') || !s.str() {
			return false
		}
		s.ws()
		if !s.eat(':') {
			return false
		}
		s.ws()
		if !s.value() {
			return false
		}
		s.ws()
		if s.eat('}') {
			s.depth--
			return true
		}
		if !s.eat(',') {
			return false
		}
	}
}

func (s *scanner) array() bool {
	if !s.open() {
		return false
	}
	s.ws()
	if s.eat(']') {
		s.depth--
		return true
	}
	for {
		s.ws()
		if !s.value() {
			return false
		}
		s.ws()
		if s.eat(']') {
			s.depth--
			return true
		}
		if !s.eat(',') {
			return false
		}
	}
}

// str moves past the string whose opening quote is at i.
func (s *scanner) str() bool {
	b, i := s.b, s.i+1
	for {
		i, _ = conversation.StringRun(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case '"':
			s.i = i + 1
			return true
		case '\\':
			if i+1 >= len(b) {
				return false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return false
				}
				i += 6
			default:
				return false
			}
		default: // a control character
			return false
		}
	}
}

func (s *scanner) number() bool {
	b, i := s.b, s.i
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return false
		}
		i = j
	}
	s.i = i
	return true
}

func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// digits returns the index of the first non-digit at or after i.
func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
