#!/bin/sh
# bigline.sh: a trace line far longer than the memory dios-trace may use.
# A program reads 24 MiB in one read(2) and writes them: two lines of
# 32 MiB of base64 each (a trace of a few KiB).  dios-trace cat, stats,
# validate, check and diff read it with a peak RSS well below one line
# (they keep long strings as digests: trace/elide.h); diff still tells a
# changed byte; validate still finds a bad base64 character in the middle
# of the line; cat --json refuses such a line by name; the trace replays.
# Then reads that once stopped dios-record ("lost control of the program:
# Message too long"): 48 MiB of zeros (once written six bytes each, as
# \u0000) and 200 MiB at once (a line of 267 MiB, past the 256 MiB a line
# once held) are recorded and replay.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/maxrss"
require_tracing
[ -n "$ZSTD" ] || skip_all "zstd is not installed (needed to edit traces)"
command -v dd >/dev/null 2>&1 || skip_all "no dd here"
tmpdir

MIB=24
LIMIT_KIB=16384		# half of one line
DIOS_TRACE=$top_builddir/dios-trace

head -c $((MIB << 20)) /dev/zero | tr '\0' '\377' >"$T/a.bin"
{ head -c $(((MIB << 20) - 1)) "$T/a.bin"; printf '\376'; } >"$T/b.bin"
for t in a b; do
	cp "$T/$t.bin" "$T/data.bin"
	(cd "$T" && run_to 120 "$DIOS_RECORD" -q -o $t.json.zst -- \
	    dd if=data.bin of=/dev/null bs=${MIB}M count=1 iflag=fullblock) \
	    </dev/null >"$T/$t.rec" 2>&1
	is "$?" 0 "a read of $MIB MiB is recorded ($t)" || diag_file "$T/$t.rec"
done
size=$(wc -c <"$T/a.json.zst")
ok "the trace is small ($size bytes)" "$size" -lt 1048576
long=$("$ZSTD" -q -dc "$T/a.json.zst" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
ok "its longest line is over $((MIB * 4 / 3)) MiB ($long bytes)" "$long" -gt $(((MIB << 20) * 4 / 3))

# small TAG: the peak was well below the line (not under sanitizers, whose
# allocator keeps freed memory).
small()
{
	if [ -n "${DIOS_SANITIZED:-}" ]; then
		skip "$1: peak RSS below $LIMIT_KIB KiB" "dios is built with sanitizers"
	else
		ok "$1: peak RSS $kib KiB, below $LIMIT_KIB KiB" "$kib" -lt "$LIMIT_KIB"
	fi
}

peak_rss 120 cat "$DIOS_TRACE" cat a.json.zst
is "$st" 0 "cat reads the trace" || diag_file "$T/cat.err"
small cat
ok "cat shows the read's first bytes and its length" \
    -n "$(grep -F 'read(0' "$T/cat.out" | grep -F '"\377\377\377\377' | grep -F "= $((MIB << 20))")"
ok "and the write's" \
    -n "$(grep -F 'write(1' "$T/cat.out" | grep -F '"\377\377\377\377' | grep -F "= $((MIB << 20))")"

peak_rss 120 stats "$DIOS_TRACE" stats a.json.zst
is "$st" 0 "stats reads the trace" || diag_file "$T/stats.err"
small stats
peak_rss 120 validate "$DIOS_TRACE" validate a.json.zst
is "$st" 0 "validate finds the trace valid" || diag_file "$T/validate.err"
small validate
peak_rss 120 check "$DIOS_TRACE" check a.json.zst
ok "check reads the trace (status $st)" "$st" -le 1
small check

peak_rss 120 same "$DIOS_TRACE" diff a.json.zst a.json.zst
is "$st" 0 "diff finds the trace the same as itself" || diag_file "$T/same.out"
small diff
peak_rss 120 differ "$DIOS_TRACE" diff a.json.zst b.json.zst
is "$st" 1 "diff finds the trace with one byte changed different"
ok "in the file's contents" -n "$(grep -F 'first difference: file contents' "$T/differ.out")" &&
    ok "and names the read" -n "$(grep -F 'read(0' "$T/differ.out")" || diag_file "$T/differ.out"
small "diff of two"

# One base64 character spoilt in the middle of the read's line.
"$ZSTD" -q -dc "$T/a.json.zst" |
    awk '/"sys":"read"/ && length($0) > 1000000 && !done {
	    $0 = substr($0, 1, 15000000) "!" substr($0, 15000002); done = 1 } { print }' |
    "$ZSTD" -q -1 -o "$T/bad.json.zst"
peak_rss 120 bad "$DIOS_TRACE" validate bad.json.zst
is "$st" 1 "validate finds the spoilt base64 in the middle of the line"
ok "and says which" -n "$(grep -F 'b64' "$T/bad.out" "$T/bad.err")" ||
    { diag_file "$T/bad.out"; diag_file "$T/bad.err"; }

"$DIOS_TRACE" cat --json "$T/a.json.zst" >"$T/json.out" 2>"$T/json.err"
is "$?" 2 "cat --json refuses a line it does not hold whole"
ok "and says why and what to do" \
    -n "$(grep -F 'holds a string of more than 128 KiB' "$T/json.err" | grep -F 'zstd -dc')" ||
    diag_file "$T/json.err"

(cd "$T" && run_to 120 "$DIOS_REPLAY" -q a.json.zst) </dev/null >"$T/rep.out" 2>&1
is "$?" 0 "the trace replays" || diag_file "$T/rep.out"
rm -f "$T"/*.bin "$T"/*.json.zst

# big NAME MIB FILL: dd reads MIB MiB of the byte FILL (octal) at once and
# writes them to a file; recorded and replayed, the file compared.
big()
{
	head -c $(($2 << 20)) /dev/zero | tr '\0' "\\$3" >"$T/$1.bin"
	(cd "$T" && run_to 300 "$DIOS_RECORD" -q -o $1.json.zst -- \
	    dd if=$1.bin of=$1.out bs=$2M count=1 iflag=fullblock) </dev/null >"$T/$1.rec" 2>&1
	is "$?" 0 "$1: a read and a write of $2 MiB at once are recorded" || diag_file "$T/$1.rec"
	mv "$T/$1.out" "$T/$1.recorded"
	(cd "$T" && run_to 300 "$DIOS_REPLAY" -q $1.json.zst) </dev/null >"$T/$1.rep" 2>&1
	is "$?" 0 "$1: they replay" || diag_file "$T/$1.rep"
	ok "$1: the replay writes nothing to the host" ! -e "$T/$1.out"
	rm -f "$T/$1".*
}
big zeros 48 0
if [ -n "${DIOS_SANITIZED:-}" ]; then
	skip "200 MiB at once" "dios is built with sanitizers (several GiB of memory)"
else
	big ff200 200 377
fi

done_testing
