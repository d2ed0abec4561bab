package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// words makes pseudo-random, word-like text from a fixed seed: a vocabulary of made-up words
// built from syllables, drawn with a Zipf distribution as words are in real text, in
// sentences and paragraphs, and code-like lines for file contents. It compresses about as
// much as English prose and source code do (zstd ~3×), not the ~1000× of a repeated string.
type words struct {
	rng    *rand.Rand
	vocab  []string
	zipf   *rand.Zipf
	idents []string
	izipf  *rand.Zipf
	local  []string // while writing code: the file's own names
}

var (
	onsets = []string{"b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m",
		"n", "p", "pl", "pr", "qu", "r", "s", "sh", "sl", "st", "str", "t", "th", "tr", "v", "w", "wh", "z", ""}
	nuclei = []string{"a", "e", "i", "o", "u", "ai", "ea", "ee", "ie", "oo", "ou", "y"}
	codas  = []string{"", "", "", "n", "r", "s", "t", "l", "nd", "ng", "st", "ck", "m", "x", "rk", "ll"}
	// Real text's most frequent words, so that the ranks at the head look like English.
	common = []string{"the", "of", "and", "to", "a", "in", "is", "it", "that", "for", "you", "with", "on", "as",
		"this", "be", "are", "or", "by", "not", "file", "from", "when", "use", "if", "an", "can", "do", "should"}
	keywords = []string{"func", "return", "if", "for", "range", "var", "const", "type", "struct", "err", "nil",
		"else", "switch", "case", "defer", "go", "chan", "map", "string", "int", "bool", "error", "package", "import"}
)

func newWords(seed uint64) *words {
	rng := rand.New(rand.NewPCG(seed, 0x6e65787573))
	w := &words{rng: rng}
	seen := map[string]bool{}
	w.vocab = append(w.vocab, common...)
	for _, c := range common {
		seen[c] = true
	}
	for len(w.vocab) < 6000 {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(onsets[rng.IntN(len(onsets))])
			b.WriteString(nuclei[rng.IntN(len(nuclei))])
			b.WriteString(codas[rng.IntN(len(codas))])
		}
		if s := b.String(); len(s) > 1 && !seen[s] {
			seen[s] = true
			w.vocab = append(w.vocab, s)
		}
	}
	w.zipf = rand.NewZipf(rng, 1.07, 2, uint64(len(w.vocab)-1))
	for len(w.idents) < 3000 {
		a, b := w.vocab[30+rng.IntN(len(w.vocab)-30)], w.vocab[30+rng.IntN(len(w.vocab)-30)]
		switch rng.IntN(3) {
		case 0:
			w.idents = append(w.idents, a)
		case 1:
			w.idents = append(w.idents, a+strings.ToUpper(b[:1])+b[1:])
		default:
			w.idents = append(w.idents, a+"_"+b)
		}
	}
	w.izipf = rand.NewZipf(rng, 1.2, 3, uint64(len(w.idents)-1))
	return w
}

func (w *words) word() string { return w.vocab[w.zipf.Uint64()] }

func (w *words) ident() string {
	if w.local != nil && w.rng.IntN(10) < 7 {
		return w.local[w.rng.IntN(len(w.local))]
	}
	return w.idents[w.izipf.Uint64()]
}

// sentence is 5–22 words, capitalised, with the odd comma and a full stop.
func (w *words) sentence(b *strings.Builder) {
	n := 5 + w.rng.IntN(18)
	for i := range n {
		s := w.word()
		if i == 0 {
			s = strings.ToUpper(s[:1]) + s[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(s)
		if i > 1 && i < n-2 && w.rng.IntN(9) == 0 {
			b.WriteByte(',')
		}
	}
	switch w.rng.IntN(12) {
	case 0:
		b.WriteByte('?')
	case 1:
		b.WriteByte(':')
	default:
		b.WriteByte('.')
	}
}

// prose is about n bytes of sentences in paragraphs.
func (w *words) prose(n int) string {
	var b strings.Builder
	for b.Len() < n {
		w.sentence(&b)
		if w.rng.IntN(6) == 0 {
			b.WriteString("\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// code is about n bytes of source-like lines, numbered as Claude Code's Read tool shows them
// ("     1→…") when numbered.
func (w *words) code(n int, numbered bool) string {
	var b strings.Builder
	depth := 0
	// A file uses a few names over and over.
	local := make([]string, 12)
	for i := range local {
		local[i] = w.idents[w.izipf.Uint64()]
	}
	w.local = local
	defer func() { w.local = nil }()
	for line := 1; b.Len() < n; line++ {
		if numbered {
			fmt.Fprintf(&b, "%6d→", line)
		}
		ind := strings.Repeat("\t", depth)
		switch r := w.rng.IntN(11); {
		case r == 0 && depth < 3:
			fmt.Fprintf(&b, "%sfunc %s(%s %s) error {", ind, w.ident(), w.ident(), keywords[18+w.rng.IntN(4)])
			depth++
		case r == 1 && depth > 0:
			depth--
			b.WriteString(strings.Repeat("\t", depth) + "}")
		case r == 2:
			fmt.Fprintf(&b, "%s// %s", ind, w.prose(20+w.rng.IntN(60)))
		case r == 3 && depth < 3:
			fmt.Fprintf(&b, "%sif %s != nil {", ind, w.ident())
			depth++
		case r == 4:
			fmt.Fprintf(&b, "%sreturn %s, nil", ind, w.ident())
		case r == 5 && depth < 3:
			fmt.Fprintf(&b, "%sif err != nil {\n%s\treturn fmt.Errorf(\"%s: %%w\", err)\n%s}", ind, ind, w.word(), ind)
		case r == 6:
			fmt.Fprintf(&b, "%s%s, err := %s.%s(ctx, %s)", ind, w.ident(), w.ident(), w.ident(), w.ident())
		default:
			fmt.Fprintf(&b, "%s%s := %s.%s(%s, %q)", ind, w.ident(), w.ident(), w.ident(), w.ident(), w.word())
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// path is a plausible source file path.
func (w *words) path() string {
	return "/home/dev/" + w.ident() + "/" + w.ident() + "/" + w.ident() + []string{".go", ".ts", ".md", ".py"}[w.rng.IntN(4)]
}

// hexID is n random hex digits (ids as the API makes them).
func (w *words) hexID(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[w.rng.IntN(16)]
	}
	return string(b)
}

// base62 is n random letters and digits (message and tool-use ids).
func (w *words) base62(n int) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[w.rng.IntN(len(digits))]
	}
	return string(b)
}

// fork returns a generator sharing w's vocabulary with its own random stream.
func (w *words) fork(seed uint64) *words {
	rng := rand.New(rand.NewPCG(seed, 0x666f726b))
	return &words{rng: rng, vocab: w.vocab, idents: w.idents,
		zipf: rand.NewZipf(rng, 1.07, 2, uint64(len(w.vocab)-1)), izipf: rand.NewZipf(rng, 1.2, 3, uint64(len(w.idents)-1))}
}
