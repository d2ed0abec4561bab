package conversation

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonReader is a strict pull parser over one JSON document. It accepts exactly what
// json.Valid accepts, decodes strings as encoding/json does (invalid UTF-8 and lone
// surrogates become U+FFFD), and builds only the values it is asked for. Linking reads a few
// fields of request bodies of hundreds of kilobytes; this costs a fraction of encoding/json.
//
// Methods read the value at the current position. The first syntax error moves the reader to
// the end, so that nothing more is read, and err says where it was.
type jsonReader struct {
	b     []byte
	i     int
	depth int
	err   error
	// Scratch stacks, shared by nested values.
	blocks  apiContent // content (wire.go)
	members []member   // canon
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

func (r *jsonReader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("invalid JSON at byte %d", r.i)
	}
	r.i = len(r.b)
}

// peek skips whitespace and returns the next byte, or 0 at the end (and after an error).
func (r *jsonReader) peek() byte {
	for r.i < len(r.b) {
		switch c := r.b[r.i]; c {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return c
		}
	}
	return 0
}

// end checks that nothing but whitespace follows the document.
func (r *jsonReader) end() {
	if r.peek(); r.i < len(r.b) {
		r.fail()
	}
}

// object reads an object, calling member with each key and the reader at its value; member
// must read or skip the value. Anything else is skipped, and object reports false.
func (r *jsonReader) object(member func(key []byte)) bool {
	if r.peek() != '{' {
		r.skip()
		return false
	}
	return r.container('}', func() {
		if r.peek() != '"' {
			r.fail()
			return
		}
		key := r.strBytes()
		if r.peek() != ':' {
			r.fail()
			return
		}
		r.i++
		member(key)
	})
}

// array reads an array, calling elem with the reader at each element; elem must read or skip
// it. Anything else is skipped, and array reports false.
func (r *jsonReader) array(elem func()) bool {
	if r.peek() != '[' {
		r.skip()
		return false
	}
	return r.container(']', elem)
}

// container reads the items of the object or array that starts at r.i, up to close.
func (r *jsonReader) container(close byte, item func()) bool {
	if r.depth++; r.depth > maxDepth {
		r.fail()
		return false
	}
	r.i++
	if r.peek() == close {
		r.i++
		r.depth--
		return true
	}
	for r.err == nil {
		item()
		switch r.peek() {
		case ',':
			r.i++
		case close:
			r.i++
			r.depth--
			return r.err == nil
		default:
			r.fail()
		}
	}
	return false
}

// skip moves past one value.
func (r *jsonReader) skip() {
	switch c := r.peek(); {
	case c == '{':
		r.object(func([]byte) { r.skip() })
	case c == '[':
		r.array(r.skip)
	case c == '"':
		r.strSpan()
	case c == 't':
		r.literal("true")
	case c == 'f':
		r.literal("false")
	case c == 'n':
		r.literal("null")
	default:
		r.number()
	}
}

func (r *jsonReader) literal(lit string) {
	if !bytes.HasPrefix(r.b[r.i:], []byte(lit)) {
		r.fail()
		return
	}
	r.i += len(lit)
}

// number moves past a number and returns its text.
func (r *jsonReader) number() []byte {
	b, start, j := r.b, r.i, r.i
	digits := func() bool {
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case !digits():
		r.fail()
		return nil
	}
	if j < len(b) && b[j] == '.' {
		j++
		if !digits() {
			r.fail()
			return nil
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if !digits() {
			r.fail()
			return nil
		}
	}
	r.i = j
	return b[start:j]
}

// plain marks the bytes a string can hold as they are: printable ASCII but '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// StringRun returns the index of the first byte at or after i that a JSON string cannot hold
// as it is ('"', '\\' or a byte below 0x20), or len(b), and whether a byte above 0x7f came
// before it. Both JSON readers (this package's and content's splitter) skip strings with it. It looks at eight bytes at a time (bit tricks from "Bit Twiddling Hacks": a
// byte's high bit is set where it is below 0x20, a quote or a backslash; bytes of 0x80 and up
// are left out by ^x; a borrow can wrongly flag a byte only above a rightly flagged one, so
// the lowest flag is right). Most of a request body is string text.
func StringRun(b []byte, i int) (end int, high bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var seen uint64
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := ((x - 0x20*ones) | ((x ^ '"'*ones) - ones) | ((x ^ '\\'*ones) - ones)) &^ x & highs; m != 0 {
			k := bits.TrailingZeros64(m) / 8
			seen |= x & highs & (1<<(8*k) - 1)
			return i + k, seen != 0
		}
		seen |= x & highs
	}
	for ; i < len(b) && (plain[b[i]] || b[i] >= utf8.RuneSelf); i++ {
		seen |= uint64(b[i] & 0x80)
	}
	return i, seen != 0
}

// index reads a non-negative integer; anything else reads as -1.
func (r *jsonReader) index() int {
	if c := r.peek(); c < '0' || c > '9' {
		r.skip()
		return -1
	}
	n, err := strconv.Atoi(string(r.number()))
	if err != nil {
		return -1
	}
	return n
}

