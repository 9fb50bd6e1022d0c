#!/bin/sh
# bad-input.sh: dios-record and dios-replay refuse what they cannot use with
# the documented status and a one-line message naming the problem, and
# create or overwrite no file on the way.
#
# The table below has one row per case:
#	row NAME STATUS REGEX COMMAND
# COMMAND (shell code, run in an empty directory) must exit with STATUS,
# print nothing on stdout and exactly one line on stderr, matching the
# extended regular expression REGEX (case-insensitive), and leave every file
# under $T as it was.  (Directory times are not compared: dios-record
# opens its output before it starts the program and removes it again when
# the start fails.)
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/diverge1" "$PROGS/noseccomp"
require_tracing
tmpdir
SNAPSHOT_DIR_MTIME=0

FX=$T/fx
mkdir -p "$FX/gone" "$FX/changed" "$T/cwd" || bail_out "cannot make $FX"

# Fixtures: a good trace of diverge1 (a copy of it, reading a.txt), the same
# for a copy that is then removed and one that is then changed.
record_fixture()
{
	cp "$PROGS/diverge1" "$1/prog" && echo "input" >"$1/a.txt" &&
	    (cd "$1" && "$DIOS_RECORD" -q -o "$2" -- ./prog) </dev/null >/dev/null 2>"$T/fixture.err"
	[ $? -eq 9 ] || { diag_file "$T/fixture.err"; bail_out "cannot record the fixture $2"; }
}
record_fixture "$FX" good.json.zst
record_fixture "$FX/gone" trace.json.zst
rm -f "$FX/gone/prog"
record_fixture "$FX/changed" trace.json.zst
printf '\0' >>"$FX/changed/prog"

: >"$FX/empty.json.zst"
printf 'this is not a zstd stream\n' >"$FX/notzstd.json.zst"
size=$(wc -c <"$FX/good.json.zst")
head -c $((size / 2)) "$FX/good.json.zst" >"$FX/truncated.json.zst"
if [ -n "$ZSTD" ]; then
	edit()	# edit NAME SED-SCRIPT: a copy of the good trace, edited
	{
		"$ZSTD" -q -dc "$FX/good.json.zst" | sed "$2" | "$ZSTD" -q -c >"$FX/$1.json.zst" ||
		    bail_out "cannot make $1.json.zst"
	}
	edit line2 '2s/.*/this line is not JSON/'
	edit noseq '2s/"seq":[0-9]*,//'
	edit version99 '1s/"version":1,/"version":99,/'
	# the same near the end, after the events that show output: replay
	# checks the trace while the program runs and must show none of it
	last=$(($("$ZSTD" -q -dc "$FX/good.json.zst" | wc -l) - 1))
	edit late "${last}s/.*/this line is not JSON/"
	edit lateseq "${last}s/\"seq\":[0-9]*,//"
	"$ZSTD" -q -dc "$FX/noseq.json.zst" | sed -n 2p | grep -q '"seq"' && bail_out "noseq still has a seq"
	"$ZSTD" -q -dc "$FX/version99.json.zst" | grep -q '"version":99' || bail_out "version99 has no version 99"
fi
# A recording that stopped at a call that cannot work under dios (ptrace).
(cd "$FX" && "$DIOS_RECORD" -q -o "$FX/stopped.json.zst" -- "$PROGS/ptraceme") \
    </dev/null >/dev/null 2>"$T/fixture.err"
st=$?
[ "$st" -eq 125 ] || { diag_file "$T/fixture.err"; bail_out "recording ptraceme exited with $st, not 125"; }
[ -s "$FX/stopped.json.zst" ] || bail_out "recording ptraceme left no trace"
printf 'not executable\n' >"$FX/noexec"
chmod 644 "$FX/noexec"
printf 'an earlier trace: keep me\n' >"$FX/existing.json.zst"

row()
{
	local name=$1 status=$2 regex=$3 cmd=$4 st lines
	rm -rf "$T/cwd" "$T/out" "$T/err"
	mkdir "$T/cwd"
	snapshot "$T/fx" "$T/cwd" >"$T/before"
	(cd "$T/cwd" && eval "run_to 60 $cmd") </dev/null >"$T/out" 2>"$T/err"
	st=$?
	snapshot "$T/fx" "$T/cwd" >"$T/after"
	is "$st" "$status" "$name: exit status"
	if ! ok "$name: the message names the problem (/$regex/)" -n "$(grep -Ei -e "$regex" "$T/err")"; then
		diag "stderr:"
		diag_file "$T/err"
	fi
	lines=$(wc -l <"$T/err")
	if ! ok "$name: one line on stderr, nothing on stdout" "$lines" -eq 1 -a ! -s "$T/out"; then
		diag "stderr ($lines lines):"
		diag_file "$T/err"
		diag "stdout:"
		diag_file "$T/out"
	fi
	same_file "$T/after" "$T/before" "$name: no file created, removed or changed"
}

skip_row()
{
	for what in "exit status" "the message names the problem" "one line on stderr, nothing on stdout" \
	    "no file created, removed or changed"; do
		skip "$1: $what" "$2"
	done
}

# dios-replay: traces it cannot use.
row missing-trace 125 'missing\.json\.zst.*(no such|not found|does not exist)' \
    '"$DIOS_REPLAY" "$FX/missing.json.zst"'
