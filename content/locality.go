package content

import "regexp/syntax"

// Redacting a split body piece by piece (redactrequest.go) reads each piece and each stretch
// of template on its own. A match that Redact keeps starts inside a JSON string, and a pattern
// that cannot match '"' cannot leave that string, so it finds the same secrets either way.
// A pattern that can match '"' may take its context from another string (`"system":\s*"(…)"`,
// `password.{0,40}(…)` with (?s)) and needs the whole body.
//
// The built-in patterns are all local in effect: the two that match quotes (the AWS secret
// after its key, the GCP private key after "private_key") need `":"` between key and value,
// and the only values cut out of a body (system, tools, messages) are never preceded by a
// piece or followed by ':' — so their matches never straddle a piece's edge.

// mayMatchQuote reports whether the regexp expr (valid RE2 syntax) can match a '"'.
func mayMatchQuote(expr string) bool {
	re, err := syntax.Parse(expr, syntax.Perl)
	return err != nil || mayMatch(re, '"')
}

// mayMatch reports whether some match of re can hold the character c.
func mayMatch(re *syntax.Regexp, c rune) bool {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r == c {
				return true
			}
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= c && c <= re.Rune[i+1] {
				return true
			}
		}
	case syntax.OpAnyChar:
		return true
	case syntax.OpAnyCharNotNL:
		return c != '\n'
	}
	for _, sub := range re.Sub {
		if mayMatch(sub, c) {
			return true
		}
	}
	return false
}
