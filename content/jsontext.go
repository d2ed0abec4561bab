package content

import "bytes"

// isJSON reports whether b is valid JSON text, as json.Valid does.
func isJSON(b []byte) bool {
	s := scanner{b: b}
	s.ws()
	if !s.value() {
		return false
	}
	s.ws()
	return s.i == len(b)
}

// inStrings keeps the matches, sorted and apart, that start inside a string of the JSON
// text b. (Those that pass safeSpan then end inside the same string.)
func inStrings(b []byte, ms []match) []match {
	kept := ms[:0]
	open, end := -1, 0 // the last string seen is b[open:end]; b[end:] starts outside strings
	for _, m := range ms {
		for end <= m.start {
			q := bytes.IndexByte(b[end:], '"')
			if q < 0 {
				return kept // no string left: the other matches are outside
			}
			open = end + q
			end = stringEnd(b, open)
		}
		if open < m.start {
			kept = append(kept, m)
		}
	}
	return kept
}

// stringEnd returns the index after the quote that closes the string opened at b[open], or
// len(b).
func stringEnd(b []byte, open int) int {
	for j := open + 1; ; {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			return len(b)
		}
		j += q
		if !escaping(b, j-1) {
			return j + 1
		}
		j++
	}
}

// safeSpan reports whether b[start:end] can be replaced by text without quotes or
// backslashes and leave JSON text valid: it starts outside any escape sequence, holds no
// unescaped quote, and does not end between a backslash and the character it escapes.
func safeSpan(b []byte, start, end int) bool {
	if escaping(b, start-1) {
		return false
	}
	// Not among the four hex digits of a \u escape.
	for k := 1; k <= 4 && start-k-1 >= 0; k++ {
		if b[start-k] == 'u' && escaping(b, start-k-1) {
			return false
		}
		if !isHex(b[start-k]) {
			break
		}
	}
	for i := start; i < end; i++ {
		switch b[i] {
		case '"':
			return false
		case '\\':
			if i+1 >= end {
				return false
			}
			i++
		}
	}
	return true
}

// escaping reports whether b[i] is a backslash that escapes the byte after it: one of an odd
// run of backslashes.
func escaping(b []byte, i int) bool {
	n := 0
	for ; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}
