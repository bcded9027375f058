package access

import "strings"

// Intersect answers the resources inside both s and o, as a scope, and
// whether there is any. Two patterns overlap when each segment they both
// have agrees (equal, or "*" on one side); their overlap is the longer
// pattern with each "*" replaced by the other's literal segment, which
// covers exactly the resources both cover. A narrowed relationship scope
// cuts its assignments' scopes with it this way.
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
			m, ok := overlap(p, q)
			if !ok {
				continue
			}
			out.patterns = append(out.patterns, m)
		}
	}
	out = out.minimal()
	return out, len(out.patterns) > 0
}

func overlap(p, q []string) ([]string, bool) {
	if len(p) < len(q) {
		p, q = q, p
	}
	m := make([]string, len(p))
	copy(m, p)
	for i, seg := range q {
		switch {
		case seg == "*":
		case m[i] == "*":
			m[i] = seg
		case m[i] != seg:
			return nil, false
		}
	}
	return m, true
}

// minimal drops duplicates and the patterns another pattern of s covers.
func (s Scope) minimal() Scope {
	var out Scope
	for i, p := range s.patterns {
		covered := false
		for j, q := range s.patterns {
			if i == j {
				continue
			}
			same := strings.Join(p, "/") == strings.Join(q, "/")
			if (same && j < i) || (!same && patternWithin(p, [][]string{q})) {
				covered = true
				break
			}
		}
		if !covered {
			out.patterns = append(out.patterns, p)
		}
	}
	return out
}

// Union answers the resources inside s or o, without patterns the other
// already covers ("*" when either is the whole tenant).
func (s Scope) Union(o Scope) Scope {
	if s.all || o.all {
		return WholeTenant
	}
	return Scope{patterns: append(append([][]string{}, s.patterns...), o.patterns...)}.minimal()
}

// Intersects reports whether s and o hold a permission in common.
func (s PermSet) Intersects(o PermSet) bool {
	for i := range s {
		if s[i]&o[i] != 0 {
			return true
		}
	}
	return false
}
