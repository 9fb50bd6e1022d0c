#!/bin/sh
# fuzz-campaign.sh: a dios-fuzz campaign itself (src/fuzz/campaign.c), on
# fuzzme's open bug: a seeded campaign repeats; -j 2 and two named workers
# sharing a directory keep each failure once and the report merges them;
# Ctrl-C ends it cleanly; no EINTR where no handler can take one; bad input
# is a one-line error.  Apart from fuzz-run.sh so that make -j runs them at
# once.
. "${top_srcdir:-$(dirname "$0")/..}/tests/fuzz-lib.sh"

"$DIOS_RECORD" -q -o "$T/open.json.zst" -- "$FUZZME" open "$W" >"$T/open.rec" 2>&1 </dev/null
is "$?" 0 "fuzzme open: recorded"

# a seeded random campaign repeats: the same runs, the same findings
"$DIOS_FUZZ" run -q --runs 30 --seed 42 -o "$T/s1" "$T/open.json.zst" >/dev/null 2>&1
"$DIOS_FUZZ" run -q --runs 30 --seed 42 -o "$T/s2" "$T/open.json.zst" >/dev/null 2>&1
is "$("$JQ" -c '[.coverage, [.unique[].key]]' "$T/s2/stats.json")" \
    "$("$JQ" -c '[.coverage, [.unique[].key]]' "$T/s1/stats.json")" "--seed 42 twice: the same runs and findings"

# workers: -j 2 here, and two named workers sharing a directory (as two
# machines would): each failure kept once, the report merges them
if [ -s "$T/open.json.zst" ]; then
	run j2 "$DIOS_FUZZ" run -q -j 2 --runs 80 --seed 5 --mutations error -o "$T/j2" "$T/open.json.zst"
	is "$st" 0 "-j 2: a failure found"
	is "$("$JQ" -r '.workers' "$T/j2/stats.json")" 2 "-j 2: two workers' stats merged"
	is "$("$JQ" -r '.runs' "$T/j2/stats.json")" 80 "-j 2: 80 runs in all"
	is "$(ls "$T/j2/failures" | grep -c 'json.zst$')" "$("$JQ" '.unique | length' "$T/j2/stats.json")" \
	    "-j 2: one reproducer per unique failure"
	"$DIOS_FUZZ" run -q --worker a --runs 30 --seed 5 --mutations error -o "$T/sh" "$T/open.json.zst" >/dev/null 2>&1
	"$DIOS_FUZZ" run -q --worker b --runs 30 --seed 6 --mutations error -o "$T/sh" "$T/open.json.zst" >/dev/null 2>&1
	"$DIOS_FUZZ" report --json "$T/sh" >"$T/sh.json" 2>/dev/null
	is "$("$JQ" -r '[.workers, .runs] | @tsv' "$T/sh.json")" "$(printf '2\t60')" "--worker a, b: the report merges both"
	is "$("$JQ" '[.unique[].key] | length' "$T/sh.json")" "$("$JQ" '[.unique[].key] | unique | length' "$T/sh.json")" \
	    "--worker a, b: each failure once"
	run w3 "$DIOS_FUZZ" run -q --worker a --runs 3 -o "$T/sh" "$T/open.json.zst"
	ok "--worker a again: refused" "$st" -ne 0 -a "$st" -ne 1
fi

# Ctrl-C ends a campaign cleanly: its findings are kept, nothing of it runs on
if [ -s "$T/open.json.zst" ]; then
	"$DIOS_FUZZ" run -q --seed 3 -o "$T/int" "$T/open.json.zst" >/dev/null 2>"$T/int.e" &
	pid=$!
	sleep 3
	kill -INT $pid
	wait $pid
	st=$?
	ok "SIGINT: the campaign ends with a status for what it found ($st)" "$st" -eq 0 -o "$st" -eq 1
	ok "SIGINT: the findings are written" -s "$T/int/stats.json"
	sleep 1
	left=$(ps -eo pid,args | grep -F "$T/int/.work" | grep -v grep | wc -l | tr -d ' ')
	is "$left" 0 "SIGINT: no replay of the campaign runs on"
fi

# EINTR only where a signal handler can interrupt a call: fuzzme has none,
# so no EINTR is applied, none is a finding, and the campaign ends when
# nothing else is left
if [ -s "$T/open.json.zst" ]; then
	run_to "$([ -n "${DIOS_SANITIZED:-}" ] && echo 180 || echo 60)" "$DIOS_FUZZ" run -q --runs 25 --seed 2 \
	    --mutations eintr -o "$T/noeintr" "$T/open.json.zst" >/dev/null 2>"$T/noeintr.e" </dev/null
	st=$?
	ok "eintr with no handler: the campaign ends ($st)" "$st" -eq 0 -o "$st" -eq 1
	is "$("$JQ" '[.unique[] | select(.key | test("eintr"))] | length' "$T/noeintr/stats.json" 2>/dev/null)" 0 \
	    "eintr with no handler: no EINTR finding"
	ok "eintr with no handler: the runs say none was applied" \
	    "$("$JQ" '.runs_not_applied' "$T/noeintr/stats.json" 2>/dev/null || echo 0)" -gt 0
fi

# bad input
run b1 "$DIOS_FUZZ" run -o "$T/b1" "$T/missing.json.zst"
ok "a missing trace: an error status" "$st" -ne 0 -a "$st" -ne 1
is "$(wc -l <"$T/b1.e" | tr -d ' ')" 1 "a missing trace: one line"
run b2 "$DIOS_FUZZ" run -o "$T/s1" "$T/open.json.zst"
ok "findings already there: refused" "$st" -ne 0 -a "$st" -ne 1
has "findings already there: says --force" "$T/b2.e" "force"
run b3 "$DIOS_FUZZ" run --mutations nope -o "$T/b3" "$T/open.json.zst"
is "$st" 2 "an unknown mutation: status 2"
has "an unknown mutation: named" "$T/b3.e" "unknown mutation 'nope'"
run b4 "$DIOS_FUZZ" report "$T/nothing"
ok "report of a directory that is no campaign: an error" "$st" -ne 0
done_testing
