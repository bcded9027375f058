package period

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	const day = 24 * time.Hour
	good := map[string]time.Duration{
		"P14D": 14 * day, "P365D": 365 * day, "P1W": 7 * day, "PT8H": 8 * time.Hour,
		"P1DT2H": day + 2*time.Hour, "PT30M": 30 * time.Minute, "PT1H30M15S": time.Hour + 30*time.Minute + 15*time.Second,
		"P0D": 0,
	}
	for in, want := range good {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "P", "PT", "14D", "P1Y", "P1M", "PT1D", "P1H", "P1DT", "PD", "P-1D", "P1.5D", "P1D1D", "PT1M1H", "P1DT2HX", "P9999999999D", "P36501D", "p1d", "P110000D", "P20000W", "PT2562048H"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %v, nil; want an error", in, got)
		}
	}
}

func TestFormatRoundTrips(t *testing.T) {
	for _, d := range []time.Duration{time.Second, 8 * time.Hour, 730 * 24 * time.Hour, 26*time.Hour + 90*time.Second} {
		got, err := Parse(Format(d))
		if err != nil || got != d {
			t.Errorf("Parse(Format(%v)) = %v, %v", d, got, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"P14D", "PT8H", "P1DT2H30M", "P1Y", "PT", "P1W"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d < 0 || d > maxDuration {
			t.Fatalf("Parse(%q) = %v, out of range", s, d)
		}
		if back, err := Parse(Format(d)); err != nil || back != d {
			t.Fatalf("Parse(Format(Parse(%q))) = %v, %v", s, back, err)
		}
	})
}