// strRaw moves past a string and returns what is between its quotes, and whether that is
// already the decoded value (no escapes, valid UTF-8).
func (r *jsonReader) strRaw() (raw []byte, decoded bool) {
	raw, escaped, high := r.strSpan()
	return raw, r.err == nil && !escaped && (!high || utf8.Valid(raw))
}

// strSpan moves past a string, checking its escapes, and returns what is between its quotes,
// whether that holds an escape and whether it holds a byte above 0x7f.
func (r *jsonReader) strSpan() (raw []byte, escaped, high bool) {
	if r.peek() != '"' {
		r.fail()
		return nil, false, false
	}
	b, start := r.b, r.i+1
	for j := start; j < len(b); {
		var h bool
		if j, h = StringRun(b, j); h {
			high = true
		}
		if j == len(b) {
			break
		}
		switch c := b[j]; {
		case c == '"':
			r.i = j + 1
			return b[start:j], escaped, high
		case c == '\\':
			escaped = true
			if j+1 >= len(b) {
				r.fail()
				return nil, false, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if hex4(b[j+2:]) < 0 {
					r.fail()
					return nil, false, false
				}
				j += 6
			default:
				r.fail()
				return nil, false, false
			}
		default: // below 0x20
			r.i = j
			r.fail()
			return nil, false, false
		}
	}
	r.fail()
	return nil, false, false
}

// strBytes reads a string and returns its value. It may alias the input.
func (r *jsonReader) strBytes() []byte {
	raw, decoded := r.strRaw()
	if decoded {
		return raw
	}
	return []byte(unquote(raw))
}

// str reads a string value; a value of another type is skipped and reads as "".
func (r *jsonReader) str() string {
	if r.peek() != '"' {
		r.skip()
		return ""
	}
	raw, decoded := r.strRaw()
	if decoded {
		return string(raw)
	}
	return unquote(raw)
}

// unquote decodes the escapes of a string that strRaw validated, as encoding/json does.
func unquote(s []byte) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && plain[s[j]] {
			j++
		}
		b.Write(s[i:j])
		if i = j; i == len(s) {
			break
		}
		switch c := s[i]; {
		case c == '\\':
			switch s[i+1] {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				rr := rune(hex4(s[i+2:]))
				i += 6
				if utf16.IsSurrogate(rr) {
					var rr1 rune = -1
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						rr1 = rune(hex4(s[i+2:]))
					}
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						b.WriteRune(dec)
						i += 6
						continue
					}
					rr = unicode.ReplacementChar
				}
				b.WriteRune(rr)
				continue
			default: // '"', '\\', '/'
				b.WriteByte(s[i+1])
			}
			i += 2
		default: // not ASCII: invalid UTF-8 becomes U+FFFD
			rr, size := utf8.DecodeRune(s[i:])
			b.WriteRune(rr)
			i += size
		}
	}
	return b.String()
}

// hex4 is the value of four hex digits, or -1.
func hex4(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	n := 0
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		n = n<<4 | int(c)
	}
	return n
}

// canon reads any value and appends its canonical encoding (see normalize.go): object keys
// sorted bytewise, the last of duplicate keys winning as in encoding/json, numbers written
// from their float64 value.
func (r *jsonReader) canon(dst []byte) []byte {
	switch c := r.peek(); {
	case c == '{':
		// First note where each member's value is, then encode the values in key order.
		base := len(r.members)
		r.object(func(k []byte) {
			r.peek()
			r.members = append(r.members, member{k, r.i})
			r.skip()
		})
		if r.err != nil {
			return dst
		}
		ms := r.members[base:]
		slices.SortStableFunc(ms, func(a, b member) int { return bytes.Compare(a.key, b.key) })
		n := 0
		for i := range ms {
			if i+1 < len(ms) && bytes.Equal(ms[i+1].key, ms[i].key) {
				continue // a later duplicate wins
			}
			ms[n] = ms[i]
			n++
		}
		dst = append(dst, 'o')
		dst = appendUvarint(dst, n)
		end := r.i
		for _, m := range ms[:n] {
			dst = appendStr(dst, m.key)
			r.i = m.value
			dst = r.canon(dst)
		}
		r.i = end
		r.members = r.members[:base]
		return dst
	case c == '[':
		dst = append(dst, '[')
		r.array(func() { dst = r.canon(dst) })
		return append(dst, ']')
	case c == '"':
		return appendStr(append(dst, 's'), r.strBytes())
	case c == 't':
		r.literal("true")
		return append(dst, 't')
	case c == 'f':
		r.literal("false")
		return append(dst, 'f')
	case c == 'n':
		r.literal("null")
		return append(dst, 'z')
	default:
		f, _ := strconv.ParseFloat(string(r.number()), 64) // out of range: ±Inf
		var num [32]byte
		return appendStr(append(dst, 'n'), strconv.AppendFloat(num[:0], f, 'g', -1, 64))
	}
}

// member is an object member noted by canon: its key and where its value starts.
type member struct {
	key   []byte
	value int
}
