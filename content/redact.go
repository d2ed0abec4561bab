package content

import (
	"fmt"
	"regexp"
	"slices"
)

// Redactor replaces secrets in body bytes with "[REDACTED:<kind>]". It works on the raw
// text, and a body that was valid JSON stays valid JSON: in JSON only text inside strings is
// replaced, and never from or to the middle of an escape sequence. It is safe for
// concurrent use.
type Redactor struct {
	rules   []rule
	anchors anchorSet // a literal per rule that every match contains, if known
	// local holds when no pattern can match across the strings of a JSON text, so that
	// redacting a body piece by piece gives what redacting it whole gives (redactrequest.go).
	local bool
}

type rule struct {
	re    *regexp.Regexp
	group int               // the subexpression replaced; 0 for the whole match
	repl  []byte            // "[REDACTED:<kind>]"
	gate  func([]byte) bool // nil, or a cheap test a text must pass for re to match in it
}

var validKind = regexp.MustCompile(`^[A-Za-z0-9._-]{1,40}$`)

// NewRedactor returns a Redactor for DefaultPatterns and extra. An invalid pattern is an
// error naming it.
func NewRedactor(extra []Pattern) (*Redactor, error) {
	patterns := append(DefaultPatterns(), extra...)
	r := &Redactor{rules: make([]rule, 0, len(patterns)), local: true}
	anchors := make([][]byte, 0, len(patterns))
	builtIn := len(patterns) - len(extra)
	for i, p := range patterns {
		if !validKind.MatchString(p.Kind) {
			return nil, fmt.Errorf("redaction pattern kind %q: use 1-40 letters, digits, '.', '_' or '-'", p.Kind)
		}
		re, err := regexp.Compile(p.Regexp)
		if err != nil {
			return nil, fmt.Errorf("redaction pattern %q: %w", p.Kind, err)
		}
		if i >= builtIn {
			r.local = r.local && !mayMatchQuote(p.Regexp)
		}
		r.rules = append(r.rules, rule{re: re, group: max(re.SubexpIndex("secret"), 0),
			repl: []byte("[REDACTED:" + p.Kind + "]"), gate: gates[p.Regexp]})
		anchor := p.Anchor
		if anchor == "" {
			anchor, _ = re.LiteralPrefix()
		}
		anchors = append(anchors, []byte(anchor))
	}
	r.anchors = newAnchorSet(anchors)
	return r, nil
}

// Redact returns b with every secret replaced, and how many replacements it made. When
// nothing matched it returns b itself, not a copy.
func (r *Redactor) Redact(b []byte) (out []byte, count int) {
	merged := r.find(b)
	if len(merged) == 0 {
		return b, 0
	}
	return replaceMatches(b, merged), len(merged)
}

// A span is the range [start, end) of a text.
type span struct{ start, end int }

// redactSpans is Redact for a JSON text b (json.Valid holds) that reads only the text inside
// spans: sorted and apart, each starting and ending outside the strings of b, so that every
// string is wholly inside one span or outside all of them. The text outside them is kept as
// it is: the caller knows it holds no secret. It returns, with the text, the count of
// redactions in each span; when there are none it returns b itself.
func (r *Redactor) redactSpans(b []byte, spans []span) ([]byte, []int) {
	counts := make([]int, len(spans))
	var all []match
	for i, sp := range spans {
		text := b[sp.start:sp.end]
		ms := r.candidates(text)
		if len(ms) == 0 {
			continue
		}
		ms = inStrings(text, ms)
		counts[i] = len(ms)
		for _, m := range ms {
			m.start, m.end = sp.start+m.start, sp.start+m.end
			all = append(all, m)
		}
	}
	if len(all) == 0 {
		return b, counts
	}
	return replaceMatches(b, all), counts
}

// replaceMatches returns a copy of b with each match, in order and apart, replaced.
func replaceMatches(b []byte, ms []match) []byte {
	out := make([]byte, 0, len(b))
	prev := 0
	for _, m := range ms {
		out = append(out, b[prev:m.start]...)
		out = append(out, m.repl...)
		prev = m.end
	}
	return append(out, b[prev:]...)
}

// find returns the secrets in b, in order and not overlapping.
func (r *Redactor) find(b []byte) []match {
	merged := r.candidates(b)
	if len(merged) > 0 && isJSON(b) {
		// A pattern that matched a number or a key's quotes would break the JSON.
		merged = inStrings(b, merged)
	}
	return merged
}

// candidates returns what the patterns match in b, in order and not overlapping, before the
// JSON rule (only inside strings) is applied.
func (r *Redactor) candidates(b []byte) []match {
	var found []match
	present := r.anchors.find(b)
	for i := range r.rules {
		ru := &r.rules[i]
		if !present[i] || ru.gate != nil && !ru.gate(b) {
			continue
		}
		for _, m := range ru.re.FindAllSubmatchIndex(b, -1) {
			start, end := m[2*ru.group], m[2*ru.group+1]
			if start >= 0 && end > start && safeSpan(b, start, end) {
				found = append(found, match{start, end, ru.repl, i})
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	// Overlapping matches (a bearer token that is an Anthropic key) become one, named by
	// the first: the longest, then the first rule.
	slices.SortFunc(found, func(x, y match) int {
		if x.start != y.start {
			return x.start - y.start
		}
		if x.end != y.end {
			return y.end - x.end
		}
		return x.rule - y.rule
	})
	merged := found[:1]
	for _, m := range found[1:] {
		last := &merged[len(merged)-1]
		if m.start < last.end {
			last.end = max(last.end, m.end)
			continue
		}
		merged = append(merged, m)
	}
	return merged
}

type match struct {
	start, end int
	repl       []byte
	rule       int // index in Redactor.rules
}
