#!/bin/sh
# jobcontrol.sh: group stops (issue 16, item 5).  A process stopped by
# SIGSTOP or SIGTSTP stays stopped under dios until SIGCONT, as it does
# natively: a multi-threaded child stopped and continued by its parent
# (tests/progs/groupstop checks that no thread runs while it is stopped)
# is recorded as it runs natively, with the one-at-a-time schedule and
# without, and replays twice; a shell that stops itself stays stopped
# under dios-record until the test sends SIGCONT, and its trace replays.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/groupstop" "$PROGS/selfstop"
require_tracing
tmpdir

rr_case --twice --same-as-native --status 0 groupstop : "$PROGS/groupstop"
# A child that stopped itself and ends as soon as it is continued: in replay
# it waits for its SIGCONT's turn (it does not really stop there).
rr_case --replays 3 --status 26 selfstop : "$PROGS/selfstop"
rr_case --replays 3 --status 26 selfstop-handler : "$PROGS/selfstop" handler

# The same with --no-serial: threads run at once, as natively.
run nsrec "$DIOS_RECORD" -q --no-serial -o "$T/ns.json.zst" -- "$PROGS/groupstop"
is "$st" 0 "--no-serial: the recorded child stays stopped while stopped" || diag_file "$T/nsrec.o"
for n in 1 2; do
	run nsrep "$DIOS_REPLAY" "$T/ns.json.zst"
	is "$st" 0 "--no-serial: replay $n ends as recorded" || diag_file "$T/nsrep.e"
	same_file "$T/nsrec.o" "$T/nsrep.o" "--no-serial: replay $n prints what the recording did"
done

# A shell that stops itself: it stays stopped (state T or t in /proc)
# until SIGCONT comes from outside the tree.
"$DIOS_RECORD" -q -o "$T/self.json.zst" -- /bin/sh -c \
    'echo $$ >"$1.tmp" && mv "$1.tmp" "$1"; kill -STOP $$; echo resumed' sh "$T/pid" \
    >"$T/self.o" 2>"$T/self.e" &
rec=$!
i=0
while [ ! -s "$T/pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
pid=$(cat "$T/pid" 2>/dev/null)
ok "self-stop: the shell started under dios-record" -n "$pid"
state=
i=0
while [ $i -lt 50 ]; do
	state=$(sed 's/^.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null)
	case $state in [Tt]) break ;; esac
	sleep 0.1
	i=$((i + 1))
done
case $state in [Tt]) stopped=yes ;; *) stopped="no (state $state)" ;; esac
is "$stopped" yes "self-stop: the shell is stopped"
sleep 0.5
state=$(sed 's/^.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null)
case $state in [Tt]) stopped=yes ;; *) stopped="no (state $state)" ;; esac
is "$stopped" yes "self-stop: half a second later it still is"
is "$(cat "$T/self.o")" "" "self-stop: it printed nothing while stopped"
kill -CONT "$pid" 2>/dev/null
i=0
while kill -0 $rec 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 $rec 2>/dev/null
wait $rec
is "$?" 0 "self-stop: after SIGCONT the recording ends with the shell's status" || diag_file "$T/self.e"
is "$(cat "$T/self.o")" resumed "self-stop: the shell went on after SIGCONT"
run selfrep "$DIOS_REPLAY" "$T/self.json.zst"
is "$st" 0 "self-stop: the trace replays" || diag_file "$T/selfrep.e"
is "$(cat "$T/selfrep.o")" resumed "self-stop: replay prints what the recording did"

done_testing
