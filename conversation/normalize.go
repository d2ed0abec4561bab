package conversation

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
)

// Normalisation turns a message into a canonical byte string whose hash is the same however a
// client re-serialises the same content (spec §1). The encoding, defined here and nowhere
// else, is:
//
//	message = role item*                     role: 'u' user, 'a' assistant
//	item    = 'T' str                        text (reminders stripped, CRLF→LF, trimmed; empty dropped)
//	        | 'U' str(id) str(name) value    tool_use and its input (absent: null; not JSON: a string)
//	        | 'R' str(tool_use_id) item* 'E' tool_result and its content
//	        | 'I' str(media_type) hash       image: the hash of its source
//	        | 'D' str(media_type) hash       document: the hash of its source
//	        | 'X' str(type) str(id) str(name) str(tool_use_id) str(text) value item* 'E'  any other block
//	value   = 'o' n (str value)*             object: n members, keys sorted bytewise
//	        | '[' value* ']'                 array
//	        | 's' str | 'n' str | 't' | 'f' | 'z'   string, number, true, false, null
//	str     = n byte*                        n: unsigned varint length or count
//
// Objects keep the last of duplicate keys. Numbers are written as strconv.FormatFloat(f, 'g',
// -1, 64) of their float64 value. thinking and redacted_thinking blocks, cache_control and
// every field not named above are ignored.

const (
	reminderOpen  = "<system-reminder>"
	reminderClose = "</system-reminder>"
)

// normText is a text block as linking sees it: every <system-reminder>…</system-reminder>
// span removed (with the whitespace after it), CRLF turned into LF, and trimmed.
func normText(s string) string {
	if strings.Contains(s, "\r\n") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	if strings.Contains(s, reminderOpen) {
		s = stripReminders(s)
	}
	return strings.TrimSpace(s)
}

func stripReminders(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, reminderOpen)
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], reminderClose)
		if j < 0 {
			break // an unterminated reminder is ordinary text
		}
		b.WriteString(s[:i])
		s = strings.TrimLeft(s[i+j+len(reminderClose):], " \t\r\n")
	}
	b.WriteString(s)
	return b.String()
}

// promptHash is the hash of one text as FirstUser and AgentPrompts compare it.
func promptHash(s string) Hash { return sha256.Sum256([]byte(normText(s))) }

// userText joins the normalised top-level text blocks of a message with "\n".
func userText(m *apiMessage) string {
	var parts []string
	for i := range m.Content {
		if b := &m.Content[i]; b.Type == "text" {
			if t := normText(b.Text); t != "" {
				parts = append(parts, t)
			}
		}
	}
	return strings.Join(parts, "\n")
}

// encoder writes the canonical encoding. Its buffer is reused from message to message.
type encoder struct {
	buf []byte
	r   jsonReader // reads tool inputs
}

// messageHash returns H(norm(m)).
func (e *encoder) messageHash(role string, content apiContent) Hash {
	e.buf = e.buf[:0]
	if role == "assistant" {
		e.buf = append(e.buf, 'a')
	} else {
		e.buf = append(e.buf, 'u')
	}
	e.blocks(content)
	return sha256.Sum256(e.buf)
}

func (e *encoder) blocks(c apiContent) {
	for i := range c {
		e.block(&c[i])
	}
}

func (e *encoder) block(b *apiBlock) {
	switch b.Type {
	case "text":
		if t := normText(b.Text); t != "" {
			e.buf = append(e.buf, 'T')
			e.str(t)
		}
	case "thinking", "redacted_thinking":
	case "tool_use":
		e.buf = append(e.buf, 'U')
		e.str(b.ID)
		e.str(b.Name)
		e.value(b.Input)
	case "tool_result":
		e.buf = append(e.buf, 'R')
		e.str(b.ToolUseID)
		e.blocks(b.Content)
		e.buf = append(e.buf, 'E')
	case "image", "document":
		tag := byte('I')
		if b.Type == "document" {
			tag = 'D'
		}
		e.buf = append(e.buf, tag)
		e.source(b.Source)
	default:
		e.buf = append(e.buf, 'X')
		e.str(b.Type)
		e.str(b.ID)
		e.str(b.Name)
		e.str(b.ToolUseID)
		e.str(normText(b.Text))
		e.value(b.Input)
		e.blocks(b.Content)
		e.buf = append(e.buf, 'E')
	}
}

// source writes the media type and the hash of the source's data (so a large image costs 32
// bytes in the message encoding).
func (e *encoder) source(s *apiSource) {
	if s == nil {
		s = &apiSource{}
	}
	e.str(s.MediaType)
	start := len(e.buf)
	e.str(s.Type)
	e.str(s.Data)
	e.str(s.URL)
	e.str(s.FileID)
	e.blocks(s.Content)
	sum := sha256.Sum256(e.buf[start:])
	e.buf = append(e.buf[:start], sum[:]...)
}

func (e *encoder) str(s string) { e.buf = appendStr(e.buf, s) }

// value writes the canonical form of a JSON value (jsonReader.canon). An absent value is
// null; text that is not JSON (the input of a cut stream) is written as a string.
func (e *encoder) value(v []byte) {
	if len(v) == 0 {
		e.buf = append(e.buf, 'z')
		return
	}
	start := len(e.buf)
	e.r = jsonReader{b: v, members: e.r.members[:0]}
	e.buf = e.r.canon(e.buf)
	if e.r.end(); e.r.err != nil {
		e.buf = appendStr(append(e.buf[:start], 's'), v)
	}
}

// appendStr appends str: the length as an unsigned varint, then the bytes.
func appendStr[T string | []byte](dst []byte, s T) []byte {
	dst = appendUvarint(dst, len(s))
	return append(dst, s...)
}

func appendUvarint(dst []byte, n int) []byte { return binary.AppendUvarint(dst, uint64(n)) }

// toolIDs is the tool_use and tool_result ids seen so far; duplicate reports whether a
// message's ids (messageInfo) are all among them, and adds them. A message whose tool blocks
// were all seen before is a client's duplicate (spec §1) and is dropped.
type toolIDs struct {
	uses, results map[string]struct{}
}

func newToolIDs(messages int) toolIDs {
	return toolIDs{make(map[string]struct{}, messages/2), make(map[string]struct{}, messages/2)}
}

func (t *toolIDs) duplicate(uses, results []string) bool {
	fresh := 0
	for _, ids := range [2]struct {
		set map[string]struct{}
		ids []string
	}{{t.uses, uses}, {t.results, results}} {
		for _, id := range ids.ids {
			if _, ok := ids.set[id]; !ok {
				fresh++
				ids.set[id] = struct{}{}
			}
		}
	}
	return len(uses)+len(results) > 0 && fresh == 0
}
