#!/bin/sh
# inject.sh: fault injection in a live run (dios-record --inject, dios-fuzz
# inject; issue 12, items 2 and 12).  The examples of strace(1)'s -e inject=
# (error= with when=, on a path, retval=42, signal=SIGUSR1, delay_enter and
# delay_exit) have the same effect on tests/progs/injectme as under strace;
# the trace marks the events changed "perturbed"; and dios-replay of the
# trace ends with the same status and output, three times of three.  Bad
# specs are one line, status 2, and no trace.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DIOS_FUZZ=$top_builddir/dios-fuzz
I=$PROGS/injectme
require_built "$I" "$DIOS_FUZZ"
require_tracing
[ -n "$ZSTD" ] || skip_all "zstd is not installed (needed to read traces)"
tmpdir

# inj NAME STATUS PERTURBED CMD...: runs CMD (a dios-record or dios-fuzz
# command line writing $T/NAME/trace.json.zst) in $T/NAME, and checks that
# it exits STATUS, that PERTURBED events are marked "perturbed", and that
# three replays exit STATUS and print the recorded stdout.  The program's
# stdout is in $T/NAME/out.
inj()
{
	local n=$1 want=$2 np=$3 d i got
	shift 3
	d=$T/$n
	mkdir -p "$d"
	printf 'hello\n' >"$d/a.txt"
	printf '%0100d' 0 >"$d/data.txt"
	(cd "$d" && run_to 60 "$@") </dev/null >"$d/out" 2>"$d/err"
	st=$?
	is "$st" "$want" "$n: the run with faults exits $want" || diag_file "$d/err"
	got=$("$ZSTD" -q -dc "$d/trace.json.zst" 2>/dev/null | grep -c '"perturbed":"inject:')
	is "$got" "$np" "$n: the trace marks $np event(s) perturbed"
	for i in 1 2 3; do
		(cd "$d" && run_to 60 "$DIOS_REPLAY" "$d/trace.json.zst") </dev/null >"$d/rout" 2>"$d/rerr"
		if ! is "$?" "$want" "$n: replay $i exits $want"; then
			diag_file "$d/rerr"
		fi
		same_file "$d/rout" "$d/out" "$n: replay $i prints what the run printed"
	done
}

nl='
'

# strace(1): "to fail each third and subsequent chdir syscalls with ENOENT,
# use -e inject=chdir:error=ENOENT:when=3+".
inj when3 3 3 "$DIOS_RECORD" -o trace.json.zst --inject 'chdir:error=ENOENT:when=3+' -- "$I" chdir 5
is "$(cat "$T/when3/out")" "chdir #1 = 0${nl}chdir #2 = 0${nl}chdir #3 = -1 ENOENT${nl}chdir #4 = -1 ENOENT${nl}chdir #5 = -1 ENOENT" \
    "when=3+: the third chdir and those after fail with ENOENT"
has "when3: the summary counts the calls changed" "$T/when3/err" '^dios-record: inject changed 3 calls'
hdr=$("$ZSTD" -q -dc "$T/when3/trace.json.zst" | head -n 1)
case $hdr in
*'"perturbed":{"inject":{"seed":'*'"rules":[{"syscall":["chdir"],"error":"ENOENT","when":"3+"}]}}'*)
	ok "when3: the header's perturbed.inject holds the rules as JSON" 1 = 1 ;;
*)	ok "when3: the header's perturbed.inject holds the rules as JSON" 1 = 0 ;;
esac

# when=FIRST..LAST+STEP
inj range 3 2 "$DIOS_RECORD" -o trace.json.zst --inject 'chdir:error=EACCES:when=2..6+3' -- "$I" chdir 6
is "$(grep -c EACCES "$T/range/out")" 2 "when=2..6+3: chdirs 2 and 5 fail"
has "when=2..6+3: chdir 5 is one" "$T/range/out" '^chdir #5 = -1 EACCES$'

