package access

// Intersect answers the scope of exactly the resources inside both s and o,
// and false when they share none. A pattern covers the resources whose
// leading segments it matches, so two patterns meet in the pattern that
// takes, segment by segment, the literal where one has a literal and the
// other "*", and the longer pattern's tail: /sites/*/paris and /sites/eu
// meet in /sites/eu/paris; /sites/eu and /sites/us do not meet.
func (s Scope) Intersect(o Scope) (Scope, bool) {
	switch {
	case s.all:
		return o, o.all || len(o.patterns) > 0
	case o.all:
		return s, len(s.patterns) > 0
	}
	var out Scope
	for _, p := range s.patterns {
		for _, q := range o.patterns {
			m, ok := meet(p, q)
			if !ok || patternWithin(m, out.patterns) {
				continue
			}
			kept := make([][]string, 0, len(out.patterns)+1)
			for _, k := range out.patterns {
				if !patternWithin(k, [][]string{m}) {
					kept = append(kept, k)
				}
			}
			out.patterns = append(kept, m)
		}
	}
	return out, len(out.patterns) > 0
}

// meet is the pattern covering what both p and q cover, if any.
func meet(p, q []string) ([]string, bool) {
	if len(p) < len(q) {
		p, q = q, p
	}
	m := make([]string, len(p))
	for i, seg := range p {
		switch {
		case i >= len(q) || q[i] == "*":
			m[i] = seg
		case seg == "*" || seg == q[i]:
			m[i] = q[i]
		default:
			return nil, false
		}
	}
	return m, true
}
