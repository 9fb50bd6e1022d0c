#!/bin/sh
# stacks.sh: call sites in traces (src/kernel/stack.h).  dios-record
# --stacks writes a "stack" on every system call's event, naming the
# program's functions and lines at its calls; without it, only the events
# --chaos changed have one, and a perturbed getdents64 of ls names libc's
# readdir; such traces validate and replay; dios-trace cat shows the frames
# under the call, and dios-trace diff takes no stack for a difference.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

STACKY=$PROGS/stacky
require_built "$STACKY"
require_tracing
tmpdir
JQ=$(command -v jq 2>/dev/null) || skip_all "jq is not installed (needed to read traces)"
unset DEBUGINFOD_URLS	# no network from libdwfl's debuginfod client
SRC=$top_srcdir/tests/progs/stacky.c
line() { grep -n "/\* @$1 \*/" "$SRC" | cut -d: -f1; }

# --- --stacks: every call, the program's functions and lines -------------
mkdir "$T/w" && echo "key = value" >"$T/w/config"
run rec "$DIOS_RECORD" -q -o "$T/s.json.zst" --stacks -- "$STACKY" "$T/w"
is "$st" 0 "stacky under --stacks exits 0"
has "it printed what it read" "$T/rec.o" "^config: 12 bytes$"
calls=$(events "$T/s.json.zst" '.sys')
with=$(events "$T/s.json.zst" '.sys and (.stack | type) == "array" and (.stack | length) > 0')
ok "every system call event has a stack ($with of $calls)" "$calls" -gt 10 -a "$with" = "$calls"
is "$(events "$T/s.json.zst" '.sys and ([.stack[] | type == "string"] | all | not)')" 0 \
    "every frame is a string"
is "$(events "$T/s.json.zst" '.sys and (.stack | length) > 32')" 0 "at most 32 frames"
is "$(events "$T/s.json.zst" '.sys and ([.stack[] | test("^[^ ]+\\+0x[0-9a-f]+( |$)")] | all | not)')" 0 \
    "every frame starts with module+0xoffset"

# frames SYS PATH-OR-FD-TEST: the stack of the first such call, one per line.
frames() { "$ZSTD" -q -dc "$T/s.json.zst" | "$JQ" -r "select(.sys == \"$1\" and ($2)) | .stack[]" | head -n 40; }
frames openat '.args.path | test("config$")' >"$T/open.f"
frames read '.ret == 12' >"$T/read.f"
frames write '.args.fd == 1' >"$T/write.f"
head -n 1 "$T/open.f" >"$T/open1.f"
has "openat of config: the innermost frame is libc's open" "$T/open1.f" "^libc\\.so\\.6\\+0x[0-9a-f]+( [_a-z0-9]*open|$)"
has "openat of config: called by read_file at its line" "$T/open.f" \
    "^stacky\\+0x[0-9a-f]+ read_file\\+0x[0-9a-f]+ \\(.*tests/progs/stacky\\.c:$(line open)\\)$"
has "openat of config: read_file called by load_config at its line" "$T/open.f" \
    " load_config\\+0x[0-9a-f]+ \\(.*stacky\\.c:$(line load_config)\\)$"
has "openat of config: load_config called by main at its line" "$T/open.f" \
    " main\\+0x[0-9a-f]+ \\(.*stacky\\.c:$(line main)\\)$"
is "$(grep -E -o ' (read_file|load_config|main)\+' "$T/open.f" | tr -d ' +' | tr '\n' ' ')" \
    "read_file load_config main " "openat of config: read_file, load_config, main in that order"
has "read of config: read_file at its line" "$T/read.f" " read_file\\+0x[0-9a-f]+ \\(.*stacky\\.c:$(line read)\\)$"
has "write to stdout: say at its line" "$T/write.f" " say\\+0x[0-9a-f]+ \\(.*stacky\\.c:$(line write)\\)$"
run val "$top_builddir/dios-trace" validate "$T/s.json.zst"
is "$st" 0 "the trace with stacks validates"
run rep "$DIOS_REPLAY" -q "$T/s.json.zst"
is "$st" 0 "the trace with stacks replays (replay ignores them)"
run cat "$top_builddir/dios-trace" cat "$T/s.json.zst"
is "$st" 0 "dios-trace cat of it exits 0"
grep -A 3 'openat(.*config' "$T/cat.o" >"$T/cat.f"
has "dios-trace cat shows the frames under the call, strace -k style" "$T/cat.f" \
    "^ > stacky\\+0x[0-9a-f]+ read_file\\+0x"

# --- without --stacks, no stacks -----------------------------------------
run plain "$DIOS_RECORD" -q -o "$T/p.json.zst" -- "$STACKY" "$T/w"
is "$st" 0 "stacky without --stacks exits 0"
is "$(events "$T/p.json.zst" '.stack')" 0 "without --stacks no event has a stack"
run pcat "$top_builddir/dios-trace" cat "$T/p.json.zst"
is "$(grep -c '^ > ' "$T/pcat.o")" 0 "and dios-trace cat shows none"
run diff "$top_builddir/dios-trace" diff "$T/p.json.zst" "$T/s.json.zst"
is "$st" 0 "dios-trace diff: a trace with stacks and one without differ in nothing (a stack is no result)"

# --- --chaos: the perturbed calls have their stack -----------------------
mkdir -p "$T/d" && (cd "$T/d" && for i in $(seq 1 20); do : >"f$i"; done)
run chaos "$DIOS_RECORD" -q -o "$T/c.json.zst" --chaos dirs --chaos-seed 5 -- ls -f "$T/d"
is "$st" 0 "ls under --chaos dirs exits 0"
perturbed=$(events "$T/c.json.zst" '.perturbed')
stacked=$(events "$T/c.json.zst" '.perturbed and (.stack | length) > 0')
ok "every perturbed event has a stack ($stacked of $perturbed)" "$perturbed" -gt 0 -a "$stacked" = "$perturbed"
is "$(events "$T/c.json.zst" '(.perturbed | not) and .stack')" 0 "and no other event has one"
libc=$(ldd "$(command -v ls)" 2>/dev/null | sed -n 's/.*libc\.so\.6 => \([^ ]*\).*/\1/p')
if [ -n "$libc" ] && nm -D "$libc" 2>/dev/null | grep -q ' readdir'; then
	"$ZSTD" -q -dc "$T/c.json.zst" | "$JQ" -r 'select(.sys == "getdents64" and .perturbed) | .stack[]' >"$T/c.f"
	has "a perturbed getdents64 was called by libc's readdir" "$T/c.f" "^libc\\.so\\.6\\+0x[0-9a-f]+ readdir"
	has "called from ls" "$T/c.f" "^ls\\+0x[0-9a-f]+"
else
	skip "a perturbed getdents64 was called by libc's readdir" "no libc.so.6 with a readdir symbol for ls here"
	skip "called from ls" "as above"
fi
run crep "$DIOS_REPLAY" "$T/c.json.zst"
is "$st" 0 "the perturbed trace with stacks replays"
same_file "$T/crep.o" "$T/chaos.o" "to the same listing"

done_testing
