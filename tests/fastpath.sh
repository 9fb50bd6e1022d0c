#!/bin/sh
# fastpath.sh: clock reads recorded and replayed by the agent in the
# program (the fast path, src/agent/README) in one thread, four threads, a
# signal handler, forked, vfork and exec'd children: the trace holds the
# same calls as with --no-fast, replay answers them in the program, and
# either way replays either trace; a process whose agent address is taken
# has every read at a stop; reads, seeks and stats of regular files from
# patched call sites, in the same cases and in a signal handler.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/fastclock" "$PROGS/fastread"
[ -z "${DIOS_NO_FAST:-}" ] || skip_all "the suite runs with the fast path off (make check-no-fast)"
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
answered=$(sed -n 's/^the agents answered \([0-9]*\) calls$/\1/p' "$T/rep/fast.err")
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

# The agent's address taken by the program: every read at a stop.  (A
# static program: a dynamic one's loader reads its libraries, a data call
# that puts the agent in, before main.)
if [ -x "$PROGS/fastclock-static" ]; then
	rr_case --status 21 --before-replay 'cp "$c/trace/trace.json.zst" "$T/taken.json.zst"; cp "$c/out/record.out" "$T/taken.out"' \
	    taken : "$PROGS/fastclock-static" taken
	is "$(footer "$T/taken.json.zst" | jq '.fast')" 0 "taken: no call went the fast way"
	grep -q 'mapped the agent.s address: yes' "$T/taken.out"
	ok "taken: the program had the address" $? -eq 0
fi

# The data calls (read, pread64, lseek, fstat, newfstatat, fadvise64 of a
# regular file) from the C library's call sites, which dios patches to call
# the agent: in one process, on a number given to a pipe, in a forked
# child, in threads, with a signal handler reading too, in an exec'd copy.
mkdata='awk "BEGIN { for (i = 0; i < 8192; i++) printf \"%07d\\n\", i * 7919 }" >data'
rr_case --twice --status 22 --before-replay 'cp "$c/trace/trace.json.zst" "$T/reads.json.zst"; cp "$c/out/record.out" "$T/reads.out"' \
    fastread "$mkdata" "$PROGS/fastread" all @DIR@
calls() {
	"$ZSTD" -dcq "$1" | jq -c 'select(.sys == "read" or .sys == "pread64" or .sys == "lseek" or
	    .sys == "fstat" or .sys == "newfstatat" or .sys == "fadvise64") |
	    [.sys, .args, .ret, (if .out.statbuf then .out.statbuf | {size, mode} else .out end)]'
}
n=$(calls "$T/reads.json.zst" | wc -l | tr -d ' ')
fast=$(footer "$T/reads.json.zst" | jq '.fast // 0')
ok "fastread: its $n data calls were recorded" "$n" -gt 25000
ok "fastread: the agent recorded nearly all, the threads' too ($fast of $n)" "$fast" -gt $((n * 9 / 10))
grep -q '^pipe: through the pipe$' "$T/reads.out"
ok "fastread: the number given to a pipe read the pipe" $? -eq 0

# One process's calls, with and without the fast path: the same events
# (of two copies of the file: stat results but the size and mode differ).
mkdir -p "$T/r1" "$T/r2" || bail_out "cannot make $T/r1"
(cd "$T/r1" && eval "$mkdata" && run_to 120 "$DIOS_RECORD" -q -o "$T/r1/t.json.zst" -- "$PROGS/fastread" calls "$T/r1") \
    </dev/null >"$T/r1/out" 2>"$T/r1/err"
is "$?" 22 "fastread calls: recorded"
(cd "$T/r2" && eval "$mkdata" && run_to 120 "$DIOS_RECORD" -q --no-fast -o "$T/r2/t.json.zst" -- "$PROGS/fastread" calls "$T/r2") \
    </dev/null >"$T/r2/out" 2>"$T/r2/err"
is "$?" 22 "fastread calls --no-fast: recorded"
calls "$T/r1/t.json.zst" | sed "s|$T/r1|DIR|g" >"$T/r1/calls"
calls "$T/r2/t.json.zst" | sed "s|$T/r2|DIR|g" >"$T/r2/calls"
same_file "$T/r1/calls" "$T/r2/calls" "fastread calls: the same calls, in the same order, with the same results and outputs either way"
for sys in read pread64 lseek newfstatat fadvise64; do
	is "$(keys "$T/r1/t.json.zst" "$sys")" "$(keys "$T/r2/t.json.zst" "$sys")" "fastread: $sys events have the same keys either way"
done
ok "fastread calls: most went the fast way" "$(footer "$T/r1/t.json.zst" | jq '.fast // 0')" -gt 4000

# Replay: the agent answers them, --no-fast replays the same, and the
# --no-fast trace replays with the agent; no file needed (data is gone).
rm -f "$T/r1/data" "$T/r2/data"
(cd "$T/r1" && run_to 120 "$DIOS_REPLAY" -v "$T/r1/t.json.zst") </dev/null >"$T/r1/rep.out" 2>"$T/r1/rep.err"
is "$?" 22 "fastread calls: replayed with the agent"
same_file "$T/r1/rep.out" "$T/r1/out" "fastread calls: ... printing what it printed"
answered=$(sed -n 's/^the agents answered \([0-9]*\) calls$/\1/p' "$T/r1/rep.err")
ok "fastread calls: ... the agent answering most (${answered:-none})" "${answered:-0}" -gt 4000
(cd "$T/r1" && run_to 120 "$DIOS_REPLAY" --no-fast "$T/r1/t.json.zst") </dev/null >"$T/r1/rep2.out" 2>/dev/null
is "$?" 22 "fastread calls: replayed with --no-fast"
same_file "$T/r1/rep2.out" "$T/r1/out" "fastread calls --no-fast replay: ... printing the same"
(cd "$T/r2" && run_to 120 "$DIOS_REPLAY" "$T/r2/t.json.zst") </dev/null >"$T/r2/rep.out" 2>/dev/null
is "$?" 22 "fastread calls --no-fast trace: replayed with the agent"
same_file "$T/r2/rep.out" "$T/r2/out" "fastread calls --no-fast trace: ... printing what it printed"

done_testing
