#!/bin/sh
# procs.sh: process trees, threads and signals under record and replay:
# fork, vfork, exec and wait with their statuses; four threads in one
# process; alarm, timers, raise and kill; a program interrupted by SIGINT
# from outside halfway; a shell and make running commands.  Each replay
# runs with its inputs deleted, and must print, exit and leave the files as
# the recording did (see rr_case in lib.sh).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/forkexec" "$PROGS/threads" "$PROGS/signals" "$PROGS/sigint" "$PROGS/sigboundary" "$PROGS/sigmidcode" \
    "$PROGS/spawnwait" "$PROGS/madefile" "$PROGS/segvcatch" "$PROGS/threadpool" "$PROGS/shmfork" \
    "$PROGS/tcpserver" "$PROGS/tcpclient"
require_tracing
tmpdir

rr_case --status 3 forkexec "printf 'input of the exec-ed children\n' >input.txt" \
    "$PROGS/forkexec" @DIR@
rr_case --status 4 threads 'for i in 0 1 2 3; do echo "data of thread $i" >in$i.txt; done' \
    "$PROGS/threads" @DIR@
rr_case --status 5 signals : "$PROGS/signals"
# Signals that came right after a call while another process made calls:
# delivered at the same boundary, not when their turn in the order comes.
rr_case --status 6 sigboundary : "$PROGS/sigboundary"
# A caught signal that came while the program ran its own code, far from a
# call (a timer's): taken at the next call when recording, and there again
# in replay, so the handler runs at the same point of the loop.
rr_case --replays 3 --status 13 sigmidcode : "$PROGS/sigmidcode"
# A loop with no call that waits for a signal: the recording holds it back
# for two ticks at most, then takes it where the task is (never a hang).
run_to 30 "$DIOS_RECORD" -q -o "$T/spin.json.zst" -- "$PROGS/sigmidcode" spin >"$T/spin.out" 2>"$T/spin.err"
is "$?" 13 "sigmidcode spin: the recording ends as natively"
has "sigmidcode spin: the handler ran" "$T/spin.out" "^woken by the alarm$"
# posix_spawn and vfork: the child's execve comes before the parent's next
# call; a pselect6 that SIGCHLD interrupts, blocked outside it (make -j).
rr_case --twice --status 7 spawnwait : "$PROGS/spawnwait"
# A thread's vfork while the main thread reads what the child writes
# before its exec: the read comes between the child's write and its exec's
# end, so the vfork parent does not hold its threads' turn.
rr_case --twice --status 7 spawnwait-thread : "$PROGS/spawnwait" thread
# Files the program makes, then maps (private, shared, in /dev/shm) or
# executes: replayed from the trace, with nothing of the run left.
rr_case --fresh --twice --status 8 madefile : "$PROGS/madefile" @DIR@
# The copy left where the recording made it: it runs by its own name, so
# that its stack is where it was (it prints where).
rr_case --twice --status 8 madefile-kept : "$PROGS/madefile" @DIR@ keep
# Removed: it runs from the cache, by a name of the recorded length (the
# stack is where it was all the same).
rr_case --fresh --twice --status 8 madefile-gone : "$PROGS/madefile" @DIR@ gone
# Faults the program catches itself (siglongjmp out of the handler).
rr_case --twice --status 9 segvcatch : "$PROGS/segvcatch"
# Threads meeting in a mutex and a condition variable with timed waits:
# one at a time (--serial), the replays take the recorded turns.
rr_case --twice --status 10 threadpool : "$PROGS/threadpool"

# Memory two processes share through a file mapped shared and writable:
# replay shares a copy of it, so the parent reads what the child wrote,
# through its own mapping and through the file mapped again by name.
rr_case --fresh --twice --status 12 shmfork : "$PROGS/shmfork" @DIR@

# A shell running commands in child processes, reading a file each.
rr_case --status 9 shell "printf 'one\ntwo\n' >f" /bin/sh -c 'cat f; wc -l f; /bin/echo pid $$; exit 9'

# A shell pipeline: three processes joined by pipes, which replay fakes.
rr_case --status 0 pipeline "printf 'cherry\napple\nbanana\ndate\n' >f" \
    /bin/sh -c 'cat f | sort | head -3; echo status $?'

# A TCP server and its client recorded as one tree; the replay needs no
# network at all.
if command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
	nonet="unshare -n"
else
	nonet=env
	skip "client-server: replay without a network" "unshare -n is not permitted here"
fi
rr_case --status 143 --replay-prefix "$nonet" client-server : /bin/sh -c '
	"$0" port & server=$!
	while [ ! -s port ]; do sleep 0.05; done
	"$1" "$(cat port)"
	kill $server
	wait $server' "$PROGS/tcpserver" "$PROGS/tcpclient"

