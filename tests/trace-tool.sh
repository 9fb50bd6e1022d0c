#!/bin/sh
# trace-tool.sh: dios-trace cat, stats, diff and validate on traces of the
# small programs of tests/progs, and traces edited with zstd and jq that
# still replay (dios-trace(5), EDITING).
#
# diverge1 reads a.txt and prints it and a greeting (exit 9); diverge2
# opens b.txt instead; diverge4 opens c.txt at the end; clock reads every
# clock (exit 5).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DIOS_TRACE=$top_builddir/dios-trace
require_built "$DIOS_TRACE" "$PROGS/diverge1" "$PROGS/diverge2" "$PROGS/diverge4" "$PROGS/clock"
require_tracing
[ -n "$ZSTD" ] || skip_all "zstd is not installed (needed to edit traces)"
JQ=$(command -v jq 2>/dev/null) || skip_all "jq is not installed (needed to edit traces)"
tmpdir

W=$T/work
mkdir -p "$W" || bail_out "cannot make $W"
for p in diverge1 diverge2 diverge4 clock; do
	cp "$PROGS/$p" "$W/$p" || bail_out "cannot copy $p"
done
printf 'contents of a\n' >"$W/a.txt"
printf 'contents of b\n' >"$W/b.txt"

# rec NAME PROG STATUS: records PROG in $W into $T/NAME.json.zst.
rec()
{
	(cd "$W" && run_to 60 "$DIOS_RECORD" -q -o "$T/$1.json.zst" -- "./$2") </dev/null \
	    >"$T/$1.out" 2>"$T/$1.err"
	st=$?
	[ "$st" -eq "$3" ] || { diag_file "$T/$1.err"; bail_out "recording $2 exited with $st, not $3"; }
}
rec t1 diverge1 9
rec t1b diverge1 9
rec t2 diverge2 9
rec t4 diverge4 9
rec tc clock 5

# run NAME CMD...: CMD with stdout in $T/NAME.o, stderr in $T/NAME.e, status in $st.
# edit IN OUT FILTER: OUT is IN through jq -c FILTER.
edit()
{
	"$ZSTD" -q -dc "$1" | "$JQ" -c "$3" | "$ZSTD" -q -o "$2" || bail_out "cannot edit $1"
}

A=$(printf '%s' "$W/a.txt" | sed 's/[.[\*^$/]/\\&/g')

## cat
run cat "$DIOS_TRACE" cat "$T/t1.json.zst"
is "$st" 0 "cat: exit status 0"
# The descriptor a.txt gets (3, or more when the caller left others open).
fd=$(sed -n 's/.* openat(AT_FDCWD, "a\.txt", .* = \([0-9]*\)<.*/\1/p' "$T/cat.o")
has "cat: the open of a.txt, its flags by name and its descriptor's path" "$T/cat.o" \
    '^[0-9]+ [0-9]+ openat\(AT_FDCWD, "a\.txt", O_RDONLY, 0\) = '"$fd"'<'"$A"'>$'
has "cat: the read, its descriptor's path and the data" "$T/cat.o" \
    '^[0-9]+ [0-9]+ read\('"$fd"'<'"$A"'>, "contents of a\\n", 64\) = 14$'
has "cat: the close names the file too" "$T/cat.o" '^[0-9]+ [0-9]+ close\('"$fd"'<'"$A"'>\) = 0$'
has "cat: the write to stdout" "$T/cat.o" '^[0-9]+ [0-9]+ write\(1, "hello, world!\\n", 14\) = 14$'
has "cat: rdtsc reads are shown" "$T/cat.o" '^[0-9]+ [0-9]+ rdtsc\(\) = [0-9]+$'
has "cat: a failed call shows its error by name" "$T/cat.o" \
    '^[0-9]+ [0-9]+ access\("/etc/ld\.so\.preload", R_OK\) = -1 ENOENT \(No such file or directory\)$'
is "$(tail -n 1 "$T/cat.o")" "+++ exited with 9 +++" "cat: the end as strace shows it"
is "$(grep -c '^[0-9]' "$T/cat.o")" "$(events "$T/t1.json.zst")" "cat: one line per event"
is "$(grep -E '^[0-9]+ ' "$T/cat.o" | awk '{ print $1 }' | tr '\n' ' ')" \
    "$(seq 0 $(($(events "$T/t1.json.zst") - 1)) | tr '\n' ' ')" "cat: the lines start with the event numbers, in order"
