#!/bin/sh
# fuzz-lib.sh: what fuzz-run.sh and fuzz-hunt.sh share: the work directory
# fuzzme reads, and hunt (a campaign on one planted bug of tests/progs/fuzzme,
# and the checks of what it found).  Sourced, not run.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

FUZZME=$PROGS/fuzzme
DIOS_FUZZ=$top_builddir/dios-fuzz
require_built "$FUZZME" "$DIOS_FUZZ"
require_tracing
tmpdir
JQ=$(command -v jq 2>/dev/null) || skip_all "jq is not installed (needed to read findings)"

W=$T/work
mkdir -p "$W/d" || bail_out "cannot make $W"
echo 1 >"$W/config"
printf 'HEADERHEADER\010\000\000\000body' >"$W/data"
: >"$W/d/a"
: >"$W/d/b"

# hunt MODE OPS KIND SIGNAL [RUNS [NAME]]: records `fuzzme MODE`, fuzzes
# it with OPS (systematic, at most RUNS runs, 400 by default), and checks
# the failure found; its files are named by NAME (default: MODE).
hunt()
{
	local mode=$1 ops=$2 kind=$3 sig=$4 runs=${5:-400} name=${6:-$1}
	local f=$T/f-$name
	if ! "$DIOS_RECORD" -q -o "$T/$name.json.zst" -- "$FUZZME" "$mode" "$W" >"$T/$name.rec" 2>&1 </dev/null; then
		ok "$name: the recorded run passes" 1 = 0
		diag_file "$T/$name.rec"
		return
	fi
	snapshot "$W" >"$T/$name.before"
	# 400 replays: a minute, or three under the sanitizers (on a loaded
	# machine they took more than one)
	run_to "$([ -n "${DIOS_SANITIZED:-}" ] && echo 180 || echo 60)" "$DIOS_FUZZ" run -q --systematic \
	    --runs "$runs" --seed 7 --mutations "$ops" -o "$f" "$T/$name.json.zst" \
	    >"$T/$name-run.o" 2>"$T/$name-run.e" </dev/null
	st=$?
	is "$st" 0 "$name: dios-fuzz run exits 0 (a failure found)"
	snapshot "$W" >"$T/$name.after"
	same_file "$T/$name.after" "$T/$name.before" "$name: the campaign touched no file of the program's"
	# the failure planted (the mutations may find others too: a loader
	# that does not retry EINTR, a close retried after EIO)
	local id
	id=$("$JQ" -r --arg k "$kind" --arg s "$sig" \
	    '[.unique[] | select(.kind == $k and .signal == $s)][0].id // empty' "$f/stats.json" 2>/dev/null)
	local meta=$f/failures/$(printf '%04d' "${id:-0}").json
	if ! ok "$name: the $kind${sig:+ ($sig)} is found and kept" -n "$id" -a -s "$meta" -a \
	    -s "${meta}.zst"; then
		diag_file "$T/$name-run.e"
		"$DIOS_FUZZ" report "$f" 2>&1 | grep failures/ | diag_file /dev/stdin
		return
	fi
	is "$("$JQ" -r '.mutation.op' "$meta")" "${ops%%,*}" "$name: found by the ${ops%%,*} mutation"
	local hits uniq
	hits=$("$JQ" '.failures' "$f/stats.json")
	uniq=$("$JQ" '.unique | length' "$f/stats.json")
	ok "$name: each failure kept once ($uniq unique of $hits hits)" "$uniq" -lt "$hits"
	local want i=1 good=0
	want=$("$JQ" -r '.status' "$meta")
	while [ $i -le 3 ]; do
		(cd "$W" && run_to 60 "$DIOS_REPLAY" -q "${meta}.zst") >/dev/null 2>&1 </dev/null
		[ $? -eq "$want" ] && good=$((good + 1))
		i=$((i + 1))
	done
	is "$good" 3 "$name: dios-replay of the reproducer ends with status $want, 3 times of 3"
	"$DIOS_FUZZ" report "$f" >"$T/$name.report" 2>&1
	has "$name: the report lists the failure" "$T/$name.report" "failures/$(printf '%04d' "$id").json.zst: $kind"
	has "$name: the report has the coverage table" "$T/$name.report" "^error-path coverage"
}