# make running recipes: one writes a file, the next reads it.
if command -v make >/dev/null 2>&1; then
	rr_case --same-as-native make "printf 'all: b\nb: a\n\t@cat a; echo made b\na:\n\t@echo made a >a\n' >Makefile" \
	    env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS make -s --no-print-directory -C @DIR@
else
	skip "make runs recipes" "no make program"
fi

# SIGINT from outside, halfway through: the recording ends with the
# program's death by SIGINT (status 130), and the replay shows the same
# partial output and ends the same way.
c=$T/sigint
mkdir -p "$c"
"$DIOS_RECORD" -q -o "$c/trace.json.zst" "$PROGS/sigint" >"$c/rec.out" 2>"$c/rec.err" &
rec=$!
i=0
while [ $i -lt 200 ] && ! grep -q '^line 20 ' "$c/rec.out" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
pid=$(sed -n 's/^pid //p' "$c/rec.out")
[ -n "$pid" ] && kill -INT "$pid"
wait $rec
is "$?" 130 "sigint: the recording ends with SIGINT's status"
n=$(grep -c '^line ' "$c/rec.out")
ok "sigint: the program was interrupted halfway ($n lines)" "$n" -gt 20 -a "$n" -lt 1000
"$DIOS_REPLAY" "$c/trace.json.zst" >"$c/rep.out" 2>"$c/rep.err"
is "$?" 130 "sigint: the replay ends with SIGINT's status"
same_file "$c/rep.out" "$c/rec.out" "sigint: the replay prints the same partial output"

# A replay that cannot go on is a divergence, not a hang: an edited trace
# gives the second child's write to a task that never exists, so that child
# waits for its turn forever while its parent waits for it.
if [ -n "$ZSTD" ] && command -v jq >/dev/null 2>&1; then
	c=$T/stall
	mkdir -p "$c"
	(cd "$c" && "$DIOS_RECORD" -q -o rec.json.zst /bin/sh -c '/bin/echo one; /bin/echo two') \
	    >/dev/null 2>&1 || bail_out "stall: recording failed"
	"$ZSTD" -dcq "$c/rec.json.zst" |
	    jq -c 'if .sys == "write" and .args.buf.text == "two\n" then .tid = 424242 else . end' |
	    "$ZSTD" -q >"$c/stall.json.zst" || bail_out "stall: editing the trace failed"
	timeout 120 "$DIOS_REPLAY" -q --timeout 2 "$c/stall.json.zst" >/dev/null 2>"$c/err"
	is "$?" 120 "stall: a replay that cannot go on ends as a divergence"
	grep -Eq '^dios-replay: divergence.*(no task can go on|no progress)' "$c/err"
	ok "stall: the report says no task can go on" $? -eq 0 || diag_file "$c/err"
	grep -Eq '(expects task 424242 next \(|expected next: )write\(1, "two\\n", 4\)' "$c/err"
	ok "stall: the report names the event the recording expects" $? -eq 0 || diag_file "$c/err"
	grep -q '^  task [0-9]* waits to make write(1, "two\\n", 4)' "$c/err"
	ok "stall: the report names the waiting task and its call" $? -eq 0 || diag_file "$c/err"
else
	skip "stall: a replay that cannot go on" "no zstd or jq program"
fi

# A thread that spins on a flag another sets after a sleep: replay hands
# the turn to the sleeper, parked for its turn, as recording did (it hung
# for ever before).  Then the trace without the sleeper's sleep and end:
# the spinner computes for ever, which is a divergence too, reported after
# six timeouts without a call.
c=$T/spin
mkdir -p "$c"
(cd "$c" && run_to 60 "$DIOS_RECORD" -q -o rec.json.zst -- "$PROGS/threadpool" spin) </dev/null \
    >"$c/rec.out" 2>/dev/null