seq_a=$(grep -E 'openat\(AT_FDCWD, "a\.txt"' "$T/cat.o" | awk '{ print $1 }')

run cats "$DIOS_TRACE" cat -s 4 "$T/t1.json.zst"
has "cat -s 4: buffers cut to 4 bytes as strace -s does" "$T/cats.o" \
    ' read\('"$fd"'<'"$A"'>, "cont"\.\.\., 64\) = 14$'

run catf "$DIOS_TRACE" cat -e trace=file "$T/t1.json.zst"
is "$(grep -c '^[0-9]' "$T/catf.o")" "$(events "$T/t1.json.zst" '.sys == "openat" or .sys == "access" or .sys == "newfstatat" or .sys == "stat"')" \
    "cat -e trace=file: the calls of class file, and only those"
has "cat -e trace=file: the open of a.txt" "$T/catf.o" 'openat\(AT_FDCWD, "a\.txt"'
run catw "$DIOS_TRACE" cat -e trace=write,close "$T/t1.json.zst"
is "$(grep '^[0-9]' "$T/catw.o" | sed 's/^[0-9]* [0-9]* \([a-z]*\)(.*/\1/' | sort -u | tr '\n' ' ')" \
    "close write " "cat -e trace=write,close: only writes and closes"
run catn "$DIOS_TRACE" cat -e 'trace=!fd,file' "$T/t1.json.zst"
ok "cat -e trace=!fd,file: neither writes nor opens" \
    -z "$(grep -E ' (write|openat|read)\(' "$T/catn.o")" -a -n "$(grep ' mmap(' "$T/catn.o")"
run catr "$DIOS_TRACE" cat --from "$seq_a" --to $((seq_a + 1)) "$T/t1.json.zst"
is "$(awk '{ print $1 }' "$T/catr.o" | tr '\n' ' ')" "$seq_a $((seq_a + 1)) " \
    "cat --from N --to M: events N to M"
run catt "$DIOS_TRACE" cat --tid 1 "$T/t1.json.zst"
is "$(cat "$T/catt.o")" "+++ exited with 9 +++" "cat --tid with another task: no event"
pid=$("$ZSTD" -q -dc "$T/t1.json.zst" | head -n 1 | "$JQ" .pid)
run catt2 "$DIOS_TRACE" cat --tid "$pid" "$T/t1.json.zst"
same_file "$T/catt2.o" "$T/cat.o" "cat --tid with the program's task: every event"
run catj "$DIOS_TRACE" cat --json -e trace=read "$T/t1.json.zst"
is "$st/$("$JQ" -r .sys <"$T/catj.o" | sort -u)" "0/read" "cat --json -e trace=read: JSON lines of the reads"
is "$("$JQ" -c 'select(.args.fd == 3)' <"$T/catj.o")" \
    "$("$ZSTD" -q -dc "$T/t1.json.zst" | "$JQ" -c 'select(.sys == "read" and .args.fd == 3)')" \
    "cat --json: the events as in the trace"
run catc "$DIOS_TRACE" cat -e trace=clock "$T/tc.json.zst"
has "cat: clock ids by name, structures by field" "$T/catc.o" \
    ' clock_gettime\(CLOCK_REALTIME, \{sec=[0-9]+, nsec=[0-9]+\}\) = 0$'
has "cat: an unknown clock id as a number, EINVAL by name" "$T/catc.o" \
    ' clock_getres\(1234, \.\.\.\) = -1 EINVAL \(Invalid argument\)$'
has "cat: flags of a sleep by name" "$T/catc.o" ' clock_nanosleep\(CLOCK_MONOTONIC, TIMER_ABSTIME, '
edit "$T/t1.json.zst" "$T/sig.json.zst" "if .seq == $seq_a then {seq: .seq, tid, event: \"signal\", sig: \"SIGINT\"} else . end"
run catsig "$DIOS_TRACE" cat --from "$seq_a" --to "$seq_a" "$T/sig.json.zst"
is "$(cat "$T/catsig.o")" "$seq_a $pid --- SIGINT ---" "cat: a signal as strace shows it"
run catbad "$DIOS_TRACE" cat -e trace=bogus "$T/t1.json.zst"
is "$st:$(wc -l <"$T/catbad.e" | tr -d ' ')" "2:1" "cat -e trace=bogus: status 2, one line"
has "cat -e trace=bogus: the message names it" "$T/catbad.e" "'bogus' is neither a class"
run catmiss "$DIOS_TRACE" cat "$T/missing.json.zst"
is "$st" 2 "cat of a missing file: status 2"
has "cat of a missing file: says so" "$T/catmiss.e" "missing\.json\.zst: no such trace file"

