package access

import (
	"strings"
	"testing"
)

// The fuzz targets below check Scope against a reference written from the
// contract in scope.go's doc comment, not from its code: split on "/", compare
// segment by segment, "*" stands for exactly one segment, a pattern covers
// everything below the resources it names, and "/" lies only inside "*".

// refValidPath reports whether p is a path the contract accepts: "/seg/seg",
// each segment non-empty, not "." or "..", made of ASCII letters, digits and
// -._~:@!$&'()+,;= — or, when wildcards is set, exactly "*".
func refValidPath(p string, wildcards bool) bool {
	if len(p) > MaxPathLength || len(p) < 2 || p[0] != '/' {
		return false
	}
	segs := strings.Split(p[1:], "/")
	if len(segs) > MaxPathSegments {
		return false
	}
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		if seg == "*" && wildcards {
			continue
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~:@!$&'()+,;=", c) >= 0
			if !ok {
				return false
			}
		}
	}
	return true
}

// mustRefuse names what makes a pattern unacceptable whatever else it holds,
// or answers "".
func mustRefuse(pattern string) string {
	if pattern == "*" {
		return ""
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] >= 0x80 {
			return "a non-ASCII character"
		}
	}
	switch {
	case strings.Contains(pattern, "%"):
		return "percent-encoding"
	case strings.HasSuffix(pattern, "/"):
		return "a trailing '/'"
	}
	for _, seg := range strings.Split(strings.TrimPrefix(pattern, "/"), "/") {
		switch {
		case seg == "":
			return "an empty segment"
		case seg == "." || seg == "..":
			return "a dot segment"
		case seg != "*" && strings.Contains(seg, "*"):
			return "a '*' inside a segment"
		}
	}
	return ""
}

// refCovers is the reference matcher for one pattern and a valid resource.
func refCovers(pattern, resource string) bool {
	if pattern == "*" {
		return true
	}
	if resource == "/" {
		return false
	}
	ps := strings.Split(pattern[1:], "/")
	rs := strings.Split(resource[1:], "/")
	if len(rs) < len(ps) {
		return false
	}
	for i, seg := range ps {
		if seg != "*" && seg != rs[i] {
			return false
		}
	}
	return true
}

// literalPrefix is the pattern up to (not including) its first "*" segment,
// "" when the pattern starts with one.
func literalPrefix(pattern string) string {
	var lits []string
	for _, seg := range strings.Split(pattern[1:], "/") {
		if seg == "*" {
			break
		}
		lits = append(lits, seg)
	}
	if len(lits) == 0 {
		return ""
	}
	return "/" + strings.Join(lits, "/")
}

func FuzzScope(f *testing.F) {
	for _, seed := range []struct{ pattern, resource string }{
		{"/sites/us", "/sites/usa"},
		{"/sites/us", "/sites/us/rooms/r1"},
		{"/sites/us*", "/sites/usa"},
		{"/sites/%2e%2e", "/sites/x"},
		{"/sites/us/", "/sites/us"},
		{"/sites/./us", "/sites/us"},
		{"/sites//us", "/sites/us"},
		{"/ѕites/us", "/sites/us"}, // Cyrillic ѕ
		{"/sites/ｕｓ", "/sites/us"}, // full-width letters
		{"/a/*/c", "/a/b/c/d"},
		{"/a/*/c", "/a/b"},
		{"/*", "/x"},
		{"*", "/"},
		{"/sites/us", "/"},
	} {
		f.Add(seed.pattern, seed.resource)
	}
	f.Fuzz(func(t *testing.T, pattern, resource string) {
		s, err := ParseScope([]string{pattern})
		if why := mustRefuse(pattern); err == nil && why != "" {
			t.Fatalf("ParseScope([%q]) = nil error, want a refusal: %s", pattern, why)
		}
		valid := pattern == "*" || refValidPath(pattern, true)
		if (err == nil) != valid {
			t.Fatalf("ParseScope([%q]) error = %v, want valid = %v", pattern, err, valid)
		}
		if err != nil {
			return
		}
		if got := s.Patterns(); len(got) != 1 || got[0] != pattern {
			t.Fatalf("ParseScope([%q]).Patterns() = %q, want it back as written", pattern, got)
		}

		rerr := ValidateResource(resource)
		if rvalid := resource == "/" || refValidPath(resource, false); (rerr == nil) != rvalid {
			t.Fatalf("ValidateResource(%q) = %v, want valid = %v", resource, rerr, rvalid)
		}
		if rerr != nil {
			return
		}

		got := s.Covers(resource)
		if want := refCovers(pattern, resource); got != want {
			t.Fatalf("ParseScope([%q]).Covers(%q) = %v, want %v", pattern, resource, got, want)
		}
		if !got || pattern == "*" {
			return
		}
		// A pattern never reaches past its literal prefix into a sibling
		// whose name merely starts the same way: "/sites/us" ⊅ "/sites/usa".
		prefix := literalPrefix(pattern)
		if !strings.HasPrefix(resource, prefix) {
			t.Fatalf("%q covers %q, which lacks its literal prefix %q", pattern, resource, prefix)
		}
		if rest := resource[len(prefix):]; rest != "" && rest[0] != '/' {
			t.Fatalf("%q covers %q: after the prefix %q comes %q, not '/' or the end", pattern, resource, prefix, rest)
		}
	})
}

