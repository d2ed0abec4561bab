package content

import "bytes"

// anchorSet tells which of several literals occur in a text. It makes one IndexByte pass per
// distinct first byte, where a bytes.Contains per literal would make one pass per literal.
type anchorSet struct {
	n      int // literals, including nil ones
	always []int
	groups []anchorGroup
}

// anchorGroup holds the literals that start with the same byte.
type anchorGroup struct {
	first byte
	lits  [][]byte
	ids   []int // index of each literal in the set
}

// newAnchorSet returns the set of lits; a nil literal is always present.
func newAnchorSet(lits [][]byte) anchorSet {
	s := anchorSet{n: len(lits)}
	for id, lit := range lits {
		if len(lit) == 0 {
			s.always = append(s.always, id)
			continue
		}
		g := -1
		for i := range s.groups {
			if s.groups[i].first == lit[0] {
				g = i
			}
		}
		if g < 0 {
			s.groups = append(s.groups, anchorGroup{first: lit[0]})
			g = len(s.groups) - 1
		}
		s.groups[g].lits = append(s.groups[g].lits, lit)
		s.groups[g].ids = append(s.groups[g].ids, id)
	}
	return s
}

// find reports, for each literal, whether b contains it.
func (s *anchorSet) find(b []byte) []bool {
	found := make([]bool, s.n)
	for _, id := range s.always {
		found[id] = true
	}
	for i := range s.groups {
		s.groups[i].find(b, found)
	}
	return found
}

func (g *anchorGroup) find(b []byte, found []bool) {
	left := len(g.lits)
	// Past this many stops the first byte is too common for this loop: bytes.Index has
	// better strategies for that.
	maxStops := len(b)/16 + 64
	for i, stops := 0, 0; left > 0 && i < len(b); i, stops = i+1, stops+1 {
		k := bytes.IndexByte(b[i:], g.first)
		if k < 0 {
			return
		}
		i += k
		if stops == maxStops {
			for j, lit := range g.lits {
				if !found[g.ids[j]] {
					found[g.ids[j]] = bytes.Contains(b[i:], lit)
				}
			}
			return
		}
		rest := b[i:]
		for j, lit := range g.lits {
			// The second byte first: most stops end there.
			if len(rest) >= len(lit) && (len(lit) == 1 || rest[1] == lit[1]) &&
				string(rest[:len(lit)]) == string(lit) && !found[g.ids[j]] {
				found[g.ids[j]] = true
				left--
			}
		}
	}
}
