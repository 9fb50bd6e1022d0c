#!/bin/sh
# bench/flaky.sh BUILDDIR: the flaky benchmark of issue 13 (item 6), over
# the tests of tests/progs/flaky, each flaky in one way studies of flaky
# tests report.  Per test it prints:
#   native      the failure rate of N native runs
#   dios        the failure rate of M runs under dios-record, no chaos
#   sched time io dirs   the failure rate of M runs under each chaos class
#   first       runs to the first failure: dios-flaky run (no chaos), then
#               with --chaos (all classes), budget 1000 runs each
#   replay      of R replays of the first failing trace, how many ended
#               with its status and output
#   explain     the class dios-flaky explain named, and the cause planted
# then the issue's goals: 90% or more of the tests caught within 1000 runs;
# each chaos class raises the failure rate of the tests it concerns 3 times
# or more; R of R replays; explain right for 80% or more.
# Sizes: FLAKY_NATIVE (200), FLAKY_RUNS (100), FLAKY_REPLAYS (100).
# It takes several minutes.  `make bench-flaky` runs it on this build.
set -u
B=${1:-.}
FLAKY=$B/tests/progs/flaky
REC=$B/dios-record
REP=$B/dios-replay
DF=$B/dios-flaky
N=${FLAKY_NATIVE:-200}
M=${FLAKY_RUNS:-100}
R=${FLAKY_REPLAYS:-100}
for f in "$FLAKY" "$REC" "$REP" "$DF"; do
	[ -x "$f" ] || { echo "bench/flaky.sh: $f is not built (make check builds tests/progs/flaky)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "bench/flaky.sh: jq is needed" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/dios-bench-flaky.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT INT TERM

# the cause each test has, and the chaos class that concerns it
cause() {
	case $1 in
	timeout|elapsed) echo time ;;
	dirorder) echo dirs ;;
	race) echo sched ;;
	shortread) echo io ;;
	*) echo random ;;
	esac
}

# rate CMD...: failures of M runs of CMD (in $W/$mode)
fails() {
	local n=$1 i=0 f=0
	shift
	while [ $i -lt "$n" ]; do
		"$@" >/dev/null 2>&1 </dev/null || f=$((f + 1))
		i=$((i + 1))
	done
	echo $f
}

printf '%-10s %7s %7s %7s %7s %7s %7s %6s %6s %8s %-8s %-7s\n' test native dios sched time io dirs \
    first chaos replay explain cause
