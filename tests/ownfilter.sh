#!/bin/sh
# ownfilter.sh: a program's own seccomp filter (issue 15, item 3).  A
# program that installs one (as OpenSSH and sandboxed services do) sees its
# effects under dios as natively, in record and replay: a call it fails
# with EPERM, a call it traps (SIGSYS, caught), a call that kills the
# process (it dies of SIGSYS).  dios's own filter stays in charge of the
# calls the program's lets through: they are in the trace.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/ownfilter"
require_tracing
tmpdir

rr_case --twice --same-as-native --status 0 ownfilter : "$PROGS/ownfilter"
rr_case --twice --same-as-native --status 159 ownfilter-kill : "$PROGS/ownfilter" kill

run rec "$DIOS_RECORD" -q -o "$T/o.json.zst" -- "$PROGS/ownfilter"
is "$st" 0 "the recorded run ends as natively"
"$ZSTD" -q -dc "$T/o.json.zst" | sed -n '/"sys":"seccomp"/,$p' >"$T/after"
has "the trace has the program's seccomp call" "$T/after" '"sys":"seccomp".*"ret":0'
has "a call the program's filter lets through is still recorded" "$T/after" '"sys":"getuid"'
has "the SIGSYS of the trapped call is in the trace" "$T/after" '"event":"signal".*"sig":"SIGSYS"'

done_testing
