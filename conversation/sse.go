package conversation

import "bytes"

// MaxEventBytes bounds one buffered SSE event. A longer event is skipped (its data is not
// parsed) so a hostile or broken stream cannot grow memory without limit.
const MaxEventBytes = 4 << 20

// SSEParser splits a text/event-stream into events incrementally. Feed it the bytes as they
// arrive in any chunking; it calls OnEvent once per complete event with the event name and the
// data lines joined by '\n'. The slices passed to OnEvent are only valid during the call.
type SSEParser struct {
	OnEvent func(name, data []byte)

	buf      []byte // the unfinished line
	name     []byte
	data     []byte
	hasData  bool
	skipping bool // the current line or event overflowed MaxEventBytes
}

// Feed consumes p. It never fails: malformed input yields no events or partial ones.
func (p *SSEParser) Feed(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if p.skipping || len(p.buf)+len(b) > MaxEventBytes {
				p.skipping = true
				p.buf = p.buf[:0]
				return
			}
			p.buf = append(p.buf, b...)
			return
		}
		line := b[:i]
		b = b[i+1:]
		if len(p.buf) > 0 {
			if len(p.buf)+len(line) > MaxEventBytes {
				p.skipping = true
			}
			if !p.skipping {
				p.buf = append(p.buf, line...)
				line = p.buf
			}
		}
		p.line(bytes.TrimSuffix(line, []byte{'\r'}))
		p.buf = p.buf[:0]
	}
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
		if len(p.data)+len(value) > MaxEventBytes {
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