caught=0 total=0 right=0 explained=0 raised_ok=0 raised_n=0 replays_ok=0 replays_n=0
for mode in timeout elapsed random order dirorder race port hashorder shortread; do
	d=$W/$mode
	mkdir -p "$d"
	[ "$mode" != dirorder ] || "$FLAKY" dirorder "$d" >/dev/null	# the golden listing, natively
	total=$((total + 1))
	nat=$(fails "$N" "$FLAKY" "$mode" "$d")
	dio=$(fails "$M" "$REC" -q -f -o "$d/t.json.zst" -- "$FLAKY" "$mode" "$d")
	rates=""
	for c in sched time io dirs; do
		r=$(fails "$M" "$REC" -q -f -o "$d/t.json.zst" --chaos "$c" -- "$FLAKY" "$mode" "$d")
		rates="$rates $r"
		eval "rate_$c=$r"
	done
	# runs to the first failure, without and with chaos
	first=-
	"$DF" run --json -f -o "$d/plain" --runs 1000 -- "$FLAKY" "$mode" "$d" >"$d/plain.json" 2>/dev/null
	[ $? -eq 0 ] && first=$(jq -r '.failures[0].run' "$d/plain.json")
	cfirst=-
	"$DF" run --json -f -o "$d/chaos" --chaos --runs 1000 -- "$FLAKY" "$mode" "$d" >"$d/chaos.json" 2>/dev/null
	[ $? -eq 0 ] && cfirst=$(jq -r '.failures[0].run' "$d/chaos.json")
	[ "$first" = - ] && [ "$cfirst" = - ] || caught=$((caught + 1))
	# replays of the first failing trace, and explain against the last pass
	rep=- ex=-
	for run in chaos plain; do
		js=$d/$run.json
		[ -s "$js" ] && [ "$(jq -r '.failed' "$js")" != 0 ] || continue
		ft=$(jq -r '.failures[0].trace' "$js")
		fl=$(jq -r '.failures[0].log' "$js")
		fs=$(jq -r '.failures[0].status' "$js")
		pt=$(jq -r '.last_pass.trace // empty' "$js")
		if [ -z "$pt" ]; then
			# it failed at once: a passing run to explain it against
			i=0
			while [ $i -lt 20 ]; do
				if "$REC" -q -f -o "$d/pass.json.zst" -- "$FLAKY" "$mode" "$d" >/dev/null 2>&1 </dev/null; then
					pt=$d/pass.json.zst
					break
				fi
				i=$((i + 1))
			done
		fi
		i=0 good=0
		while [ $i -lt "$R" ]; do
			"$REP" "$ft" >"$d/rep.o" 2>"$d/rep.e" </dev/null
			st=$?
			# the program's own lines: the log holds stdout and stderr
			grep -v '^dios-' "$d/rep.o" "$d/rep.e" -h | sort >"$d/rep.lines"
			grep -v '^dios-' "$fl" | sort >"$d/log.lines"
			[ "$st" = "$fs" ] && cmp -s "$d/rep.lines" "$d/log.lines" && good=$((good + 1))
			i=$((i + 1))
		done
		rep="$good/$R"
		replays_n=$((replays_n + 1))
		[ "$good" = "$R" ] && replays_ok=$((replays_ok + 1))
		if [ -n "$pt" ]; then
			ex=$("$DF" explain --json --runs 10 "$pt" "$ft" 2>/dev/null | jq -r '.class // "-"')
			explained=$((explained + 1))
			[ "$ex" = "$(cause "$mode")" ] && right=$((right + 1))
		fi
		break
	done
	# does the class that concerns it raise its rate 3 times?
	c=$(cause "$mode")
	if [ "$c" != random ]; then
		eval "cr=\$rate_$c"
		base=$dio
		[ "$base" -gt 0 ] || base=0
		raised_n=$((raised_n + 1))
		if [ "$cr" -ge $((3 * base)) ] && [ "$cr" -gt 0 ]; then
			raised_ok=$((raised_ok + 1))
		fi
	fi
	# shellcheck disable=SC2086
	set -- $rates
	printf '%-10s %6s%% %6s%% %6s%% %6s%% %6s%% %6s%% %6s %6s %8s %-8s %-7s\n' "$mode" \
	    "$(awk "BEGIN{printf \"%.1f\", 100*$nat/$N}")" "$(awk "BEGIN{printf \"%.1f\", 100*$dio/$M}")" \
	    "$(awk "BEGIN{printf \"%.1f\", 100*$1/$M}")" "$(awk "BEGIN{printf \"%.1f\", 100*$2/$M}")" \
	    "$(awk "BEGIN{printf \"%.1f\", 100*$3/$M}")" "$(awk "BEGIN{printf \"%.1f\", 100*$4/$M}")" \
	    "$first" "$cfirst" "$rep" "$ex" "$(cause "$mode")"
done
echo
echo "caught within 1000 runs: $caught of $total ($(awk "BEGIN{printf \"%.0f\", 100*$caught/$total}")%; goal 90%)"
echo "chaos raises the rate of the tests its class concerns 3 times or more: $raised_ok of $raised_n"
echo "replays that reproduced every time ($R of $R): $replays_ok of $replays_n traces"
[ "$explained" -gt 0 ] && echo "explain named the planted cause: $right of $explained ($(awk "BEGIN{printf \"%.0f\", 100*$right/$explained}")%; goal 80%)"
