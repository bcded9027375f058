package main

import (
	"strings"
	"testing"
	"time"
)

const events = `{"Action":"start","Package":"x/a"}
{"Action":"run","Package":"x/a","Test":"TestGood"}
{"Action":"output","Package":"x/a","Test":"TestGood","Output":"=== RUN   TestGood\n"}
{"Action":"pass","Package":"x/a","Test":"TestGood"}
{"Action":"run","Package":"x/a","Test":"TestBad"}
{"Action":"output","Package":"x/a","Test":"TestBad","Output":"    a_test.go:9: Decide() = deny, want allow\n"}
{"Action":"fail","Package":"x/a","Test":"TestBad"}
{"Action":"output","Package":"x/a","Output":"FAIL\tx/a\t0.1s\n"}
{"Action":"fail","Package":"x/a"}
{"Action":"start","Package":"x/b"}
{"Action":"output","Package":"x/b","Output":"ok  \tx/b\t0.2s\n"}
{"Action":"pass","Package":"x/b"}
`

func TestPrintsWhatGoTestPrints(t *testing.T) {
	var out strings.Builder
	code := run(strings.NewReader(events), &out, time.Hour)
	got := out.String()
	if code != 1 {
		t.Errorf("exit %d, want 1 for a failed test", code)
	}
	for _, want := range []string{"Decide() = deny, want allow", "FAIL\tx/a", "ok  \tx/b"} {
		if !strings.Contains(got, want) {
			t.Errorf("output %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "=== RUN   TestGood") {
		t.Errorf("output %q shows a passing test's output", got)
	}
	var clean strings.Builder
	if code := run(strings.NewReader(events[strings.Index(events, `{"Action":"start","Package":"x/b"}`):]), &clean, time.Hour); code != 0 {
		t.Errorf("exit %d for a passing package, want 0", code)
	}
}