## stats
run stats "$DIOS_TRACE" stats "$T/t1.json.zst"
is "$st" 0 "stats: exit status 0"
has "stats: how the program ended" "$T/stats.o" '^end: +exit 9$'
has "stats: the events" "$T/stats.o" "^events: +$(events "$T/t1.json.zst") \\($(events "$T/t1.json.zst" .sys) system calls, $(events "$T/t1.json.zst" '.err') failed"
has "stats: the task" "$T/stats.o" "^tasks: +1 \\($pid: $(events "$T/t1.json.zst") events\\)$"
has "stats: calls per syscall" "$T/stats.o" "^openat +$(events "$T/t1.json.zst" '.sys == "openat"') +0 +0$"
wbytes=$("$ZSTD" -q -dc "$T/t1.json.zst" | "$JQ" -s '[.[] | select(.sys == "write") | .ret] | add')
has "stats: bytes per syscall" "$T/stats.o" "^write +3 +0 +$wbytes$"
has "stats: errors per class" "$T/stats.o" "^file +[0-9]+ +$(events "$T/t1.json.zst" '.err and (.sys == "access" or .sys == "openat")') +0$"
has "stats: the files touched" "$T/stats.o" "^ +1 +0 +a\\.txt$"
has "stats: compressed and decompressed sizes" "$T/stats.o" \
    "^size: +$(wc -c <"$T/t1.json.zst" | tr -d ' ') bytes compressed, $("$ZSTD" -q -dc "$T/t1.json.zst" | wc -c | tr -d ' ') bytes of JSON Lines"
run statc "$DIOS_TRACE" stats "$T/tc.json.zst"
has "stats: the duration, from the clock reads" "$T/statc.o" '^duration: +0\.[0-9]+ s '
has "stats: the monotonic span covers the sleeps (80 ms)" "$T/statc.o" '^monotonic: +0\.(0[89]|[1-9])[0-9]* s'
run statm "$DIOS_TRACE" stats "$T/missing.json.zst"
is "$st" 2 "stats of a missing file: status 2"

## diff
run d_same "$DIOS_TRACE" diff "$T/t1.json.zst" "$T/t1b.json.zst"
is "$st" 0 "diff of two runs of one program: status 0"
has "diff of two runs: no difference but time (the rdtsc reads)" "$T/d_same.o" '^no difference'
run d_self "$DIOS_TRACE" diff --ignore= "$T/t1.json.zst" "$T/t1.json.zst"
is "$st" 0 "diff --ignore= of a trace with itself: status 0"
run d_path "$DIOS_TRACE" diff "$T/t1.json.zst" "$T/t2.json.zst"
is "$st" 1 "diff, another file opened: status 1"
has "diff: the first difference is a call asked differently, in its path" "$T/d_path.o" \
    '^first difference: calls asked differently \(the call.s "path" differs\)$'
has "diff: event A rendered with its number" "$T/d_path.o" "^  A event $seq_a \\(task [0-9]+\\): openat\\(AT_FDCWD, \"a\\.txt\""
has "diff: event B rendered with its number" "$T/d_path.o" "^  B event $seq_a \\(task [0-9]+\\): openat\\(AT_FDCWD, \"b\\.txt\""
has "diff: the read that follows counts as file contents" "$T/d_path.o" "^  file contents +1 +first at A $((seq_a + 1)), B $((seq_a + 1))$"
run d_extra "$DIOS_TRACE" diff "$T/t1.json.zst" "$T/t4.json.zst"
is "$st" 1 "diff, one more call at the end: status 1"
has "diff: the extra call is only in B" "$T/d_extra.o" '^  B event [0-9]+ \(task [0-9]+\): openat\(AT_FDCWD, "c\.txt"'
has "diff: counted as only in B" "$T/d_extra.o" '^  only in B +1 '
n1=$(events "$T/t1.json.zst")
edit "$T/t1.json.zst" "$T/del.json.zst" "select(.seq != $((seq_a + 2)))"
run d_del "$DIOS_TRACE" diff "$T/del.json.zst" "$T/t1.json.zst"
is "$st" 1 "diff, one call missing in the middle: status 1"
has "diff: the missing close is the only difference" "$T/d_del.o" "^  B event $((seq_a + 2)) \\(task [0-9]+\\): close\\($fd<"
ok "diff: and the rest is aligned again (nothing else counted)" \
    -z "$(grep -E '^  (calls asked|only in A|file contents|errors|other)' "$T/d_del.o" | grep -v ' 0$')"
