package conversation

import (
	"crypto/sha256"
	"strings"
)

// The system prompt hash is a tie-breaker between link candidates, never a filter (spec §1):
// the prompt legitimately changes within a conversation. Its normalisation drops what changes
// from one request to the next of the same conversation.

// systemTexts returns the raw text blocks of a system prompt.
func systemTexts(c apiContent) []string {
	var out []string
	for i := range c {
		if c[i].Type == "text" {
			out = append(out, c[i].Text)
		}
	}
	return out
}

// systemHash hashes the normalised system prompt: text blocks joined, the
// x-anthropic-billing-header line dropped, volatile sections dropped (<env> blocks, the
// gitStatus section to the end of its block, date lines, recent commits), blank runs
// collapsed. An empty prompt gives the zero Hash.
func systemHash(texts []string) Hash {
	var b strings.Builder
	for _, t := range texts {
		normSystemBlock(&b, t)
	}
	if b.Len() == 0 {
		return Hash{}
	}
	return sha256.Sum256([]byte(b.String()))
}

func normSystemBlock(b *strings.Builder, s string) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = cutSpans(s, "<env>", "</env>")
	blank, commits := false, false // blank: a blank line is due before the next line
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRight(line, " \t")
		switch {
		case line == "":
			commits = false
			blank = b.Len() > 0
			continue
		case commits:
			continue
		case strings.HasPrefix(line, "gitStatus:"):
			return // the git snapshot runs to the end of its block
		case strings.HasPrefix(line, "Recent commits:"):
			commits = true
			continue
		case strings.HasPrefix(line, "x-anthropic-billing-header:"),
			strings.HasPrefix(line, "Today's date"),
			strings.HasPrefix(line, "Current date"):
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
}

// cutSpans removes every open…close span from s.
func cutSpans(s, open, close string) string {
	for {
		i := strings.Index(s, open)
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], close)
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+len(close):]
	}
}