# strace(1): "-P /dev/urandom -e inject=file:error=ENOENT": a path and a
# class; the loader's opens are left alone.
inj path 3 2 "$DIOS_RECORD" -o trace.json.zst --inject '%file:path=*/a.txt:error=ENOENT' -- "$I" open . 2
is "$(cat "$T/path/out")" "open a.txt #1 = -1 ENOENT${nl}open a.txt #2 = -1 ENOENT" \
    "%file:path=*/a.txt: both opens of a.txt fail with ENOENT"

# The same in YAML, with when= (the second open of that path only).
cat >"$T/open2.yaml" <<'EOF'
# the second open of a.txt fails
seed: 1
rules:
  - name: second-open
    syscall: [open, openat]
    path: "*/a.txt"
    error: ENOENT
    when: 2
EOF
inj yaml 3 1 "$DIOS_RECORD" -o trace.json.zst --inject "$T/open2.yaml" -- "$I" open . 3
is "$(cat "$T/yaml/out")" "open a.txt #1 = fd${nl}open a.txt #2 = -1 ENOENT${nl}open a.txt #3 = fd" \
    "YAML: only the second open of a.txt fails"
is "$("$ZSTD" -q -dc "$T/yaml/trace.json.zst" | grep -c '"perturbed":"inject:second-open"')" 1 \
    "YAML: the event is marked with the rule's name"

# retval=42: the call does not run and returns 42.
inj retval 0 1 "$DIOS_RECORD" -o trace.json.zst --inject 'chdir:retval=42' -- "$I" chdir 1
is "$(cat "$T/retval/out")" "chdir #1 = 42" "retval=42: chdir returns 42"

# signal=SIGUSR1 with error= (strace's qual_inject-error-signal test): the
# program's handler sees it.
inj signal 3 1 "$DIOS_RECORD" -o trace.json.zst --inject 'chdir:error=ENOENT:signal=USR1' -- "$I" signal
is "$(cat "$T/signal/out")" "chdir = -1 ENOENT${nl}SIGUSR1 handled 1 time(s)" \
    "signal=USR1: chdir fails and the program handles SIGUSR1 once"
inj signal-only 0 1 "$DIOS_RECORD" -o trace.json.zst --inject 'chdir:signal=SIGUSR1' -- "$I" signal
is "$(cat "$T/signal-only/out")" "chdir = 0${nl}SIGUSR1 handled 1 time(s)" \
    "signal=SIGUSR1 alone: chdir runs and the program handles SIGUSR1"

# delay_enter / delay_exit: the program measures the call taking 250 ms or
# more (300 ms asked: a lower bound, never flaky on a loaded machine).
inj delay-enter 0 1 "$DIOS_RECORD" -o trace.json.zst --inject 'chdir:delay_enter=300ms' -- "$I" delay
is "$(cat "$T/delay-enter/out")" "chdir = 0${nl}chdir took at least 250 ms: yes" \
    "delay_enter=300ms: the program sees chdir take 250 ms or more"
inj delay-exit 0 1 "$DIOS_RECORD" -o trace.json.zst --inject 'chdir:delay_exit=300000' -- "$I" delay
is "$(cat "$T/delay-exit/out")" "chdir = 0${nl}chdir took at least 250 ms: yes" \
    "delay_exit=300000 (microseconds): the program sees chdir take 250 ms or more"

# dios's own: a short read of a descriptor named by its path.
inj short 0 1 "$DIOS_RECORD" -o trace.json.zst --inject 'read:fd-path=*/data.txt:short=half' -- "$I" read .
is "$(cat "$T/short/out")" "open data.txt = fd${nl}read 100 = 50" "short=half: the read of data.txt returns 50 of 100"

# A probability with a seed: the same seed, the same calls.
for s in a b; do
	mkdir -p "$T/prob-$s"
	(cd "$T/prob-$s" && run_to 60 "$DIOS_RECORD" -q -o trace.json.zst --inject-seed 7 \
	    --inject 'chdir:error=ENOENT:probability=0.5' -- "$I" chdir 40) </dev/null >"$T/prob-$s/out" 2>&1
