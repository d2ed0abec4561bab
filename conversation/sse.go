package conversation

import "bytes"

// MaxEventBytes bounds one buffered SSE event. An event with a line or data longer than
// that is skipped (its data is not parsed) so a hostile or broken stream cannot grow memory
// without limit.
const MaxEventBytes = 4 << 20

// SSEParser splits a text/event-stream into events incrementally. Feed it the bytes as they
// arrive in any chunking: the events are the same as for the whole stream at once. It calls
// OnEvent once per complete event with the event name and the data lines joined by '\n'.
// The slices passed to OnEvent are only valid during the call. Lines end with "\n" or
// "\r\n".
type SSEParser struct {
	OnEvent func(name, data []byte)

	limit    int    // MaxEventBytes when 0; tests lower it
	buf      []byte // the unfinished line, unless it is already too long
	longLine bool   // the unfinished line is longer than the limit; its bytes are dropped
	name     []byte
	data     []byte
	hasData  bool
	skipping bool // the current event had a line or data over the limit
}

func (p *SSEParser) max() int {
	if p.limit > 0 {
		return p.limit
	}
	return MaxEventBytes
}

// Feed consumes b. It never fails: malformed input yields no events or partial ones.
func (p *SSEParser) Feed(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.hold(b)
			return
		}
		line := b[:i]
		b = b[i+1:]
		switch {
		case p.longLine || len(p.buf)+len(line) > p.max():
			p.skipping = true // a line too long to parse spoils its event
		case len(p.buf) > 0:
			p.buf = append(p.buf, line...)
			p.line(bytes.TrimSuffix(p.buf, []byte{'\r'}))
		default:
			p.line(bytes.TrimSuffix(line, []byte{'\r'}))
		}
		p.buf, p.longLine = p.buf[:0], false
	}
}

// hold keeps the start of a line until its end arrives, or only notes that it is too long.
func (p *SSEParser) hold(b []byte) {
	if p.longLine || len(p.buf)+len(b) > p.max() {
		p.buf, p.longLine = p.buf[:0], true
		return
	}
	p.buf = append(p.buf, b...)
}

func (p *SSEParser) line(line []byte) {
	if len(line) == 0 { // blank line: dispatch
		if p.hasData && !p.skipping && p.OnEvent != nil {
			p.OnEvent(p.name, p.data)
		}
		p.name, p.data, p.hasData, p.skipping = p.name[:0], p.data[:0], false, false
		return
	}
	if p.skipping || line[0] == ':' {
		return
	}
	field, value, _ := bytes.Cut(line, []byte{':'})
	value = bytes.TrimPrefix(value, []byte{' '})
	switch string(field) {
	case "event":
		p.name = append(p.name[:0], value...)
	case "data":
		sep := 0
		if p.hasData {
			sep = 1
		}
		if len(p.data)+sep+len(value) > p.max() {
			p.skipping = true
			return
		}
		if p.hasData {
			p.data = append(p.data, '\n')
		}
		p.data = append(p.data, value...)
		p.hasData = true
	}
}
