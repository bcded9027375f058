package access

import (
	"slices"
	"testing"
)

func TestIntersect(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b []string
		want []string // nil: nothing in common
	}{
		{"whole tenant and a site", []string{"*"}, []string{"/sites/eu/*"}, []string{"/sites/eu/*"}},
		{"a site inside a wider pattern", []string{"/sites/*"}, []string{"/sites/eu/paris"}, []string{"/sites/eu/paris"}},
		{"wildcards fill each other", []string{"/sites/*/rooms"}, []string{"/sites/eu"}, []string{"/sites/eu/rooms"}},
		{"disjoint sites", []string{"/sites/us"}, []string{"/sites/eu"}, nil},
		{"one of two kept", []string{"/sites/us/*", "/sites/eu/paris"}, []string{"/sites/eu/*"}, []string{"/sites/eu/paris"}},
		{"duplicates and covered patterns dropped", []string{"/sites/eu", "/sites/eu/paris"}, []string{"/sites/eu", "/sites"}, []string{"/sites/eu"}},
		{"a site and the whole tenant", []string{"/sites/eu"}, []string{"*"}, []string{"/sites/eu"}},
		{"both whole", []string{"*"}, []string{"*"}, []string{"*"}},
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
					t.Fatalf("Intersect(%v, %v) = %v, want nothing", c.a, c.b, got.Patterns())
				}
				return
			}
			if !ok || !slices.Equal(got.Patterns(), c.want) {
				t.Fatalf("Intersect(%v, %v) = %v (%v), want %v", c.a, c.b, got.Patterns(), ok, c.want)
			}
			if !got.Within(MustParseScope(c.a...)) || !got.Within(MustParseScope(c.b...)) {
				t.Errorf("Intersect(%v, %v) = %v reaches outside one side", c.a, c.b, got.Patterns())
			}
			// The overlap covers exactly what both cover, on sample resources.
			for _, r := range []string{"/sites/eu", "/sites/eu/paris", "/sites/eu/paris/r1", "/sites/eu/rooms", "/sites/us/nyc", "/sites", "/sites/us", "/sites/us/x", "/sites/eu/x/paris"} {
				both := MustParseScope(c.a...).Covers(r) && MustParseScope(c.b...).Covers(r)
				if got.Covers(r) != both {
					t.Errorf("Intersect(%v, %v) covers %s = %v, want %v", c.a, c.b, r, got.Covers(r), both)
				}
			}
		})
	}
}

func TestUnion(t *testing.T) {
	got := MustParseScope("/sites/eu/paris").Union(MustParseScope("/sites/eu", "/sites/us"))
	if want := []string{"/sites/eu", "/sites/us"}; !slices.Equal(got.Patterns(), want) {
		t.Errorf("Union() = %v, want %v", got.Patterns(), want)
	}
	if got := MustParseScope("/sites/eu").Union(WholeTenant); !got.All() {
		t.Errorf("Union(*) = %v, want *", got.Patterns())
	}
}
