#!/bin/sh
# truncated.sh: a recorder killed with SIGKILL leaves a trace readable up to
# its last complete event (the writer ends a zstd frame at least every
# second); dios-replay replays that prefix, says the recording was cut
# short and exits 125.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/slow"
require_tracing
tmpdir
R=$T/rec	# the trace, and the directory both commands run in
O=$T/out	# what the tests capture
mkdir -p "$R" "$O" || bail_out "cannot make $R and $O"

# slow prints a line and sleeps 100 ms, 40 times: about 4 s.  Kill the
# recorder when it has printed 22 lines (2.5 s after the start on an idle
# machine; waiting for the lines rather than the time keeps a loaded machine
# from killing it before the first frame was written).
: >"$O/record.out"
(cd "$R" && exec "$DIOS_RECORD" -o "$R/trace.json.zst" -- "$PROGS/slow") </dev/null \
    >"$O/record.out" 2>"$O/record.err" &
pid=$!
i=0
while [ "$(wc -l <"$O/record.out")" -lt 22 ] && [ $i -lt 200 ] && kill -0 "$pid" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
is "$?" 137 "the recorder was killed by SIGKILL"
# The recorder's death kills the program too (PTRACE_O_EXITKILL).
sleep 0.5
ok "the recorded program died with its recorder" -z "$(ps -eo pid=,args= | grep -F "$PROGS/slow" | grep -v grep)"
n=$(wc -l <"$O/record.out")
ok "the program printed some lines before the kill, not all ($n of 40)" "$n" -gt 0 -a "$n" -lt 40

if [ -n "$ZSTD" ]; then
	"$ZSTD" -q -dc "$R/trace.json.zst" >"$O/trace.json" 2>/dev/null
	ok "zstd -dc yields some lines" -s "$O/trace.json"
	ok "every line zstd -dc yields is complete" \
	    "$(tail -c 1 "$O/trace.json" | od -An -c | tr -d ' ')" = '\n'
	ok "the trace has no footer" -z "$(grep '"end"' "$O/trace.json")"
else
	for w in "zstd -dc yields some lines" "every line zstd -dc yields is complete" \
	    "the trace has no footer"; do
		skip "$w" "no zstd program"
	done
fi

snapshot "$R" >"$O/before"
(cd "$R" && run_to 60 "$DIOS_REPLAY" "$R/trace.json.zst") </dev/null >"$O/replay.out" 2>"$O/replay.err"
st=$?
snapshot "$R" >"$O/after"
is "$st" 125 "the replay of the cut-short trace exits 125"
if ! ok "the replay says the recording was cut short" -n "$(grep '^dios-replay: .*cut short' "$O/replay.err")"; then
	diag_file "$O/replay.err"
fi
ok "the replay printed what the recording printed before its last complete event" -s "$O/replay.out"
m=$(wc -c <"$O/replay.out")
if ! ok "the replay's stdout is a prefix of the recording's" -n "$(head -c "$m" "$O/record.out" | cmp -s - "$O/replay.out" && echo same)"; then
	diag "recorded:"
	diag_file "$O/record.out"
	diag "replayed:"
	diag_file "$O/replay.out"
fi
if [ -s "$O/trace.json" ]; then
	w=$(grep -c '"sys":"write".*"fd":1[,}]' "$O/trace.json")
	is "$(wc -l <"$O/replay.out" | tr -d ' ')" "$w" \
	    "the replay printed one line per write to stdout in the trace ($w)"
else
	skip "the replay printed one line per write to stdout in the trace" "no zstd program, or no trace"
fi
ok "the replay's stdout ends with a complete line" "$(tail -c 1 "$O/replay.out" | od -An -c | tr -d ' ')" = '\n'
same_file "$O/after" "$O/before" "the replay created, removed and changed no file"

done_testing
