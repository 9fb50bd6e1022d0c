#!/bin/sh
# rules.sh: dios-trace check (src/inspect/rules.c) on recorded runs of
# tests/progs/rulesme: each mode plants one violation of one rule and
# check finds exactly it; the clean twins and the clean mode have none;
# --json parses with jq; --rules list and bad usage; real programs have no
# violation of the default rules.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

RULESME=$PROGS/rulesme
DIOS_TRACE=$top_builddir/dios-trace
require_built "$RULESME" "$DIOS_TRACE"
require_tracing
tmpdir
JQ=$(command -v jq 2>/dev/null) || JQ=

W=$T/work
mkdir -p "$W" || bail_out "cannot make $W"

# planted MODE STATUS RULES WANT: records `rulesme MODE` (which exits with
# STATUS), checks it with --rules RULES, and wants exactly the rules in
# WANT ("closed-fd", or "" for none), one line each.
planted()
{
	local mode=$1 status=$2 rules=$3 want=$4 tr=$T/$1.json.zst
	rm -f "$tr"
	"$DIOS_RECORD" -q -o "$tr" -- "$RULESME" "$mode" "$W" >"$T/$mode.rec" 2>&1 </dev/null
	if ! is "$?" "$status" "$mode: the recorded run exits $status"; then
		diag_file "$T/$mode.rec"
		return
	fi
	run "$mode-check" "$DIOS_TRACE" check --rules "$rules" "$tr"
	is "$st" "$([ -n "$want" ] && echo 1 || echo 0)" "$mode --rules $rules: check's status"
	is "$(sed 's/^[^ ]*: event [0-9]* (task [0-9]*): \([a-z-]*\): .*/\1/' "$T/$mode-check.o" | tr '\n' ' ' | sed 's/ $//')" \
	    "$want" "$mode: check finds ${want:-nothing}"
	[ -s "$T/$mode-check.o" ] && diag_file "$T/$mode-check.o"
	if [ -n "$JQ" ]; then
		"$DIOS_TRACE" check --json --rules "$rules" "$tr" >"$T/$mode.json" 2>/dev/null
		is "$("$JQ" -r '[.violations[].rule] | join(" ")' "$T/$mode.json")" "$want" \
		    "$mode: --json has the same violations"
	else
		skip "$mode: --json" "jq is not installed"
	fi
}

planted error-ignored 0 all error-ignored
planted error-checked 1 all ""
planted fd-leak 0 all fd-leak
planted fd-leak 0 default ""
planted fd-closed 0 all ""
planted closed-fd 0 all closed-fd
planted reuse 0 all ""
planted double-close 0 all double-close
planted eintr 1 all eintr-not-retried
planted eintr-retried 0 all ""
planted clean 0 all ""

# The message names the events.
has "closed-fd: the message names both calls" "$T/closed-fd-check.o" \
    ': event [0-9]+ \(task [0-9]+\): closed-fd: read\(([0-9]+)\) after close\(\1\) at event [0-9]+$'
has "error-ignored: the message says what was lost" "$T/error-ignored-check.o" \
    'write\([0-9]+\) wrote 16 of 64 bytes'
if [ -n "$JQ" ]; then
	# (the descriptor is 3, or above when the caller left others open: make's)
	is "$("$JQ" -r '.violations[0] | [.rule, (.fd >= 3 | tostring), (.seq > .seq2 | tostring)] | join(" ")' \
	    "$T/closed-fd.json")" "closed-fd true true" "--json: rule, fd, seq after seq2"
	is "$("$JQ" -r '.trace' "$T/clean.json")" "$T/clean.json.zst" "--json names the trace"
fi

# rulesme's traces with --rules naming one rule only
run only "$DIOS_TRACE" check --rules closed-fd "$T/double-close.json.zst"
is "$st" 0 "--rules closed-fd: the double close is not looked for"
run two "$DIOS_TRACE" check --rules closed-fd,double-close "$T/double-close.json.zst"
is "$st" 1 "--rules closed-fd,double-close: it is"

# --rules list, usage
run list "$DIOS_TRACE" check --rules list
is "$st" 0 "--rules list exits 0"
for r in error-ignored fd-leak fd-leak-all closed-fd double-close eintr-not-retried; do
	has "--rules list shows $r" "$T/list.o" "^$r +(on|off) "
done
run bad "$DIOS_TRACE" check --rules nope "$T/clean.json.zst"
is "$st" 2 "an unknown rule: status 2"
has "an unknown rule is named" "$T/bad.e" "unknown rule 'nope'"
run none "$DIOS_TRACE" check
is "$st" 2 "no trace: status 2"
run two "$DIOS_TRACE" check "$T/clean.json.zst" "$T/clean.json.zst"
is "$st" 2 "two traces: status 2"
run opt "$DIOS_TRACE" check --frobnicate "$T/clean.json.zst"
is "$st" 2 "an unknown option: status 2"
run missing "$DIOS_TRACE" check "$T/nonexistent.json.zst"
is "$st" 125 "a missing trace: status 125"
has "a missing trace is named" "$T/missing.e" "nonexistent.json.zst: no such trace file"
echo 'not a trace' >"$T/garbage"
run garbage "$DIOS_TRACE" check "$T/garbage"
is "$st" 125 "a file that is no trace: status 125"
run help "$DIOS_TRACE" check --help
is "$st" 0 "--help exits 0"
has "--help shows the usage" "$T/help.o" "^Usage: dios-trace check"

# Real programs: no violation of the default rules.
echo hello >"$W/x"
real()
{
	local name=$1 tr=$T/real-$1.json.zst
	shift
	if ! (cd "$W" && run_to 120 "$DIOS_RECORD" -q -o "$tr" -- "$@") >/dev/null 2>&1 </dev/null; then
		skip "$name: no violation" "its recording failed here"
		return
	fi
	run "real-$name" "$DIOS_TRACE" check "$tr"
	is "$st" 0 "$name: no violation of the default rules"
	[ -s "$T/real-$name.o" ] && diag_file "$T/real-$name.o"
}
real ls ls -la "$W"
real pipeline sh -c 'cat x | wc -l'
real cp cp x y
if command -v python3 >/dev/null 2>&1; then
	real python3 python3 -c 'print(1)'
else
	skip "python3: no violation" "python3 is not installed"
fi

done_testing
