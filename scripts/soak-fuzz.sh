#!/usr/bin/env bash
# soak-fuzz.sh runs every fuzz target in turn for FUZZTIME (60s by default) and
# prints a table of targets, executions and results. It exits non-zero when a
# target fails; the failing input is then in that package's testdata/fuzz.
#
#   scripts/soak-fuzz.sh                 # a minute each
#   FUZZTIME=10m scripts/soak-fuzz.sh    # a longer soak
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-60s}
GO=${GO:-go}

# package  target
targets=(
	"./internal/access/ FuzzScope"
	"./internal/access/ FuzzScopeWithin"
	"./internal/access/ FuzzDecide"
	"./internal/period/ FuzzParse"
	"./internal/period/ FuzzDurationJSON"
	"./internal/httpapi/ FuzzDecode"
	"./internal/token/ FuzzJWTParseIndependent"
)

log=$(mktemp)
trap 'rm -f "$log"' EXIT

rows=()
failed=0
for entry in "${targets[@]}"; do
	read -r pkg name <<<"$entry"
	echo "=== $name ($pkg) for $FUZZTIME"
	if "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1 | tee "$log"; then
		result=ok
	else
		result=FAIL
		failed=1
	fi
	# The last progress line holds the total: "fuzz: elapsed: 1m0s, execs: 1234567 (20575/sec), …".
	execs=$(sed -n 's/^fuzz: elapsed: .*, execs: \([0-9][0-9]*\) .*/\1/p' "$log" | tail -n 1)
	rows+=("$name ${execs:--} $result")
done

echo
printf '%-26s %14s  %s\n' TARGET EXECS RESULT
for row in "${rows[@]}"; do
	read -r name execs result <<<"$row"
	printf '%-26s %14s  %s\n' "$name" "$execs" "$result"
done
exit "$failed"