// FuzzScopeWithin takes each argument as patterns separated by spaces (a
// space is never valid inside a pattern). Within must hold exactly when every
// inner pattern, with its "*" segments replaced by a literal the outer scope
// does not name, yields a resource the outer scope covers.
func FuzzScopeWithin(f *testing.F) {
	for _, seed := range []struct{ inner, outer string }{
		{"/sites/us/rooms", "/sites/us"},
		{"/sites/us", "/sites/us/rooms"},
		{"/sites/usa", "/sites/us"},
		{"/sites/*/rooms", "/sites/*"},
		{"/sites/*/rooms", "/sites/us"},
		{"/sites/us/*", "/sites/*/*"},
		{"/a /b/c", "/b /a/x"},
		{"*", "/sites"},
		{"/sites", "*"},
		{"*", "*"},
	} {
		f.Add(seed.inner, seed.outer)
	}
	f.Fuzz(func(t *testing.T, inner, outer string) {
		innerPats, outerPats := strings.Split(inner, " "), strings.Split(outer, " ")
		in, err := ParseScope(innerPats)
		if err != nil {
			return
		}
		out, err := ParseScope(outerPats)
		if err != nil {
			return
		}
		within := in.Within(out)
		if outside := in.Outside(out); (len(outside) == 0) != within {
			t.Fatalf("Scope(%q).Within(%q) = %v but Outside = %q", inner, outer, within, outside)
		}

		fresh := freshSegment(outerPats)
		judged, covered := true, true
		for _, p := range innerPats {
			// Any literal in place of "*", and anything below the result,
			// stays inside a scope that contains the inner one; "x" is the
			// literal the contract names.
			if within {
				for _, r := range []string{instantiated(p, "x"), instantiated(p, "x") + "/y"} {
					if ValidateResource(r) == nil && !out.Covers(r) {
						t.Fatalf("Scope(%q).Within(%q) = true, but %q is not covered by the outer scope", inner, outer, r)
					}
				}
			}
			r := instantiated(p, fresh)
			if ValidateResource(r) != nil {
				judged = false // too long to be a resource
				continue
			}
			if !out.Covers(r) {
				covered = false
			}
		}
		if judged && covered != within {
			t.Fatalf("Scope(%q).Within(%q) = %v, but every inner pattern instantiated with %q is covered = %v", inner, outer, within, fresh, covered)
		}
	})
}

// instantiated turns a pattern into a resource it covers by putting lit in
// place of each "*" segment; "*" alone becomes "/".
func instantiated(pattern, lit string) string {
	if pattern == "*" {
		return "/"
	}
	segs := strings.Split(pattern[1:], "/")
	for i, seg := range segs {
		if seg == "*" {
			segs[i] = lit
		}
	}
	return "/" + strings.Join(segs, "/")
}

// freshSegment answers a short valid segment that no pattern names.
func freshSegment(patterns []string) string {
	named := map[string]bool{}
	for _, p := range patterns {
		for _, seg := range strings.Split(p, "/") {
			named[seg] = true
		}
	}
	for n := 1; ; n++ {
		for _, c := range "xyzw0123456789abcdefghijklmnopqrstuv" {
			lit := strings.Repeat(string(c), n)
			if !named[lit] {
				return lit
			}
		}
	}
}
