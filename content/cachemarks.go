package content

import (
	"bytes"
	"regexp"
)

// Claude Code moves its cache_control marker to the newest message on every call, so the
// same message arrives once with the marker and then always without it. Storing messages
// with the marker cut out (and where it was, per request) lets both share one blob while the
// request still rebuilds byte for byte.

// CacheMark is a cache_control member cut out of a message: its bytes and where they go back
// in the stripped message. Both positions count from the end — the message from the last one
// (0 is the last), the offset back from the stripped message's end — so that a marker that
// stays on the newest message's last block is the same mark on every call, and the template
// holding the marks the same blob.
//
// DO NOT change the JSON names; stored in template blobs. ("m" and "at", counted from the
// start, were an earlier form, still read.)
type CacheMark struct {
	FromEnd int    `json:"e"`
	Back    int    `json:"back"`
	Bytes   string `json:"b"`

	// The earlier form: the message's index and the offset from the stripped message's start.
	Message *int `json:"m,omitempty"`
	At      int  `json:"at,omitempty"`
}

// cacheControl matches a structural `,"cache_control":{…}` member. Inside a JSON string a
// quote is always escaped, so this cannot match string content.
var cacheControl = regexp.MustCompile(`,\s*"cache_control"\s*:\s*\{[^{}]*\}`)

var cacheControlKey = []byte(`"cache_control"`)

// stripCacheControl returns message (the fromEnd-th from the last) without its cache_control
// members, and the marks that put them back.
func stripCacheControl(fromEnd int, message []byte) ([]byte, []CacheMark) {
	if !bytes.Contains(message, cacheControlKey) {
		return message, nil // most messages: no need for the regexp
	}
	found := cacheControl.FindAllIndex(message, -1)
	if found == nil {
		return message, nil
	}
	out := make([]byte, 0, len(message))
	ats := make([]int, 0, len(found))
	marks := make([]CacheMark, 0, len(found))
	prev := 0
	for _, f := range found {
		out = append(out, message[prev:f[0]]...)
		ats = append(ats, len(out))
		marks = append(marks, CacheMark{FromEnd: fromEnd, Bytes: string(message[f[0]:f[1]])})
		prev = f[1]
	}
	out = append(out, message[prev:]...)
	for i, at := range ats {
		marks[i].Back = len(out) - at
	}
	return out, marks
}

// restoreCacheControl puts marks (in the order stripCacheControl made them) back into the
// stripped messages; ok is false when a mark does not fit.
func restoreCacheControl(messages [][]byte, marks []CacheMark) bool {
	// where is the index of the mark's message and its offset from that message's start.
	where := func(k CacheMark) (int, int) {
		if k.Message != nil {
			return *k.Message, k.At
		}
		m := len(messages) - 1 - k.FromEnd
		if m < 0 || m >= len(messages) {
			return -1, 0
		}
		return m, len(messages[m]) - k.Back
	}
	for i := 0; i < len(marks); {
		m, _ := where(marks[i])
		if m < 0 || m >= len(messages) {
			return false
		}
		stripped := messages[m]
		var out []byte
		prev := 0
		for ; i < len(marks); i++ {
			mi, at := where(marks[i])
			if mi != m {
				break
			}
			if at < prev || at > len(stripped) {
				return false
			}
			out = append(append(out, stripped[prev:at]...), marks[i].Bytes...)
			prev = at
		}
		messages[m] = append(out, stripped[prev:]...)
	}
	return true
}