row empty-trace 125 'empty.json.zst.*empty' '"$DIOS_REPLAY" "$FX/empty.json.zst"'
row not-zstd 125 'notzstd\.json\.zst.*not a zstd' '"$DIOS_REPLAY" "$FX/notzstd.json.zst"'
row truncated-zstd 125 'truncated\.json\.zst.*cut short' '"$DIOS_REPLAY" "$FX/truncated.json.zst"'
if [ -n "$ZSTD" ]; then
	row line2-not-json 125 'line2\.json\.zst.*line 2.*JSON' '"$DIOS_REPLAY" "$FX/line2.json.zst"'
	row event-without-seq 125 'noseq\.json\.zst.*line 2.*"seq"' '"$DIOS_REPLAY" "$FX/noseq.json.zst"'
	row unknown-version 125 'version99\.json\.zst.*version 99' '"$DIOS_REPLAY" "$FX/version99.json.zst"'
	row late-line-not-json 125 "late\\.json\\.zst.*line $last.*JSON" '"$DIOS_REPLAY" "$FX/late.json.zst"'
	row late-event-without-seq 125 "lateseq\\.json\\.zst.*line $last.*\"seq\"" \
	    '"$DIOS_REPLAY" "$FX/lateseq.json.zst"'
else
	for n in line2-not-json event-without-seq unknown-version late-line-not-json \
	    late-event-without-seq; do
		skip_row "$n" "no zstd program"
	done
fi
row stopped-at-ptrace 125 'stopped\.json\.zst.*stopped early.*ptrace' '"$DIOS_REPLAY" "$FX/stopped.json.zst"'
row executable-gone 125 'gone/prog.*--exe' '"$DIOS_REPLAY" "$FX/gone/trace.json.zst"'
row executable-changed 125 'changed/prog.*changed.*--exe' '"$DIOS_REPLAY" "$FX/changed/trace.json.zst"'

# dios-record: programs it cannot run, output it cannot write.
row program-not-found 127 'no-such-program.*not found' '"$DIOS_RECORD" ./no-such-program'
row program-not-in-path 127 'no-such-dios-program.*not found' '"$DIOS_RECORD" no-such-dios-program'
row program-not-executable 126 'noexec.*(cannot execute|permission denied)' '"$DIOS_RECORD" "$FX/noexec"'
row output-dir-missing 125 'nodir/trace\.json\.zst' \
    '"$DIOS_RECORD" -o "$FX/nodir/trace.json.zst" /bin/true'
row output-exists 125 'existing\.json\.zst.*already exists.*--force' \
    '"$DIOS_RECORD" -o "$FX/existing.json.zst" /bin/true'
row output-stdout 2 '^dios-record: -o -: .*standard output.*name a file' '"$DIOS_RECORD" -o - /bin/true'
row replay-output-stdout 2 '^dios-replay: -o -: .*standard output.*name a file' \
    '"$DIOS_REPLAY" -o - "$FX/stopped.json.zst"'
row ptrace-unsupported 125 'ptrace.*cannot work under dios' \
    '"$DIOS_RECORD" -q -o "$T/ptraced.json.zst" "$PROGS/ptraceme"'
if [ -n "$STRACE" ]; then
	# (LeakSanitizer cannot run in a traced dios: off for this case.)
	row ptrace-not-permitted 125 'ptrace' 'env ASAN_OPTIONS=detect_leaks=0 "$STRACE" -f -o /dev/null "$DIOS_RECORD" /bin/true'
else
	skip_row ptrace-not-permitted "no strace program"
fi
row seccomp-not-permitted 125 'seccomp' '"$PROGS/noseccomp" "$DIOS_RECORD" /bin/true'
# A trace that cannot be written: the program runs to its end and keeps its
# status; the message says where and why.
if [ -w /dev/full ]; then
	row record-disk-full 7 'writing the trace /dev/full failed: No space left on device' \
	    '"$DIOS_RECORD" -f -o /dev/full /bin/sh -c "exit 7"'
else
	skip_row record-disk-full "no writable /dev/full"
fi

# Usage errors.
row record-unknown-option 2 'no-such-option' '"$DIOS_RECORD" --no-such-option /bin/true'
row record-no-program 2 'no program' '"$DIOS_RECORD"'
row record-only-options 2 'no program' '"$DIOS_RECORD" -q --'
row replay-unknown-option 2 'no-such-option' '"$DIOS_REPLAY" --no-such-option "$FX/good.json.zst"'
row replay-no-trace 2 'no trace' '"$DIOS_REPLAY"'
row replay-two-traces 2 'too many|one trace' '"$DIOS_REPLAY" "$FX/good.json.zst" "$FX/good.json.zst"'

# Without -o, dios-record never overwrites a trace: it takes the next free
# name.
rm -rf "$T/cwd"
mkdir "$T/cwd"
for want in trace.json.zst trace.1.json.zst trace.2.json.zst; do
	(cd "$T/cwd" && run_to 60 "$DIOS_RECORD" -- /bin/true) </dev/null >"$T/out" 2>"$T/err"
	is "$?" 0 "recording /bin/true to the default name ($want)"
	ok "the message names $want" -n "$(grep -F "trace written to $want (" "$T/err")"
done
is "$(cd "$T/cwd" && ls | tr '\n' ' ')" "trace.1.json.zst trace.2.json.zst trace.json.zst " \
    "three recordings left three traces"

# The good trace itself replays (the fixtures above differ from it only in
# what each case breaks).
(cd "$T/cwd" && run_to 60 "$DIOS_REPLAY" -q "$FX/good.json.zst") </dev/null >"$T/out" 2>&1
is "$?" 9 "the unbroken trace replays with the program's status"

done_testing
