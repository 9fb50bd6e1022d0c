#!/bin/sh
# fastpath.sh: clock reads recorded and replayed by the agent in the
# program (the fast path, src/agent/README) in one thread, four threads, a
# signal handler, forked, vfork and exec'd children: the trace holds the
# same calls as with --no-fast, replay answers them in the program, and
# either way replays either trace; a process whose agent address is taken
# has every read at a stop.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/fastclock"
require_tracing
tmpdir
[ -n "$ZSTD" ] && command -v jq >/dev/null 2>&1 || skip_all "needs zstd and jq"

footer() { "$ZSTD" -dcq "$1" | tail -n 1; }
# The clock calls of a trace, counted by call and clock: "N sys args".
clocks() {
	"$ZSTD" -dcq "$1" | jq -r 'select(.sys == "clock_gettime" or .sys == "gettimeofday" or .sys == "time") |
	    .sys + " " + (.args | tostring)' | sort | uniq -c
}

# (rr_case removes its directory: the trace is kept by a --before-replay copy)
rr_case --twice --status 21 --before-replay 'cp "$c/trace/trace.json.zst" "$T/fast.json.zst"' \
    fastclock : "$PROGS/fastclock" all
t=$T/fast.json.zst
all=$(clocks "$t" | awk '{ n += $1 } END { print n + 0 }')
fast=$(footer "$t" | jq '.fast // 0')
ok "fastclock: its $all clock reads were recorded" "$all" -gt 20000
# Every process (the exec'd child and the forked one too) has the agent:
# only a process's first read, and one in 256 (the schedule's stop), stop.
ok "fastclock: the agent recorded all but a few ($fast of $all)" $((all - fast)) -lt 500

# --no-fast: the same calls, each at a stop.
mkdir -p "$T/slow" || bail_out "cannot make $T/slow"
(cd "$T/slow" && run_to 120 "$DIOS_RECORD" -q --no-fast -o "$T/slow/t.json.zst" -- "$PROGS/fastclock" all) \
    </dev/null >"$T/slow/out" 2>"$T/slow/err"
is "$?" 21 "fastclock --no-fast: recorded"
is "$(footer "$T/slow/t.json.zst" | jq '.fast // "none"')" '"none"' "fastclock --no-fast: no fast path"
clocks "$T/slow/t.json.zst" >"$T/slow/clocks"
clocks "$t" >"$T/slow/fastclocks"
same_file "$T/slow/fastclocks" "$T/slow/clocks" "fastclock: the same clock calls with and without the fast path"
keys() { "$ZSTD" -dcq "$1" | jq -c "select(.sys == \"$2\") | [keys, (.args | keys), (.out // {} | keys)]" | sort -u; }
for sys in clock_gettime gettimeofday time; do
	is "$(keys "$t" "$sys")" "$(keys "$T/slow/t.json.zst" "$sys")" "fastclock: $sys events have the same keys either way"
done

# Replay: the agent answers them too, and --no-fast replays the same.
mkdir -p "$T/rep" || bail_out "cannot make $T/rep"
(cd "$T/rep" && run_to 120 "$DIOS_REPLAY" -v "$t") </dev/null >"$T/rep/fast.out" 2>"$T/rep/fast.err"
is "$?" 21 "fastclock: replayed with the agent"
answered=$(sed -n 's/^the agents answered \([0-9]*\) clock reads$/\1/p' "$T/rep/fast.err")
ok "fastclock: ... which answered most reads in the program (${answered:-none} of $all)" \
    "${answered:-0}" -gt $((all / 2))
(cd "$T/rep" && run_to 120 "$DIOS_REPLAY" --no-fast -v "$t") </dev/null >"$T/rep/slow.out" 2>"$T/rep/slow.err"
is "$?" 21 "fastclock: replayed with --no-fast"
same_file "$T/rep/slow.out" "$T/rep/fast.out" "fastclock: ... printing the same"
ok "fastclock: ... without the agent" -z "$(grep '^the agents answered' "$T/rep/slow.err")"
# A trace recorded with --no-fast replays with the agent.
(cd "$T/rep" && run_to 120 "$DIOS_REPLAY" "$T/slow/t.json.zst") </dev/null >"$T/rep/cross.out" 2>/dev/null
is "$?" 21 "fastclock --no-fast: replayed with the agent"
same_file "$T/rep/cross.out" "$T/slow/out" "fastclock --no-fast: ... printing what it printed"

# Tasks killed in the middle of their reads (a slot taken and never
# written is let go at the task's end): the rest of the trace is whole.
rr_case --twice --status 21 killed : "$PROGS/fastclock" killed

# The agent's address taken by the program: every read at a stop.
rr_case --status 21 --before-replay 'cp "$c/trace/trace.json.zst" "$T/taken.json.zst"; cp "$c/out/record.out" "$T/taken.out"' \
    taken : "$PROGS/fastclock" taken
is "$(footer "$T/taken.json.zst" | jq '.fast')" 0 "taken: no read went the fast way"
grep -q 'mapped the agent.s address: yes' "$T/taken.out"
ok "taken: the program had the address" $? -eq 0

done_testing
