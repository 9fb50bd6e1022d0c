#!/bin/sh
# atexit.sh: dios-record --at-exit (issue 16, item 3).  A program that
# leaves a task running (a background job that would print 5 s later):
# with --at-exit kill the recording ends with the program, says how many
# tasks it killed, and the trace has their ends; it replays twice as
# recorded.  By default (wait) the late task's line is in the recording,
# and one left for seconds makes dios-record say why it goes on.
# A bad value is a usage error.  dios-replay --at-exit kill ends the
# replay of a trace recorded with wait where the program ended.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_tracing
tmpdir

prog='(sleep 5; echo late) & echo main'
t0=$(date +%s)
run kill "$DIOS_RECORD" -o "$T/k.json.zst" --at-exit kill -- /bin/sh -c "$prog"
t1=$(date +%s)
is "$st" 0 "--at-exit kill: the program's status"
ok "--at-exit kill: the recording ends with the program ($((t1 - t0)) s, not 5)" $((t1 - t0)) -lt 4
is "$(cat "$T/kill.o")" main "--at-exit kill: the late line never comes"
has "--at-exit kill: dios-record says what became of the task left" "$T/kill.e" \
    "^dios-record: the program ended leaving [12] tasks? running: killed \\(--at-exit kill\\)"
"$ZSTD" -q -dc "$T/k.json.zst" | grep -q '"event":"exit","signal":"SIGKILL"'
ok "--at-exit kill: the trace has the task's end by SIGKILL" $? -eq 0
for n in 1 2; do
	run rep "$DIOS_REPLAY" "$T/k.json.zst"
	is "$st" 0 "--at-exit kill: replay $n ends as recorded" || diag_file "$T/rep.e"
	is "$(cat "$T/rep.o")" main "--at-exit kill: replay $n prints what the recording did"
done

run wait "$DIOS_RECORD" -q -o "$T/w.json.zst" --at-exit wait -- /bin/sh -c '(sleep 0.2; echo late) & echo main'
is "$st" 0 "--at-exit wait: the program's status"
is "$(tr '\n' ' ' <"$T/wait.o")" "main late " "--at-exit wait: the task left is waited for"

# A task left running for seconds (a daemon, gpg-agent say) is no silent
# hang: dios-record says why the recording goes on, once.
run waitlong "$DIOS_RECORD" -o "$T/wl.json.zst" -- /bin/sh -c '(sleep 4; echo late) & echo main'
is "$st" 0 "--at-exit wait, a task left for seconds: the program's status"
has "--at-exit wait, a task left for seconds: dios-record says the recording waits for it" \
    "$T/waitlong.e" "^dios-record: the program ended, leaving [12] tasks? running \\(a daemon, a background job\\?\\): the recording goes on until (it ends|they end) \\(--at-exit kill ends (it|them) with the program\\)$"
is "$(grep -c 'the program ended, leaving' "$T/waitlong.e")" 1 "--at-exit wait, a task left for seconds: said once"

# Replay --at-exit kill of the trace recorded with wait: the replay ends
# with the program, kills the task left, and says what it did not replay.
run rk "$DIOS_REPLAY" --at-exit kill "$T/w.json.zst"
is "$st" 0 "replay --at-exit kill: the program's status"
is "$(cat "$T/rk.o")" main "replay --at-exit kill: the late line is not replayed"
has "replay --at-exit kill: dios-replay says what became of the rest" "$T/rk.e" \
    "^dios-replay: the program ended as recorded, leaving [12] tasks? running: killed \\(--at-exit kill\\); the [0-9]+ events the recording has after its end \\(from event [0-9]+\\) are not replayed$"
run rw "$DIOS_REPLAY" --at-exit wait "$T/w.json.zst"
is "$st" 0 "replay --at-exit wait: the program's status"
is "$(tr '\n' ' ' <"$T/rw.o")" "main late " "replay --at-exit wait: the rest is replayed"
# The program's end is still compared: an edited end status diverges.
"$ZSTD" -q -dc "$T/w.json.zst" | sed 's/"end":{"exit":0}/"end":{"exit":3}/' | "$ZSTD" -q -f -o "$T/w3.json.zst"
run rk3 "$DIOS_REPLAY" --at-exit kill "$T/w3.json.zst"
is "$st" 120 "replay --at-exit kill: another recorded end is a divergence (status 120)"
has "replay --at-exit kill: and says so" "$T/rk3.e" "divergence at the end: the program ended with status 0"
run rbad "$DIOS_REPLAY" --at-exit frob "$T/w.json.zst"
is "$st" 2 "replay --at-exit frob: a usage error (status 2)"
has "replay --at-exit frob: the message names the value" "$T/rbad.e" "^dios-replay: --at-exit: 'frob' is neither wait nor kill$"

run bad "$DIOS_RECORD" -o "$T/b.json.zst" --at-exit frob -- /bin/true
is "$st" 2 "--at-exit frob: a usage error (status 2)"
has "--at-exit frob: the message names the value" "$T/bad.e" "^dios-record: --at-exit: 'frob' is neither wait nor kill$"
ok "--at-exit frob: no trace written" ! -e "$T/b.json.zst"

done_testing