edit "$T/t1.json.zst" "$T/content.json.zst" \
    "if .seq == $((seq_a + 1)) then .out.buf = {text: \"contents of A\\n\"} else . end"
run d_cont "$DIOS_TRACE" diff "$T/t1.json.zst" "$T/content.json.zst"
is "$st" 1 "diff, other file contents: status 1"
has "diff: first difference: file contents" "$T/d_cont.o" '^first difference: file contents$'
has "diff: with the new bytes" "$T/d_cont.o" "^  B event $((seq_a + 1)) .*\"contents of A\\\\n\""
edit "$T/t1.json.zst" "$T/enoent.json.zst" \
    "if .seq == $seq_a then del(.ret) | .err = \"ENOENT\" else . end"
run d_err "$DIOS_TRACE" diff "$T/t1.json.zst" "$T/enoent.json.zst"
has "diff: an error in one run only is an error difference" "$T/d_err.o" '^first difference: errors$'
edit "$T/tc.json.zst" "$T/tc2.json.zst" \
    'if .sys == "clock_gettime" and .args.clockid == 0 then .out.tp.sec += 86400 else . end'
run d_time "$DIOS_TRACE" diff "$T/tc.json.zst" "$T/tc2.json.zst"
is "$st" 0 "diff, clocks a day apart: status 0 (time is ignored by default)"
has "diff: the clock reads counted as time" "$T/d_time.o" "^  time +$(events "$T/tc.json.zst" '.sys == "clock_gettime" and .args.clockid == 0') .*\\(ignored\\)$"
run d_time2 "$DIOS_TRACE" diff --ignore= "$T/tc.json.zst" "$T/tc2.json.zst"
is "$st" 1 "diff --ignore=: the clocks make the traces differ"
has "diff --ignore=: first difference: time" "$T/d_time2.o" '^first difference: time$'
run d_q "$DIOS_TRACE" diff -q "$T/t1.json.zst" "$T/t2.json.zst"
is "$st:$(cat "$T/d_q.o")" "1:" "diff -q: status 1, no output"
run d_miss "$DIOS_TRACE" diff "$T/t1.json.zst" "$T/missing.json.zst"
is "$st" 2 "diff with a missing file: status 2"
has "diff with a missing file: says so" "$T/d_miss.e" 'missing\.json\.zst: no such trace file'
printf 'this is not a zstd stream\n' >"$T/notzstd.json.zst"
run d_nz "$DIOS_TRACE" diff "$T/t1.json.zst" "$T/notzstd.json.zst"
is "$st" 2 "diff with a file that is not zstd: status 2"
run d_use "$DIOS_TRACE" diff "$T/t1.json.zst"
is "$st" 2 "diff with one trace: status 2"

## validate
run v_ok "$DIOS_TRACE" validate "$T/t1.json.zst"
is "$st" 0 "validate: a recorded trace is valid"
has "validate: says so, with the count of events" "$T/v_ok.o" "valid dios trace \\(format version 1\\): $n1 events$"
run v_miss "$DIOS_TRACE" validate "$T/missing.json.zst"
is "$st" 2 "validate of a missing file: status 2"
run v_nz "$DIOS_TRACE" validate "$T/notzstd.json.zst"
is "$st" 1 "validate of a file that is not zstd: status 1"
has "validate: not zstd, said so" "$T/v_nz.e" 'zstd'
edit "$T/t1.json.zst" "$T/badarg.json.zst" "if .seq == $seq_a then .args.path = 5 else . end"
run v_arg "$DIOS_TRACE" validate "$T/badarg.json.zst"
is "$st" 1 "validate, a path that is a number: status 1"
is "$(cat "$T/v_arg.e")" "dios-trace: $T/badarg.json.zst: line $((seq_a + 2)): openat: \"args\".\"path\" is not a string" \
    "validate: names the line and the member"
