// Package period parses the ISO 8601 durations of the HTTP contract ("P365D",
// "PT8H"). Only units of fixed length are accepted — weeks, days, hours,
// minutes, seconds — because a relationship that lasts "P1M" would end on a
// different day depending on when it started; the error says so.
package period

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxDuration keeps arithmetic far from overflow; no contract duration is near it.
const maxDuration = 100 * 365 * 24 * time.Hour

// Parse reads an ISO 8601 duration such as "P14D", "P1W", "PT8H30M" or "P1DT2H".
func Parse(s string) (time.Duration, error) {
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as \"P14D\" or \"PT8H\"", s)
	}
	var total time.Duration
	inTime, sawTime, last := false, false, -1
	order := "WDHMS"
	rest := s[1:]
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, fmt.Errorf("%q has two 'T' designators", s)
			}
			inTime, sawTime = true, true
			rest = rest[1:]
			if rest == "" {
				return 0, fmt.Errorf("%q ends after 'T'", s)
			}
			continue
		}
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%q is not an ISO 8601 duration such as \"P14D\" or \"PT8H\"", s)
		}
		if i > 9 {
			return 0, fmt.Errorf("%q is too long", s)
		}
		n, _ := strconv.Atoi(rest[:i])
		unit := rest[i]
		rest = rest[i+1:]
		var d time.Duration
		switch {
		case unit == 'Y' || (unit == 'M' && !inTime):
			return 0, fmt.Errorf("%q uses years or months, whose length varies; use days (\"P365D\")", s)
		case unit == 'W' && !inTime:
			d = 7 * 24 * time.Hour
		case unit == 'D' && !inTime:
			d = 24 * time.Hour
		case unit == 'H' && inTime:
			d = time.Hour
		case unit == 'M' && inTime:
			d = time.Minute
		case unit == 'S' && inTime:
			d = time.Second
		default:
			return 0, fmt.Errorf("%q has an unknown or misplaced unit %q", s, unit)
		}
		pos := strings.IndexByte(order, unit)
		if pos <= last {
			return 0, fmt.Errorf("%q repeats a unit or lists units out of order", s)
		}
		last = pos
		// Checked before multiplying: n·d can pass int64 and wrap negative.
		if time.Duration(n) > (maxDuration-total)/d {
			return 0, fmt.Errorf("%q is longer than 100 years", s)
		}
		total += time.Duration(n) * d
	}
	if sawTime && last < strings.IndexByte(order, 'H') {
		return 0, fmt.Errorf("%q has no time units after 'T'", s)
	}
	return total, nil
}

// Format writes d as an ISO 8601 duration in days, hours, minutes and seconds.
func Format(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("P")
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * 24 * time.Hour
	}
	if d > 0 {
		b.WriteString("T")
		for _, u := range []struct {
			size time.Duration
			name string
		}{{time.Hour, "H"}, {time.Minute, "M"}, {time.Second, "S"}} {
			if n := d / u.size; n > 0 {
				fmt.Fprintf(&b, "%d%s", n, u.name)
				d -= n * u.size
			}
		}
	}
	return b.String()
}

// Duration is a time.Duration that reads and writes itself as an ISO 8601
// string in JSON, so request and response bodies speak the contract's format.
type Duration time.Duration

// MarshalJSON writes the ISO 8601 form.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(Format(time.Duration(d)))), nil
}

// UnmarshalJSON reads an ISO 8601 string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("a duration is an ISO 8601 string such as \"P14D\"")
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
