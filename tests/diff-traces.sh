#!/bin/sh
# diff-traces.sh: dios-trace diff (and cat and stats) on traces that carry
# more than one task's calls: a portable trace (its blob lines are file
# contents, not events), a process tree (fork, exec, wait), threads, and
# signals.  Each is diffed with itself (status 0, "no difference", with
# nothing ignored too) and with a copy changed in one event (status 1, the
# right first difference at the right event).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DIOS_TRACE=$top_builddir/dios-trace
require_built "$DIOS_TRACE" "$PROGS/diverge1" "$PROGS/forkexec" "$PROGS/threads" "$PROGS/signals"
require_tracing
[ -n "$ZSTD" ] || skip_all "zstd is not installed (needed to edit traces)"
JQ=$(command -v jq 2>/dev/null) || skip_all "jq is not installed (needed to edit traces)"
tmpdir

W=$T/work
mkdir -p "$W" || bail_out "cannot make $W"
printf 'contents of a\n' >"$W/a.txt"
printf 'input of the exec-ed children\n' >"$W/input.txt"
for i in 0 1 2 3; do echo "data of thread $i" >"$W/in$i.txt"; done

# rec NAME STATUS [RECORD-OPTION]... -- PROG [ARG]...: records into $T/NAME.json.zst.
rec()
{
	local n=$1 want=$2
	shift 2
	(cd "$W" && run_to 120 "$DIOS_RECORD" -q -o "$T/$n.json.zst" "$@") </dev/null \
	    >"$T/$n.out" 2>"$T/$n.err"
	st=$?
	[ "$st" -eq "$want" ] || { diag_file "$T/$n.err"; bail_out "recording $n exited with $st, not $want"; }
}

# run NAME CMD...: CMD with stdout in $T/NAME.o, stderr in $T/NAME.e, status in $st.
# first TRACE JQ-FILTER: the number of the first event matching the filter.
first()
{
	"$ZSTD" -q -dc "$1" | "$JQ" -r "select(.seq != null) | select($2) | .seq" | head -n 1
}

# edit IN OUT FILTER: OUT is IN through jq -c FILTER.
edit()
{
	"$ZSTD" -q -dc "$1" | "$JQ" -c "$3" | "$ZSTD" -q -f -o "$2" || bail_out "cannot edit $1"
}

# self NAME: the trace diffed with itself is the same, whatever is ignored.
self()
{
	local t=$T/$1.json.zst
	run "$1-self" "$DIOS_TRACE" diff "$t" "$t"
	is "$st" 0 "$1: diff with itself: status 0"
	has "$1: diff with itself: no difference" "$T/$1-self.o" '^no difference$'
	run "$1-self0" "$DIOS_TRACE" diff --ignore= "$t" "$t"
	is "$st" 0 "$1: diff --ignore= with itself: status 0"
	ok "$1: diff with itself: every count is 0" \
	    -z "$(sed -n "/^differences/,\$p" "$T/$1-self0.o" | sed 1d | grep -E ' [1-9][0-9]*( |$)')"
	has "$1: diff counts the events, no more" "$T/$1-self.o" \
	    "^differences \\(A [^ ]+: $(events "$t") events, "
}

# changed NAME SEQ KIND TEXT: the trace against its copy $T/NAME-x.json.zst,
# changed at event SEQ: status 1, the first difference of kind TEXT there.
changed()
{
	local n=$1 seq=$2 kind=$3
	run "$n-x" "$DIOS_TRACE" diff --ignore= "$T/$n.json.zst" "$T/$n-x.json.zst"
	is "$st" 1 "$n: diff with a copy changed at event $seq: status 1"
	has "$n: the first difference is $kind" "$T/$n-x.o" "^first difference: $kind"
	has "$n: at event $seq of both" "$T/$n-x.o" "^  A event $seq \\(task [0-9]+\\): "
	has "$n: B's event $seq shown" "$T/$n-x.o" "^  B event $seq \\(task [0-9]+\\): "
}

## A portable trace: blob lines are no events
rec portable 9 --portable -- "$PROGS/diverge1"
"$ZSTD" -q -dc "$T/portable.json.zst" | grep -q '^{"blob"' || bail_out "the portable trace has no blob lines"
self portable
run pcat "$DIOS_TRACE" cat "$T/portable.json.zst"
is "$(grep -c '^[0-9]' "$T/pcat.o")" "$(events "$T/portable.json.zst")" \
    "portable: cat shows one line per event, none per blob line"
ok "portable: cat shows no unknown task event" -z "$(grep -F -e '--- ? ---' "$T/pcat.o")"
run pstats "$DIOS_TRACE" stats "$T/portable.json.zst"
has "portable: stats counts the events, not the blob lines" "$T/pstats.o" \
    "^events: +$(events "$T/portable.json.zst") \\("
has "portable: stats sees one task" "$T/pstats.o" '^tasks: +1 '
s=$(first "$T/portable.json.zst" '.sys == "read" and (.out.buf.text // "" | startswith("contents of a"))')
edit "$T/portable.json.zst" "$T/portable-x.json.zst" \
    "if .seq == $s then .out.buf.text = \"CONTENTS OF A\\n\" else . end"