is "$?" 10 "spin: the spinning thread is recorded"
(cd "$c" && run_to 60 "$DIOS_REPLAY" -q rec.json.zst) </dev/null >/dev/null 2>"$c/err"
is "$?" 10 "spin: the replay hands the turn on and ends" || diag_file "$c/err"
if [ -n "$ZSTD" ] && command -v jq >/dev/null 2>&1; then
	t=$("$ZSTD" -dcq "$c/rec.json.zst" | jq -c 'select(.sys == "clock_nanosleep" and .args.req.nsec == 50000000) | .tid')
	"$ZSTD" -dcq "$c/rec.json.zst" |
	    jq -c --argjson t "${t:-0}" 'select(.tid != $t or .sys != "clock_nanosleep" and .event != "exit")' |
	    awk 'BEGIN { n = 0 } /^{"seq":/ { sub(/^{"seq":[0-9]+/, "{\"seq\":" n); n++ }
		/^{"end"/ { sub(/"events":[0-9]+/, "\"events\":" n) } { print }' |
	    "$ZSTD" -q >"$c/cut.json.zst" || bail_out "spin: editing the trace failed"
	(cd "$c" && run_to 60 "$DIOS_REPLAY" -q --timeout 1 cut.json.zst) </dev/null >/dev/null 2>"$c/err"
	is "$?" 120 "spin: a replay that computes for ever ends as a divergence"
	grep -q '^dios-replay: divergence: no progress for [0-9]* seconds: task [0-9]* computes without a system call' "$c/err"
	ok "spin: the report says which task computes" $? -eq 0 || diag_file "$c/err"
else
	skip "spin: a replay that computes for ever" "no zstd or jq program"
fi

# Twenty background jobs of one shell: SIGCHLDs arrive while the shell is
# parked at a clone with SIGCHLD blocked; the replay must deliver them at
# the shell's turn, not send them while it stays parked (it hung, 1 in 8),
# nor before a fork that a real SIGCHLD made the kernel run again (the
# child then inherited what the handler set, 1 in 40 under load).  The
# jobs write to one stdout side by side: the lines come out in the order
# they were recorded (in half the recordings two were swapped before).
# Recorded twice: once to a file, once through a pipe to cat in the tree.
jobs='for i in $(seq 1 20); do ( echo job $i ) & done; wait'
for how in file pipe; do
	if [ $how = file ]; then set -- /bin/sh -c "$jobs"; else set -- /bin/sh -c "( $jobs ) | cat"; fi
	(cd "$T" && run_to 60 "$DIOS_RECORD" -q -o jobs-$how.json.zst -- "$@") </dev/null \
	    >"$T/jobs-$how.rec" 2>"$T/jobs-$how.recerr"
	is "$?" 0 "jobs ($how): twenty background jobs are recorded" || diag_file "$T/jobs-$how.recerr"
	is "$(grep -c '^job ' "$T/jobs-$how.rec")" 20 "jobs ($how): the recorded run printed twenty lines"
	for n in 1 2 3; do
		(cd "$T" && run_to 60 "$DIOS_REPLAY" jobs-$how.json.zst) </dev/null >"$T/jobs.rep" 2>"$T/jobs.err"
		is "$?" 0 "jobs ($how): replay $n ends as recorded" || diag_file "$T/jobs.err"
		cmp -s "$T/jobs-$how.rec" "$T/jobs.rep"
		ok "jobs ($how): replay $n prints the recorded lines in the recorded order" $? -eq 0 ||
		    diag "$(diff "$T/jobs-$how.rec" "$T/jobs.rep" | head -6)"
	done
done

# The footer says what the recording's stdout was given; a replay that
# shows other bytes (here: a footer edited to name other ones) diverges
# even though every call matched.
if [ -n "$ZSTD" ] && command -v jq >/dev/null 2>&1; then
	# shown_case NAME FILTER REGEX: the jobs trace with its footer edited
	# by FILTER replays as a divergence whose message matches REGEX.
	shown_case()
	{
		"$ZSTD" -dcq "$T/jobs-file.json.zst" | jq -c "if .shown then $2 else . end" |
		    "$ZSTD" -q >"$T/jobs-edited.json.zst"
		(cd "$T" && run_to 60 "$DIOS_REPLAY" jobs-edited.json.zst) </dev/null >/dev/null 2>"$T/jobs.err"
		is "$?" 120 "shown: $1 is a divergence" || diag_file "$T/jobs.err"
		grep -q "$3" "$T/jobs.err"
		ok "shown: $1: the message says so" $? -eq 0 || diag_file "$T/jobs.err"
	}
	shown_case "a replay whose stdout differs from the recording's" '.shown.stdout.sha256 = ("0" * 64)' \
	    "divergence in the output: replay showed the [0-9]* bytes of stdout in another order"
	shown_case "a replay that showed fewer bytes than the recording" '.shown.stdout.bytes += 1' \
	    "divergence in the output: replay showed [0-9]* bytes on stdout, the recording [0-9]*"
	(cd "$T" && run_to 60 "$DIOS_REPLAY" -q jobs-edited.json.zst) </dev/null >/dev/null 2>"$T/jobs.err"
	is "$?" 0 "shown: with -q (nothing shown) there is nothing to compare" || diag_file "$T/jobs.err"
else
	skip "shown: a replay whose output differs" "no zstd or jq program"
fi

done_testing
