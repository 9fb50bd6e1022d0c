#!/bin/sh
# chaos.sh: dios-record --chaos (src/flaky/chaos.c).  Each class makes the
# test of tests/progs/flaky it concerns fail within a bounded number of
# seeds, the events it changed are marked "perturbed" with its name, and the
# failing trace replays to the same failure and output every time, with no
# chaos involved.  The same seed gives the same perturbations; the clocks
# never go back; a cut read keeps the count the program asked for.  Bad
# option values are one-line errors with status 2 and write no trace.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

FLAKY=$PROGS/flaky
require_built "$FLAKY"
require_tracing
tmpdir
JQ=$(command -v jq 2>/dev/null) || skip_all "jq is not installed (needed to read traces)"

# --- bad input -----------------------------------------------------------
for bad in "--chaos bogus" "--chaos sched,nope" "--chaos-seed 5" "--chaos all --chaos-seed x"; do
	run bad "$DIOS_RECORD" -o "$T/bad.json.zst" $bad -- true
	is "$st" 2 "dios-record $bad: status 2"
	ok "dios-record $bad: one line names the problem" "$(wc -l <"$T/bad.e")" -eq 1 -a -s "$T/bad.e"
	ok "dios-record $bad: no trace written" ! -e "$T/bad.json.zst"
done
has "an unknown class is named" "$T/bad.e" "chaos-seed|'x'"
run bad "$DIOS_RECORD" -o "$T/bad.json.zst" --chaos nope -- true
has "the unknown class is named with the ones there are" "$T/bad.e" "unknown chaos class 'nope'.*sched, time, io, dirs"

# --- the header and the seed ---------------------------------------------
mkdir -p "$T/d" && (cd "$T/d" && for i in $(seq 1 30); do : >"f$i"; done)
run h "$DIOS_RECORD" -o "$T/h.json.zst" --chaos all --chaos-seed 42 -- ls -f "$T/d"
is "$st" 0 "ls under all the chaos exits 0"
is "$("$ZSTD" -q -dc "$T/h.json.zst" | head -n 1 | "$JQ" -c .perturbed)" \
    '{"chaos":{"seed":42,"classes":["sched","time","io","dirs"]}}' "the header says the seed and the classes"
has "the summary says how many calls chaos changed" "$T/h.e" "chaos changed [0-9]+ calls? \\(seed 42\\)"
"$DIOS_RECORD" -q -o "$T/s1.json.zst" --chaos dirs --chaos-seed 7 -- ls -f "$T/d" >"$T/s1.o" 2>&1
"$DIOS_RECORD" -q -o "$T/s2.json.zst" --chaos dirs --chaos-seed 7 -- ls -f "$T/d" >"$T/s2.o" 2>&1
same_file "$T/s2.o" "$T/s1.o" "the same seed lists the directory in the same order"
ls -f "$T/d" >"$T/native.o"
differ=0
for s in 1 2 3 4 5; do
	"$DIOS_RECORD" -q -f -o "$T/s3.json.zst" --chaos dirs --chaos-seed $s -- ls -f "$T/d" >"$T/s3.o" 2>&1
	cmp -s "$T/s3.o" "$T/native.o" || differ=$((differ + 1))
done
ok "five seeds list 30 names in another order than natively ($differ of 5)" "$differ" -ge 4
is "$(sort "$T/s3.o" | tr '\n' ' ')" "$(sort "$T/native.o" | tr '\n' ' ')" "the same names, none lost or doubled"
is "$(events "$T/s3.json.zst" '.perturbed == "chaos:dirs"')" \
    "$(events "$T/s3.json.zst" '.sys == "getdents64" and .ret > 48')" "each listing with entries is marked chaos:dirs"

# --- each class finds the failure it concerns, and the trace replays it --
# catch MODE CLASS: records `flaky MODE` with --chaos CLASS, seeds 1..60,
# until it fails; then replays the failing trace five times.
catch()
{
	local mode=$1 class=$2 s=1 w=$T/$1
	mkdir -p "$w"
	[ "$mode" != dirorder ] || "$FLAKY" dirorder "$w" >/dev/null	# the golden listing, natively
	while [ $s -le 60 ]; do
		"$DIOS_RECORD" -q -f -o "$w/t.json.zst" --chaos "$class" --chaos-seed $s -- \
		    "$FLAKY" "$mode" "$w" >"$w/rec.o" 2>"$w/rec.e" </dev/null
		[ $? -eq 0 ] || break
		s=$((s + 1))
	done
	if ! ok "$mode: --chaos $class makes it fail within 60 seeds (seed $s)" $s -le 60; then
		diag_file "$w/rec.o"
		return
	fi
	has "$mode: the recording printed the failure" "$w/rec.o" "^FAIL"
	ok "$mode: events are marked chaos:$class" "$(events "$w/t.json.zst" ".perturbed == \"chaos:$class\"")" -gt 0
	local i=1 good=0
	while [ $i -le 5 ]; do
		(cd "$w" && run_to 60 "$DIOS_REPLAY" "$w/t.json.zst") >"$w/rep.o" 2>"$w/rep.e" </dev/null
		[ $? -eq 1 ] && cmp -s "$w/rep.o" "$w/rec.o" && good=$((good + 1))
		i=$((i + 1))
	done
	if ! is "$good" 5 "$mode: 5 of 5 replays fail the same way with the same output"; then
		diag_file "$w/rep.e"
	fi
}

catch dirorder dirs
catch shortread io
catch race sched
catch timeout time

# the cut read: the program asked for 4096 bytes, got fewer than the 200 written
if [ -f "$T/shortread/t.json.zst" ]; then
	is "$("$ZSTD" -q -dc "$T/shortread/t.json.zst" | "$JQ" -c \
	    'select(.perturbed == "chaos:io" and .sys == "read") | [.args.count, (.ret < 200)]' | head -n 1)" \
	    "[4096,true]" "the cut read is recorded with the count the program asked for"
fi

# --- the clocks run ahead, never back -------------------------------------
"$DIOS_RECORD" -q -o "$T/clk.json.zst" --chaos time --chaos-seed 3 -- sh -c \
    'for i in 1 2 3 4 5 6 7 8; do date +%s%N; done' >"$T/clk.o" 2>&1
is "$(sort -n "$T/clk.o" | tr '\n' ' ')" "$(tr '\n' ' ' <"$T/clk.o")" "the readings the program printed never go back"
is "$("$ZSTD" -q -dc "$T/clk.json.zst" | "$JQ" -s '[.[] | select(.sys == "clock_gettime" and .args.clockid == 1) |
    .out.tp.sec * 1000000000 + .out.tp.nsec] | . as $a | [range(1; length) | select($a[.] < $a[. - 1])] | length')" \
    0 "CLOCK_MONOTONIC readings in the trace never go back"
ok "some readings were moved ahead" "$(events "$T/clk.json.zst" '.perturbed == "chaos:time"')" -gt 0

done_testing
