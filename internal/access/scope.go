package access

import (
	"fmt"
	"strings"
)

// Limits on scopes and resource paths, so a request cannot make a decision slow.
const (
	MaxScopePatterns = 100
	MaxPathLength    = 512
	MaxPathSegments  = 32
)

// Scope is a set of resource path patterns inside a tenant.
//
// A pattern is "*" (the whole tenant) or a path of segments, "/sites/us/*". A
// segment is a literal or "*", which stands for exactly one segment. A pattern
// covers every resource whose leading segments it matches: "/workspaces/ws-1"
// covers "/workspaces/ws-1" and "/workspaces/ws-1/rooms/r1"; "/sites/us/*"
// covers everything below "/sites/us" but not "/sites/us" itself. A "*" inside
// a segment ("/sites/us*") is not a wildcard and is refused, so no pattern ever
// reaches past its own prefix.
type Scope struct {
	all      bool
	patterns [][]string
}

// WholeTenant is the scope "*".
var WholeTenant = Scope{all: true}

// ParseScope checks and compiles patterns. An empty list is refused: a grant
// that covers nothing is a mistake, and "*" says "everything" explicitly.
func ParseScope(patterns []string) (Scope, error) {
	if len(patterns) == 0 {
		return Scope{}, fmt.Errorf("scope is empty; use [\"*\"] for the whole tenant")
	}
	if len(patterns) > MaxScopePatterns {
		return Scope{}, fmt.Errorf("scope has %d patterns, at most %d", len(patterns), MaxScopePatterns)
	}
	var s Scope
	for _, p := range patterns {
		if p == "*" {
			if len(patterns) > 1 {
				return Scope{}, fmt.Errorf("\"*\" is the whole tenant and stands alone")
			}
			return WholeTenant, nil
		}
		segs, err := splitPath(p, true)
		if err != nil {
			return Scope{}, fmt.Errorf("scope pattern %q: %v", p, err)
		}
		s.patterns = append(s.patterns, segs)
	}
	return s, nil
}

// MustParseScope is ParseScope for patterns known to be valid (tests, stored data).
func MustParseScope(patterns ...string) Scope {
	s, err := ParseScope(patterns)
	if err != nil {
		panic(err)
	}
	return s
}

// All reports whether the scope is the whole tenant.
func (s Scope) All() bool { return s.all }

// Patterns answers the scope as it is written.
func (s Scope) Patterns() []string {
	if s.all {
		return []string{"*"}
	}
	out := make([]string, len(s.patterns))
	for i, segs := range s.patterns {
		out[i] = "/" + strings.Join(segs, "/")
	}
	return out
}

// Covers reports whether resource lies inside the scope. resource must have
// passed ValidateResource; "/" is the tenant itself and lies only inside "*".
func (s Scope) Covers(resource string) bool {
	if s.all {
		return true
	}
	if resource == "/" {
		return false
	}
	for _, segs := range s.patterns {
		if patternCovers(segs, resource) {
			return true
		}
	}
	return false
}

// Within reports whether every resource inside s is inside outer.
func (s Scope) Within(outer Scope) bool {
	if outer.all {
		return true
	}
	if s.all {
		return false
	}
	for _, p := range s.patterns {
		if !patternWithin(p, outer.patterns) {
			return false
		}
	}
	return true
}

// Outside lists the patterns of s that outer does not cover.
func (s Scope) Outside(outer Scope) []string {
	if outer.all {
		return nil
	}
	if s.all {
		return []string{"*"}
	}
	var out []string
	for _, p := range s.patterns {
		if !patternWithin(p, outer.patterns) {
			out = append(out, "/"+strings.Join(p, "/"))
		}
	}
	return out
}

func patternWithin(p []string, outer [][]string) bool {
	for _, q := range outer {
		if len(q) > len(p) {
			continue
		}
		ok := true
		for i, seg := range q {
			if seg != "*" && seg != p[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// patternCovers walks resource in place: a decision allocates nothing here.
func patternCovers(segs []string, resource string) bool {
	i := 0
	for _, seg := range segs {
		if i >= len(resource) {
			return false
		}
		j := i + 1
		for j < len(resource) && resource[j] != '/' {
			j++
		}
		if seg != "*" && resource[i+1:j] != seg {
			return false
		}
		i = j
	}
	return true
}

// ValidateResource checks a resource path: "/" for the tenant itself, or
// "/seg/seg" with segments of RFC 3986 unreserved and sub-delim characters.
// Dot segments, empty segments, a trailing slash and percent-encoding are
// refused rather than normalised, so two spellings never name one resource.
func ValidateResource(resource string) error {
	if resource == "/" {
		return nil
	}
	_, err := splitPath(resource, false)
	return err
}

func splitPath(p string, wildcards bool) ([]string, error) {
	if len(p) > MaxPathLength {
		return nil, fmt.Errorf("longer than %d characters", MaxPathLength)
	}
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("must start with '/'")
	}
	segs := strings.Split(p[1:], "/")
	if len(segs) > MaxPathSegments {
		return nil, fmt.Errorf("more than %d segments", MaxPathSegments)
	}
	for _, seg := range segs {
		switch {
		case seg == "":
			return nil, fmt.Errorf("empty segment (double or trailing '/')")
		case seg == "." || seg == "..":
			return nil, fmt.Errorf("dot segment %q", seg)
		case seg == "*":
			if !wildcards {
				return nil, fmt.Errorf("'*' is not allowed in a resource")
			}
		default:
			for _, r := range seg {
				if !segmentChar(r) {
					return nil, fmt.Errorf("character %q is not allowed (letters, digits and -._~:@!$&'()+,;= only)", r)
				}
			}
		}
	}
	return segs, nil
}

func segmentChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("-._~:@!$&'()+,;=", r)
}
