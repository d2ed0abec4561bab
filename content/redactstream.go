package content

import (
	"bytes"
	"encoding/json"
	"slices"

	"nexus/conversation"
)

// RedactStream is Redact for an answer streamed as server-sent events. Redact sees each
// event by itself, and a secret the model streamed across several deltas (a key it repeats,
// a tool call's command line) is whole in none of them: here the deltas of each content
// block are joined, the secrets found in the joined text, and each delta holding part of one
// is rewritten — the first part replaced by "[REDACTED:<kind>]", the others by nothing — so
// that the answer, joined again, reads as Redact leaves a whole one. The rest of the stream
// (the other events) gets Redact's search. Events that hold no part of a secret keep their
// bytes. A body that is not an event stream gets Redact.
func (r *Redactor) RedactStream(b []byte) (out []byte, count int) {
	if !isEventStream(b) {
		return r.Redact(b)
	}
	deltas := streamDeltas(b)
	var edits []deltaEdit
	var joined []byte
	var pieces []*streamDelta
	done := map[int]bool{}
	for i := range deltas {
		block := deltas[i].index
		if done[block] {
			continue
		}
		done[block] = true
		joined, pieces = joined[:0], pieces[:0]
		for j := i; j < len(deltas); j++ {
			if d := &deltas[j]; d.index == block {
				joined = append(joined, d.value...)
				pieces = append(pieces, d)
			}
		}
		for _, m := range r.find(joined) {
			edits = append(edits, cutSecret(pieces, m)...)
			count++
		}
	}
	// Between the delta events: the other events, whole.
	var found []match
	prev := 0
	for _, d := range deltas {
		if seg := b[prev:d.data[0]]; !isDeltaEventLine(seg) {
			for _, m := range r.find(seg) {
				m.start, m.end = prev+m.start, prev+m.end
				found = append(found, m)
				count++
			}
		}
		prev = d.data[1]
	}
	for _, m := range r.find(b[prev:]) {
		m.start, m.end = prev+m.start, prev+m.end
		found = append(found, m)
		count++
	}
	if count == 0 {
		return b, 0
	}
	found = append(found, deltaReplacements(edits)...)
	slices.SortFunc(found, func(x, y match) int { return x.start - y.start })
	return replaceMatches(b, found), count
}

// isDeltaEventLine reports whether seg, the text between two delta events' JSON, is only
// the end of one and the "event:" line of the next: nothing there to redact.
func isDeltaEventLine(seg []byte) bool {
	seg = bytes.TrimSpace(seg)
	seg, _ = bytes.CutSuffix(seg, []byte("data:"))
	seg = bytes.TrimSpace(seg)
	return len(seg) == 0 || bytes.Equal(seg, []byte("event: content_block_delta"))
}

// isEventStream reports whether b starts as a server-sent event stream.
func isEventStream(b []byte) bool {
	return bytes.HasPrefix(b, []byte("event:")) || bytes.HasPrefix(b, []byte("data:"))
}

// streamDelta is one delta event's text: the value of its text, partial_json or thinking
// field, and where the event's JSON is in the stream.
type streamDelta struct {
	data       [2]int // the byte range of the event's JSON ("data: " line)
	index      int    // the content block's
	typ, field string // the delta's type, and the name of its text field
	value      []byte
	start, end int // the value's range in its block's joined text
}

// contentDelta is a content_block_delta event, its fields in the order the API sends them.
type contentDelta struct {
	Type  string `json:"type"`
	Index int    `json:"index"`
	Delta struct {
		Type        string  `json:"type"`
		Text        *string `json:"text,omitempty"`
		PartialJSON *string `json:"partial_json,omitempty"`
		Thinking    *string `json:"thinking,omitempty"`
	} `json:"delta"`
}

// text returns the delta's text field: its name and value; "" when it has none.
func (e *contentDelta) text() (field, value string) {
	switch {
	case e.Delta.Text != nil:
		return "text", *e.Delta.Text
	case e.Delta.PartialJSON != nil:
		return "partial_json", *e.Delta.PartialJSON
	case e.Delta.Thinking != nil:
		return "thinking", *e.Delta.Thinking
	}
	return "", ""
}

// setText sets the delta's text field named field to value.
func (e *contentDelta) setText(field, value string) {
	switch field {
	case "text":
		e.Delta.Text = &value
	case "partial_json":
		e.Delta.PartialJSON = &value
	case "thinking":
		e.Delta.Thinking = &value
	}
}

