package content

import "regexp"

// Claude Code moves its cache_control marker to the newest message on every call, so the
// same message arrives once with the marker and then always without it. Storing messages
// with the marker cut out (and where it was, per request) lets both share one blob while the
// request still rebuilds byte for byte.

// CacheMark is a cache_control member cut out of a message: its bytes and where they go back
// in the stripped message.
type CacheMark struct {
	Message int    `json:"m"`
	At      int    `json:"at"`
	Bytes   string `json:"b"`
}

// cacheControl matches a structural `,"cache_control":{…}` member. Inside a JSON string a
// quote is always escaped, so this cannot match string content.
var cacheControl = regexp.MustCompile(`,\s*"cache_control"\s*:\s*\{[^{}]*\}`)

// stripCacheControl returns message without its cache_control members, and the marks that
// put them back.
func stripCacheControl(index int, message []byte) ([]byte, []CacheMark) {
	found := cacheControl.FindAllIndex(message, -1)
	if found == nil {
		return message, nil
	}
	out := make([]byte, 0, len(message))
	marks := make([]CacheMark, 0, len(found))
	prev := 0
	for _, f := range found {
		out = append(out, message[prev:f[0]]...)
		marks = append(marks, CacheMark{Message: index, At: len(out), Bytes: string(message[f[0]:f[1]])})
		prev = f[1]
	}
	return append(out, message[prev:]...), marks
}

// restoreCacheControl puts marks (in the order stripCacheControl made them) back into the
// stripped messages; ok is false when a mark does not fit.
func restoreCacheControl(messages [][]byte, marks []CacheMark) bool {
	for i := 0; i < len(marks); {
		m := marks[i].Message
		if m < 0 || m >= len(messages) {
			return false
		}
		stripped := messages[m]
		var out []byte
		prev := 0
		for ; i < len(marks) && marks[i].Message == m; i++ {
			at := marks[i].At
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