"$ZSTD" -q -dc "$T/t1.json.zst" | sed '7s/.*/{"seq":5, not json/' | "$ZSTD" -q -o "$T/notjson.json.zst"
run v_json "$DIOS_TRACE" validate "$T/notjson.json.zst"
is "$st" 1 "validate, a line that is not JSON: status 1"
has "validate: names the line" "$T/v_json.e" 'line 7: not JSON'
"$ZSTD" -q -dc "$T/t1.json.zst" | head -n 10 | "$ZSTD" -q -o "$T/short.json.zst"
run v_short "$DIOS_TRACE" validate "$T/short.json.zst"
is "$st" 0 "validate, a trace cut short: still valid"
has "validate: says it was cut short" "$T/v_short.o" 'cut short'
run v_use "$DIOS_TRACE" validate
is "$st" 2 "validate without a trace: status 2"
run v_rep "$DIOS_REPLAY" "$T/badarg.json.zst"
has "dios-replay makes the same check" "$T/v_rep.e" "line $((seq_a + 2)): openat: \"args\".\"path\" is not a string"

## --help
for c in cat stats diff validate; do
	run help "$DIOS_TRACE" "$c" --help
	ok "dios-trace $c --help: status 0 and a usage line" "$st" = 0 -a \
	    -n "$(grep "^Usage: dios-trace $c " "$T/help.o")"
done
run help "$DIOS_TRACE" frob
is "$st" 2 "dios-trace with an unknown command: status 2"

## editing with zstd and jq, then replaying (dios-trace(5), EDITING)
rm -f "$W/a.txt" "$W/b.txt"
replay()
{
	(cd "$W" && run_to 60 "$DIOS_REPLAY" "$1") </dev/null >"$T/rep.out" 2>"$T/rep.err"
	st=$?
}
edit "$T/t1.json.zst" "$T/ident.json.zst" .
run v_id "$DIOS_TRACE" diff --ignore= "$T/t1.json.zst" "$T/ident.json.zst"
is "$st" 0 "an identity jq pass keeps every event"
replay "$T/ident.json.zst"
is "$st" 9 "the identity-edited trace replays (exit 9)"
same_file "$T/rep.out" "$T/t1.out" "the identity-edited trace replays the recorded output"
edit "$T/t1.json.zst" "$T/edited.json.zst" \
    "if .seq == $((seq_a + 1)) then .out.buf = {text: \"edited\\n\"} | .ret = 7
     elif .sys == \"write\" and .args.buf.text == \"contents of a\\n\"
     then .args.buf = {text: \"edited\\n\"} | .args.count = 7 | .ret = 7 else . end | del(.shown)"
run v_ed "$DIOS_TRACE" validate "$T/edited.json.zst"
is "$st" 0 "the edited trace is valid"
replay "$T/edited.json.zst"
is "$st" 9 "a read edited with its write replays (exit 9)"
is "$(cat "$T/rep.out")" "edited
hello, world!" "the replay prints the edited data"
edit "$T/t1.json.zst" "$T/readonly.json.zst" \
    "if .seq == $((seq_a + 1)) then .out.buf = {text: \"other\\n\"} | .ret = 6 else . end"
replay "$T/readonly.json.zst"
is "$st" 120 "a read edited alone: the program writes other bytes, a divergence (120)"
has "the divergence shows the edited data being written" "$T/rep.err" 'write\(1, "other\\n", 6\)'

# A trace written into a pipe (a FIFO read by cat): whole, and the summary
# gives no size, which a pipe does not have.
if mkfifo "$T/fifo" 2>/dev/null; then
	cat "$T/fifo" >"$T/fromfifo.json.zst" &
	reader=$!
	run_to 60 "$DIOS_RECORD" -f -o "$T/fifo" -- /bin/true </dev/null >/dev/null 2>"$T/fifo.err"
	is "$?" 0 "record into a FIFO: status 0"
	wait "$reader"
	has "record into a FIFO: the summary has the events and no size" "$T/fifo.err" \
	    '^dios-record: trace written to .*/fifo \([0-9]+ events\)$'
	run v_fifo "$DIOS_TRACE" validate "$T/fromfifo.json.zst"
	is "$st" 0 "record into a FIFO: what went through it is a whole trace"
else
	skip "record into a FIFO" "mkfifo fails here"
fi

done_testing
