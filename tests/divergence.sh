#!/bin/sh
# divergence.sh: dios-replay --exe with a build that leaves the recording
# stops at the first differing call, exits 120 and explains: the event
# number, the expected and the actual call, the argument that differs.
#
# tests/progs/diverge.c is built four ways (diverge1..4): 1 is recorded,
# 2 opens b.txt instead of a.txt, 3 writes other bytes to stdout, 4 makes
# one more call at the end.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/diverge1" "$PROGS/diverge2" "$PROGS/diverge3" "$PROGS/diverge4"
require_tracing
tmpdir

W=$T/work
mkdir -p "$W" || bail_out "cannot make $W"
for v in 1 2 3 4; do
	cp "$PROGS/diverge$v" "$W/diverge$v" || bail_out "cannot copy diverge$v"
done
printf 'contents of a\n' >"$W/a.txt"
printf 'contents of b\n' >"$W/b.txt"
printf 'contents of c\n' >"$W/c.txt"
(cd "$W" && run_to 60 "$DIOS_RECORD" -q -o "$T/trace.json.zst" -- ./diverge1) </dev/null \
    >"$T/record.out" 2>"$T/record.err"
st=$?
[ "$st" -eq 9 ] || { diag_file "$T/record.err"; bail_out "recording diverge1 exited with $st, not 9"; }
rm -f "$W/a.txt" "$W/b.txt" "$W/c.txt"
is "$(cat "$T/record.err")" "diverge: done" "dios-record -q prints only the program's stderr"

# seq_of REGEX: the "seq" of the first event line of the trace matching REGEX.
seq_of()
{
	if [ -n "$ZSTD" ]; then
		"$ZSTD" -q -dc "$T/trace.json.zst" | grep -E -e "$1" | head -n 1 |
		    sed -n 's/^{"seq":\([0-9]*\),.*/\1/p'
	fi
}

# replay_as VARIANT: replays the trace with diverge<VARIANT>; its stdout in
# $T/out, its stderr in $T/err, its status in $st.
replay_as()
{
	snapshot "$W" >"$T/before"
	(cd "$W" && run_to 60 "$DIOS_REPLAY" --exe "./diverge$1" "$T/trace.json.zst") </dev/null \
	    >"$T/out" 2>"$T/err"
	st=$?
	snapshot "$W" >"$T/after"
}

# has NAME REGEX: a test that stderr has a line matching REGEX.
has()
{
	if ! ok "$1" -n "$(grep -E -e "$2" "$T/err")"; then
		diag "no line matches /$2/ in dios-replay's stderr:"
		diag_file "$T/err"
	fi
}

# line_has NAME PREFIX REGEX: the line starting (after blanks) with PREFIX
# matches REGEX.
line_has()
{
	local l
	l=$(grep -E -e "^[[:space:]]*$2" "$T/err" | head -n 1)
	if ! ok "$1" -n "$(printf '%s\n' "$l" | grep -E -e "$3")"; then
		diag "the '$2' line does not match /$3/: '$l'"
		diag_file "$T/err"
	fi
}

# 1. Another path at the same call.
replay_as 2
is "$st" 120 "other path: exit status 120"
n=$(seq_of '"sys":"openat",.*"path":"a\.txt"')
if [ -n "$n" ]; then
	has "other path: the report names event $n (the openat of a.txt)" \
	    "^dios-replay: divergence at event $n \(task [0-9]+\)"
else
	skip "other path: the report names the event of the openat of a.txt" "no zstd program"
fi
line_has "other path: 'expected:' is the openat of a.txt" 'expected:' 'open.*"a\.txt"'
line_has "other path: 'actual:' is the openat of b.txt" 'actual:' 'open.*"b\.txt"'
line_has "other path: it differs in path" 'differs in:' 'differs in:[[:space:]]*path$'
has "other path: the last matched events are listed" 'last matched events'
ok "other path: stdout has nothing from after the divergence" -z "$(grep 'hello' "$T/out")"
same_file "$T/after" "$T/before" "other path: the replay created, removed and changed no file"

# 2. Other bytes written to stdout.
replay_as 3
is "$st" 120 "other output: exit status 120"
n=$(seq_of '"sys":"write",.*"hello, world!')
if [ -n "$n" ]; then
	has "other output: the report names event $n (the write of the greeting)" \
	    "^dios-replay: divergence at event $n \(task [0-9]+\)"
else
	skip "other output: the report names the event of the write" "no zstd program"
fi
line_has "other output: 'expected:' is the recorded write" 'expected:' 'write\(1, "hello, world!'
line_has "other output: 'actual:' is the new write" 'actual:' 'write\(1, "hello, world\?'
line_has "other output: it differs in buf" 'differs in:' 'differs in:[[:space:]]*buf$'
is "$(head -n 1 "$T/out")" "contents of a" "other output: what came before the divergence was shown"
same_file "$T/after" "$T/before" "other output: the replay created, removed and changed no file"

# 3. One call more than the recording has.
replay_as 4
is "$st" 120 "extra call: exit status 120"
has "extra call: the report says the call came after the end of the recording" \
    '^dios-replay: divergence .*after the (end|last event)'
line_has "extra call: 'actual:' is the openat of c.txt" 'actual:' 'open.*"c\.txt"'
same_file "$T/out" "$T/record.out" "extra call: the whole recorded stdout was shown"
same_file "$T/after" "$T/before" "extra call: the replay created, removed and changed no file"

# 4. The recorded build itself, through --exe: no divergence.
replay_as 1
is "$st" 9 "same build: the program's status"
ok "same build: no divergence reported" -z "$(grep divergence "$T/err")"
same_file "$T/out" "$T/record.out" "same build: the recorded stdout"
(cd "$W" && run_to 60 "$DIOS_REPLAY" -q --exe ./diverge1 "$T/trace.json.zst") </dev/null \
    >"$T/out" 2>"$T/err"
is "$?" 9 "same build, -q: the program's status"
ok "same build, -q: neither the program's stdout nor its stderr is shown" ! -s "$T/out" -a ! -s "$T/err"

done_testing