// streamDeltas returns the text deltas of stream b in order, each with its place in its
// content block's joined text.
func streamDeltas(b []byte) []streamDelta {
	deltas := make([]streamDelta, 0, bytes.Count(b, []byte("content_block_delta"))/2+1)
	ends := map[int]int{} // each block's joined length so far
	for off := 0; off < len(b); {
		end := bytes.IndexByte(b[off:], '\n')
		if end < 0 {
			end = len(b)
		} else {
			end += off
		}
		line := b[off:end]
		start := off
		off = end + 1
		data, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue
		}
		data = bytes.TrimRight(data, "\r")
		lead := len(line) - len(bytes.TrimLeft(line[len("data:"):], " ")) // "data:" and its spaces
		d, ok := readDelta(bytes.TrimSpace(data))
		if !ok {
			if !bytes.Contains(data, []byte(`"content_block_delta"`)) {
				continue
			}
			var e contentDelta
			if json.Unmarshal(data, &e) != nil || e.Type != "content_block_delta" {
				continue
			}
			field, value := e.text()
			d = streamDelta{index: e.Index, typ: e.Delta.Type, field: field, value: []byte(value)}
		}
		if d.field == "" {
			continue
		}
		d.start = ends[d.index]
		d.end = d.start + len(d.value)
		ends[d.index] = d.end
		d.data = [2]int{start + lead, start + lead + len(bytes.TrimSpace(data))}
		deltas = append(deltas, d)
	}
	return deltas
}

// deltaEdit replaces bytes [from, to) of one delta's value with repl.
type deltaEdit struct {
	piece    *streamDelta
	from, to int
	repl     []byte
}

// cutSecret turns secret m, in the joined text of pieces, into edits of the pieces it spans.
func cutSecret(pieces []*streamDelta, m match) []deltaEdit {
	var edits []deltaEdit
	first := true
	for _, p := range pieces {
		from, to := max(m.start, p.start), min(m.end, p.end)
		if from >= to {
			continue
		}
		e := deltaEdit{piece: p, from: from - p.start, to: to - p.start}
		if first {
			e.repl, first = m.repl, false
		}
		edits = append(edits, e)
	}
	return edits
}

// deltaReplacements turns edits into new JSON for the delta events they touch: each a match
// whose replacement is the whole event's JSON.
func deltaReplacements(edits []deltaEdit) []match {
	// Each piece's edits, applied from its end so the earlier offsets hold.
	byPiece := map[*streamDelta][]deltaEdit{}
	var order []*streamDelta
	for _, e := range edits {
		if _, ok := byPiece[e.piece]; !ok {
			order = append(order, e.piece)
		}
		byPiece[e.piece] = append(byPiece[e.piece], e)
	}
	var repls []match
	for _, p := range order {
		v := p.value
		es := byPiece[p]
		for i := len(es) - 1; i >= 0; i-- {
			e := es[i]
			v = append(append(append([]byte{}, v[:e.from]...), e.repl...), v[e.to:]...)
		}
		e := contentDelta{Type: "content_block_delta", Index: p.index}
		e.Delta.Type = p.typ
		e.setText(p.field, string(v))
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(e) != nil {
			continue
		}
		repls = append(repls, match{start: p.data[0], end: p.data[1], repl: bytes.TrimRight(buf.Bytes(), "\n")})
	}
	return repls
}

// readDelta reads a delta event's JSON written as the API writes it, without reflection:
// {"type":"content_block_delta","index":N,"delta":{"type":"…","<field>":"…"}}, field being
// text, partial_json or thinking. ok is false for anything else (streamDeltas then decodes it
// with encoding/json). The value is b's own bytes when it has no escapes.
func readDelta(b []byte) (d streamDelta, ok bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"type":"content_block_delta","index":`))
	if !ok {
		return d, false
	}
	n := 0
	for n < len(rest) && n < 9 && rest[n] >= '0' && rest[n] <= '9' {
		d.index = d.index*10 + int(rest[n]-'0')
		n++
	}
	if rest, ok = bytes.CutPrefix(rest[n:], []byte(`,"delta":{"type":"`)); n == 0 || !ok {
		return d, false
	}
	typ, rest, ok := bytes.Cut(rest, []byte(`","`))
	if !ok || bytes.ContainsAny(typ, `"\\`) {
		return d, false
	}
	name, rest, ok := bytes.Cut(rest, []byte(`":`))
	if !ok || len(rest) < 2 || rest[0] != '"' {
		return d, false
	}
	if d.field = intern(name, "text", "partial_json", "thinking"); d.field == "" {
		return d, false
	}
	end, escaped := 1, false
	for {
		end, _ = conversation.StringRun(rest, end)
		if end >= len(rest) || rest[end] != '\\' {
			break
		}
		end, escaped = end+2, true // the decoder below checks the escape
	}
	if end >= len(rest) || rest[end] != '"' || string(rest[end+1:]) != "}}" {
		return d, false
	}
	d.value = rest[1:end]
	if escaped {
		var v string
		if json.Unmarshal(rest[:end+1], &v) != nil {
			return d, false
		}
		d.value = []byte(v)
	}
	if d.typ = intern(typ, "text_delta", "input_json_delta", "thinking_delta"); d.typ == "" {
		d.typ = string(typ)
	}
	return d, true
}

// intern returns the one of known equal to b (a constant: no string made per delta), or "".
func intern(b []byte, known ...string) string {
	for _, k := range known {
		if string(b) == k {
			return k
		}
	}
	return ""
}
