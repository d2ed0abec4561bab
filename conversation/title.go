package conversation

import (
	"strings"
	"unicode/utf8"
)

// TitleLength is the most runes a title has before its "…".
const TitleLength = 80

// makeTitle turns a first user text into a one-line title: whitespace collapsed, cut on a
// word boundary with "…" when longer than TitleLength runes.
func makeTitle(s string) string {
	s = collapseSpace(s, 4*TitleLength)
	if utf8.RuneCountInString(s) <= TitleLength {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == TitleLength {
			cut = i
			break
		}
		n++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ,.;:-") + "…"
}

// collapseSpace returns s with runs of whitespace turned into one space and trimmed, stopping
// once the result is at least limit bytes long (limit <= 0: no limit).
func collapseSpace(s string, limit int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\v' {
			space = b.Len() > 0
			continue
		}
		if limit > 0 && b.Len() >= limit {
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
