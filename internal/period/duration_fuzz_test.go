package period

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// FuzzDurationJSON checks Duration as a JSON field type against a reference
// built from the outside: a document decodes to a Duration exactly when it is
// a JSON string holding a duration Parse accepts, to the value Parse answers;
// what MarshalJSON writes decodes back to the same value. n picks a whole
// number of seconds in range to marshal first.
func FuzzDurationJSON(f *testing.F) {
	for _, seed := range []struct {
		doc string
		n   int64
	}{
		{`"P14D"`, 0},
		{`"PT8H30M"`, 30600},
		{`"P1DT2H"`, 1},
		{`"PT0S"`, -1},
		{` "P1W" `, 604800},
		{`"\u005014D"`, 0}, // a JSON escape for 'P'
		{`"\x5014D"`, 0},   // a Go escape, not JSON
		{"`P14D`", 0},      // a Go raw string, not JSON
		{`'P'`, 0},
		{`"P1Y"`, 0},
		{`"P14D" "P1D"`, 0},
		{`14`, 0},
		{`null`, 0},
		{`"P36500D"`, 3153600000},
		{`"P36501D"`, 3153600001},
	} {
		f.Add([]byte(seed.doc), seed.n)
	}
	f.Fuzz(func(t *testing.T, doc []byte, n int64) {
		// Reference: a JSON string, then Parse.
		var s string
		want, refErr := time.Duration(0), json.Unmarshal(doc, &s)
		if refErr == nil {
			want, refErr = Parse(s)
		}

		var got Duration
		err := json.Unmarshal(doc, &got)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("json.Unmarshal(%q) into Duration: error %v, want error %v", doc, err, refErr)
		}
		if err != nil {
			if got != 0 {
				t.Fatalf("json.Unmarshal(%q) into Duration failed (%v) but stored %v", doc, err, time.Duration(got))
			}
		} else {
			if got < 0 || time.Duration(got) > maxDuration {
				t.Fatalf("json.Unmarshal(%q) into Duration = %v, outside 0 to 100 years", doc, time.Duration(got))
			}
			if time.Duration(got) != want {
				t.Fatalf("json.Unmarshal(%q) into Duration = %v, want %v", doc, time.Duration(got), want)
			}
			checkRoundTrip(t, got)
		}

		// UnmarshalJSON itself, given a JSON value as the Unmarshaler
		// contract promises, agrees with the reference too.
		if json.Valid(doc) {
			var direct Duration
			err := direct.UnmarshalJSON(bytes.TrimSpace(doc))
			if (err == nil) != (refErr == nil) || time.Duration(direct) != want {
				t.Fatalf("Duration.UnmarshalJSON(%q) = %v, %v; want %v, error %v", doc, time.Duration(direct), err, want, refErr)
			}
		}

		// Any whole number of seconds in range survives a round trip.
		span := int64(maxDuration/time.Second) + 1
		checkRoundTrip(t, Duration(time.Duration((n%span+span)%span)*time.Second))
	})
}

func checkRoundTrip(t *testing.T, d Duration) {
	t.Helper()
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("json.Marshal(%v) = %v", time.Duration(d), err)
	}
	if want := strconv.Quote(Format(time.Duration(d))); string(out) != want {
		t.Fatalf("json.Marshal(%v) = %s, want %s", time.Duration(d), out, want)
	}
	var back Duration
	if err := json.Unmarshal(out, &back); err != nil || back != d {
		t.Fatalf("json.Unmarshal(json.Marshal(%v) = %s) = %v, %v", time.Duration(d), out, time.Duration(back), err)
	}
}