changed portable "$s" 'file contents$'
# and against the same program recorded without --portable: the calls agree
rec plain 9 -- "$PROGS/diverge1"
run pplain "$DIOS_TRACE" diff "$T/portable.json.zst" "$T/plain.json.zst"
is "$st" 0 "portable against plain: status 0 (the blob lines are not compared as events)"

## A process tree: fork, exec, wait
rec forkexec 3 -- "$PROGS/forkexec" "$W"
self forkexec
pid=$("$ZSTD" -q -dc "$T/forkexec.json.zst" | head -n 1 | "$JQ" .pid)
s=$(first "$T/forkexec.json.zst" ".tid != $pid and .sys == \"read\" and (.out.buf.text // \"\" | startswith(\"input\"))")
[ -n "$s" ] || bail_out "forkexec: no child read its input"
edit "$T/forkexec.json.zst" "$T/forkexec-x.json.zst" \
    "if .seq == $s then .out.buf.text |= ascii_upcase else . end"
changed forkexec "$s" 'file contents$'
# a child that exited otherwise: the exit of a task
s=$(first "$T/forkexec.json.zst" ".tid != $pid and .event == \"exit\" and .exit != null")
edit "$T/forkexec.json.zst" "$T/forkexec-x.json.zst" \
    "if .seq == $s then .exit = 42 else . end"
changed forkexec "$s" 'other results$'

## The same calls, the tasks interleaved otherwise: a child's event and
## the parent's next one swapped.  The order is ignored by default; each
## task's calls are still compared with its counterpart's, so a change in
## the child after the swap is found at its own event.
"$ZSTD" -q -dc "$T/forkexec.json.zst" | "$JQ" -s -c --argjson pid "$pid" '
	(. as $l | [range(1; length - 1) | select($l[.].tid != null and $l[.].tid != $pid and
	    $l[. + 1].tid == $pid)] | first) as $i |
	if $i == null then error("no child event before a parent event") else
	.[:$i] + [.[$i + 1], .[$i]] + .[$i + 2:] end | .[]' |
    "$ZSTD" -q -f -o "$T/swapped.json.zst" || bail_out "cannot swap two events of forkexec"
run swapped "$DIOS_TRACE" diff "$T/forkexec.json.zst" "$T/swapped.json.zst"
is "$st" 0 "interleaved otherwise: status 0 (the order is ignored by default)"
has "interleaved otherwise: counted" "$T/swapped.o" '^  tasks interleaved differently +[1-9][0-9]* .*\(ignored\)$'
has "interleaved otherwise: no call asked differently" "$T/swapped.o" '^  calls asked differently +0$'
run swapped0 "$DIOS_TRACE" diff --ignore= "$T/forkexec.json.zst" "$T/swapped.json.zst"
is "$st" 1 "interleaved otherwise, --ignore=: status 1"
has "interleaved otherwise, --ignore=: the first difference is the order" "$T/swapped0.o" \
    '^first difference: tasks interleaved differently \(made by another task\)$'
s=$(first "$T/swapped.json.zst" ".tid != $pid and .sys == \"read\" and (.out.buf.text // \"\" | startswith(\"input\"))")
edit "$T/swapped.json.zst" "$T/swapped-x.json.zst" \
    "if .seq == $s then .out.buf.text |= ascii_upcase else . end"
run swappedx "$DIOS_TRACE" diff "$T/forkexec.json.zst" "$T/swapped-x.json.zst"
is "$st" 1 "interleaved otherwise and changed: status 1"
has "interleaved otherwise and changed: the first difference is the contents" "$T/swappedx.o" \
    '^first difference: file contents$'
has "interleaved otherwise and changed: at the child's read" "$T/swappedx.o" "^  B event $s \\(task "
has "interleaved otherwise and changed: nothing only in one trace" "$T/swappedx.o" '^  only in A +0$'

## Threads
rec threads 4 -- "$PROGS/threads" "$W"
self threads
pid=$("$ZSTD" -q -dc "$T/threads.json.zst" | head -n 1 | "$JQ" .pid)
s=$(first "$T/threads.json.zst" ".tid != $pid and .sys == \"read\" and (.out.buf.text // \"\" | startswith(\"data of thread\"))")
[ -n "$s" ] || bail_out "threads: no thread read its file"
edit "$T/threads.json.zst" "$T/threads-x.json.zst" \
    "if .seq == $s then .out.buf.text |= ascii_upcase else . end"
changed threads "$s" 'file contents$'

## Signals
rec signals 5 -- "$PROGS/signals"
self signals
s=$(first "$T/signals.json.zst" '.event == "signal"')
[ -n "$s" ] || bail_out "signals: no signal in the trace"
sig=$("$ZSTD" -q -dc "$T/signals.json.zst" | "$JQ" -r "select(.seq == $s) | .sig")
edit "$T/signals.json.zst" "$T/signals-x.json.zst" \
    "if .seq == $s then .sig = \"SIGWINCH\" | del(.info) else . end"
changed signals "$s" 'calls asked differently'
has "signals: the recorded signal is shown" "$T/signals-x.o" "^  A event $s \\(task [0-9]+\\): --- $sig (\\{.*\\} )?---$"
has "signals: and the changed one" "$T/signals-x.o" "^  B event $s \\(task [0-9]+\\): --- SIGWINCH ---$"

done_testing
