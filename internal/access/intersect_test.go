package access

import (
	"slices"
	"testing"
)

func TestIntersect(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b []string
		want []string // nil: no common resource
	}{
		{"whole tenant and a site", []string{"*"}, []string{"/sites/eu"}, []string{"/sites/eu"}},
		{"a site and the whole tenant", []string{"/sites/eu"}, []string{"*"}, []string{"/sites/eu"}},
		{"both whole", []string{"*"}, []string{"*"}, []string{"*"}},
		{"inside", []string{"/sites/eu/paris"}, []string{"/sites/eu"}, []string{"/sites/eu/paris"}},
		{"disjoint", []string{"/sites/eu"}, []string{"/sites/us"}, nil},
		{"wildcards meet", []string{"/sites/*/paris"}, []string{"/sites/eu"}, []string{"/sites/eu/paris"}},
		{"crossed wildcards", []string{"/sites/*/paris"}, []string{"/sites/eu/*"}, []string{"/sites/eu/paris"}},
		{"a wildcard covers nothing at its own level", []string{"/sites/us/*"}, []string{"/sites/us"}, []string{"/sites/us/*"}},
		{"pairs, the covered ones dropped", []string{"/sites/eu", "/sites/us/nyc"}, []string{"/sites/eu/paris", "/sites/*"},
			[]string{"/sites/eu", "/sites/us/nyc"}},
		{"a wider meet replaces a narrower one", []string{"/sites/eu/paris", "/sites/eu"}, []string{"/sites/eu"}, []string{"/sites/eu"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := MustParseScope(c.a...).Intersect(MustParseScope(c.b...))
			if c.want == nil {
				if ok {
					t.Fatalf("Intersect(%v, %v) = %v, want nothing in common", c.a, c.b, got.Patterns())
				}
				return
			}
			if !ok || !slices.Equal(got.Patterns(), c.want) {
				t.Fatalf("Intersect(%v, %v) = %v, %v; want %v", c.a, c.b, got.Patterns(), ok, c.want)
			}
			// Whatever the meet covers, both sides cover.
			if !got.Within(MustParseScope(c.a...)) || !got.Within(MustParseScope(c.b...)) {
				t.Errorf("Intersect(%v, %v) = %v reaches outside one side", c.a, c.b, got.Patterns())
			}
		})
	}
}