done
same_file "$T/prob-b/out" "$T/prob-a/out" "probability=0.5 --inject-seed 7: two runs fail the same chdirs"
n=$(grep -c ENOENT "$T/prob-a/out")
ok "probability=0.5: some but not all of 40 chdirs fail ($n)" "$n" -gt 5 -a "$n" -lt 35

# dios-fuzz inject: the same, through dios-fuzz, recorded by dios-record.
inj fuzz 3 1 "$DIOS_FUZZ" inject -o trace.json.zst --spec "$T/open2.yaml" -- "$I" open . 3
is "$(cat "$T/fuzz/out")" "open a.txt #1 = fd${nl}open a.txt #2 = -1 ENOENT${nl}open a.txt #3 = fd" \
    "dios-fuzz inject --spec: the second open of a.txt fails"
has "dios-fuzz inject: dios-record's summary" "$T/fuzz/err" '^dios-record: inject changed 1 call'

# Bad specs: one line, status 2, no trace.
printf 'rules:\n  - syscall: chdir\n    error: [ENOENT\n' >"$T/syntax.yaml"
printf 'rules:\n  - syscall: chdir\n    errno: ENOENT\n' >"$T/key.yaml"
printf 'rules:\n  - syscall: read\n    error: ENOENT\n' >"$T/errno.yaml"
printf 'rules:\n  - syscall: chdir\n    error: ENOENT\n    when: 3..2\n' >"$T/when.yaml"
refused()	# refused NAME REGEX CMD...
{
	local n=$1 re=$2 d
	shift 2
	d=$T/bad-$n
	mkdir -p "$d"
	(cd "$d" && run_to 60 "$@") </dev/null >"$d/out" 2>"$d/err"
	is "$?" 2 "$n: status 2"
	is "$(wc -l <"$d/err" | tr -d ' ')" 1 "$n: one line" || diag_file "$d/err"
	has "$n: says why" "$d/err" "$re"
	is "$(ls "$d")" "err${nl}out" "$n: no trace written"
}
refused yaml-syntax "^dios-record: --inject: $T/syntax.yaml:4: YAML syntax error: " \
    "$DIOS_RECORD" -o trace.json.zst --inject "$T/syntax.yaml" -- "$I" chdir 1
refused unknown-key "^dios-record: --inject: $T/key.yaml:3: rule 1: unknown key 'errno' " \
    "$DIOS_RECORD" -o trace.json.zst --inject "$T/key.yaml" -- "$I" chdir 1
refused errno "^dios-record: --inject: $T/errno.yaml:2: rule 1: read cannot return ENOENT \\(it can return EIO, EINTR, EAGAIN" \
    "$DIOS_RECORD" -o trace.json.zst --inject "$T/errno.yaml" -- "$I" chdir 1
refused errno-strace "^dios-record: --inject: 'write:error=ENOENT': write cannot return ENOENT .*force: true" \
    "$DIOS_RECORD" -o trace.json.zst --inject 'write:error=ENOENT' -- "$I" chdir 1
refused when "^dios-record: --inject: $T/when.yaml:4: rule 1: when: 3..2: the last call \\(2\\) comes before the first \\(3\\)" \
    "$DIOS_RECORD" -o trace.json.zst --inject "$T/when.yaml" -- "$I" chdir 1
refused when-strace "^dios-record: --inject: 'chdir:error=ENOENT:when=0': bad when: '0'" \
    "$DIOS_RECORD" -o trace.json.zst --inject 'chdir:error=ENOENT:when=0' -- "$I" chdir 1
refused chaos "^dios-record: --inject and --chaos cannot be used in one run" \
    "$DIOS_RECORD" -o trace.json.zst --chaos all --inject 'chdir:retval=1' -- "$I" chdir 1
refused fuzz-spec "^dios-fuzz: inject: $T/key.yaml:3: rule 1: unknown key 'errno' " \
    "$DIOS_FUZZ" inject -o trace.json.zst --spec "$T/key.yaml" -- "$I" chdir 1
refused fuzz-min "^dios-fuzz: min: .*0001.json: No such file" "$DIOS_FUZZ" min findings/failures/0001.json.zst

done_testing
