#!/bin/sh
# sigterm.sh: SIGTERM ends dios-record within a second with a complete
# trace, at the kinds of wait hashcache.sh (hashing) and hostile-procs.sh
# (daemons, a program that ignores SIGTERM) do not show (issue 16, item 2):
# a program blocked in a call (a read of a pipe nobody writes), and a trace
# written slowly (into a FIFO read at 80 KB/s while the program makes two
# million calls).  Each trace validates, and the blocked one replays to
# the same end.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/manycalls"
require_tracing
tmpdir

# until_gone PID SECS: waits for PID to end, up to SECS; prints the
# tenths of a second it took; false when it did not end.
until_gone()
{
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		[ $i -ge $(($2 * 10)) ] && { echo $i; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	echo $i
}

# sigterm_after NAME PATTERN: SIGTERM to dios-record (found by the
# PATTERN of its command line) once it has run 2 s; $took is the tenths of a
# second it took to end, $st its status.
sigterm_after()
{
	sleep 2
	pid=$(pgrep -f -- "$2" | head -n 1)
	if [ -z "$pid" ]; then
		bail_out "$1: dios-record is not running"
	fi
	kill -TERM "$pid"
	took=$(until_gone "$pid" 10) || { kill -KILL "$pid"; diag "$1: it did not end"; }
}

# A program blocked reading a pipe that nobody writes (the test keeps the
# write end open).
mkfifo "$T/in"
exec 3<>"$T/in"
"$DIOS_RECORD" -o "$T/blocked.json.zst" -- /bin/sh -c 'read line; echo "got $line"' \
    <"$T/in" >"$T/blocked.o" 2>"$T/blocked.e" &
rec=$!
sigterm_after blocked "dios-record -o $T/blocked.json.zst"
wait $rec
st=$?
exec 3>&-
is "$st" 143 "blocked in a read: dios-record ends with the program's death by SIGTERM (143)"
ok "blocked in a read: within a second (${took}/10 s)" "$took" -le 10
has "blocked in a read: it says it was interrupted" "$T/blocked.e" "^dios-record: interrupted by SIGTERM"
run val "$top_builddir/dios-trace" validate "$T/blocked.json.zst"
is "$st" 0 "blocked in a read: the trace is complete (it validates)" || diag_file "$T/val.e"
run rep "$DIOS_REPLAY" "$T/blocked.json.zst"
is "$st" 143 "blocked in a read: replay ends as the recording did (SIGTERM)" || diag_file "$T/rep.e"

# The trace written into a FIFO read slowly: the queue fills and the
# program waits for the writer.
mkfifo "$T/slow"
(while n=$(dd bs=4096 count=1 status=none | tee -a "$T/slow.json.zst" | wc -c) &&
    [ "$n" -gt 0 ]; do sleep 0.05; done) <"$T/slow" &
reader=$!
"$DIOS_RECORD" -f -o "$T/slow" -- "$PROGS/manycalls" 2000000 >"$T/slowrec.o" 2>"$T/slowrec.e" &
rec=$!
sigterm_after slow "dios-record -f -o $T/slow"
wait $rec
st=$?
wait $reader
ok "slow trace writes: dios-record ends with the program's death by SIGTERM ($st)" "$st" -eq 143 -o "$st" -eq 0
ok "slow trace writes: within a second (${took}/10 s)" "$took" -le 10
has "slow trace writes: it says it was interrupted" "$T/slowrec.e" "^dios-record: interrupted by SIGTERM"
run val "$top_builddir/dios-trace" validate "$T/slow.json.zst"
is "$st" 0 "slow trace writes: the trace is complete (it validates)" || diag_file "$T/val.e"

done_testing
