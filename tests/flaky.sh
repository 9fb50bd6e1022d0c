#!/bin/sh
# flaky.sh: dios-flaky run and explain (dios-flaky(1)).
#
# A shell command that fails about 1 run in 8 (a byte of /dev/urandom
# below 32) is caught and kept with the last passing run; both replay as
# recorded; explain names the random bytes.  Then: a command that never
# fails, failures by output, by status and by time limit, bad command lines,
# an interrupted campaign, the chaos seeds of a repeated campaign, and a
# directory-order failure that explain narrows to the chaos class dirs by
# re-recording.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DIOS_FLAKY=$top_builddir/dios-flaky
require_built "$DIOS_FLAKY"
require_tracing
JQ=$(command -v jq 2>/dev/null) || skip_all "jq is not installed (needed to read the summaries)"
tmpdir
cd "$T" || bail_out "cannot enter $T"
DIOS_RECORD=$top_builddir/dios-record
export DIOS_RECORD

# flaky ARGS...: dios-flaky with stdout in $T/out, stderr in $T/err, status in $st.
flaky()
{
	run_to 120 "$DIOS_FLAKY" "$@" </dev/null >"$T/out" 2>"$T/err"
	st=$?
}

RAND='test "$(od -An -N1 -tu1 /dev/urandom)" -gt 31'

# 1. Caught within the budget.  A campaign whose very first run fails keeps
# no pass: run again (-f) until one has a pass before its failure.
for try in 1 2 3 4 5 6; do
	flaky run -f -o c1 --runs 400 -- sh -c "$RAND"
	[ "$st" -eq 0 ] || break
	ls c1/pass-*.json.zst >/dev/null 2>&1 && break
done
is "$st" 0 "run: a failure caught exits 0"
diag_file "$T/err" 5
fails=$(cd c1 && ls fail-*.json.zst 2>/dev/null)
passes=$(cd c1 && ls pass-*.json.zst 2>/dev/null)
ok "run: exactly one failing trace is kept ($fails)" "$(echo $fails | wc -w)" -eq 1
ok "run: exactly one passing trace is kept ($passes)" "$(echo $passes | wc -w)" -eq 1
n=${fails#fail-}; n=${n%.json.zst}
m=${passes#pass-}; m=${m%.json.zst}
is "$m" "$((n - 1))" "run: the pass kept is the run before the failure"
ok "run: each kept trace has its log" -f "c1/fail-$n.log" -a -f "c1/pass-$m.log"
is "$(ls c1 | wc -l | tr -d ' ')" 4 "run: nothing else is left in the directory"
is "$(sed -n 1p out)" "run $n of $n failed (exit 1): kept c1/fail-$n.json.zst and the last pass c1/pass-$m.json.zst" \
    "run: the summary names both traces"
line=$(grep 'passed,' out)
p=$(echo "$line" | sed 's/ passed.*//'); f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed.*/\1/')
ok "run: passes + failures = runs ($line)" "$((p + f))" -eq "$n" -a "$f" -eq 1
ok "run: the failure rate has a 95% interval" -n "$(echo "$line" | grep -E 'failure rate [0-9.]+% \(95% CI [0-9.]+%-[0-9.]+%\)')"
grep -q '^mean time per run ' out
ok "run: the mean time per run is printed" $? -eq 0

# 2. Replay reproduces both, every time.
good=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	run_to 60 "$DIOS_REPLAY" -q "c1/fail-$n.json.zst" </dev/null >/dev/null 2>"$T/rerr"
	[ $? -eq 1 ] && good=$((good + 1))
done
is "$good" 10 "replay: the failing trace fails with status 1, 10 times of 10"
run_to 60 "$DIOS_REPLAY" -q "c1/pass-$m.json.zst" </dev/null >/dev/null 2>"$T/rerr"
is "$?" 0 "replay: the passing trace passes"

# 3. Explain names the random bytes.
flaky explain "c1/pass-$m.json.zst" "c1/fail-$n.json.zst"
is "$st" 0 "explain: exits 0"
diag_file "$T/err" 5
ok "explain: the verdict is the random bytes ($(sed -n 1p out))" \
    -n "$(sed -n 1p out | grep 'the failure follows the random bytes: read of /dev/urandom')"
grep -q 'suspect, not a proof' out
ok "explain: without chaos it says the verdict is a suspect" $? -eq 0
flaky explain --json "c1/pass-$m.json.zst" "c1/fail-$n.json.zst"
# where the runs part: the bytes od writes differ (calls), or only how sh
# ends does when they look alike (end)
got=$($JQ -r '.class + " " + .proof + " " + .divergence.kind' out)
ok "explain --json: class random, a static verdict, a divergence in the calls or the end ($got)" \
    "$got" = "random static calls" -o "$got" = "random static end"
is "$($JQ -r '.suspects | map(select(.class == "random")) | .[0].what' out)" /dev/urandom \
    "explain --json: the random suspect reads /dev/urandom"
is "$($JQ -r '.suspects[0].call_site' out)" null "explain --json: no call site (no unwinder yet)"

# 4. A command that never fails.
flaky run -o c2 --runs 5 --json -- true
is "$st" 1 "run: no failure within the budget exits 1"
is "$($JQ -c '[.runs, .passed, .failed, (.failures | length), .last_pass.run]' out)" "[5,5,0,0,5]" \
    "run --json: 5 runs, 5 passed, the last pass kept"
is "$(ls c2)" "pass-5.json.zst
pass-5.log" "run: only the last pass is kept"

# 5. Failures by output, by status, by time limit.
flaky run -o c3 --runs 5 --fail-if-output 'ERR(OR)?: b..m$' -- sh -c 'echo working; echo ERROR: boom >&2'
is "$st" 0 "run --fail-if-output: the output fails the run"
grep -q 'output matched' out && grep -q 'ERROR: boom' c3/fail-1.log
ok "run --fail-if-output: kind output, the output is in the log" $? -eq 0
flaky run -o c4 --runs 5 --fail-status 3-4,SIGSEGV -- sh -c 'exit 3'
is "$st" 0 "run --fail-status 3-4: status 3 fails"
flaky run -o c5 --runs 3 --fail-status 3 -- sh -c 'exit 1'
is "$st" 1 "run --fail-status 3: status 1 passes"
flaky run -o c6 --runs 2 --json --timeout 0.5 -- sleep 10
is "$st" 0 "run --timeout: a run over it fails"
is "$($JQ -r '.failures[0].kind' out)" timeout "run --timeout: of kind timeout"
run_to 60 "$DIOS_REPLAY" -q c6/fail-1.json.zst </dev/null >/dev/null 2>"$T/rerr"
is "$?" 143 "run --timeout: the trace is kept and replays to the same end (SIGTERM)"

# A time budget; a test runner (make) as one tree of processes.
flaky run -o c10 --runs 0 --time 1s --json -- sleep 0.3
ok "run --time 1s: stops after the budget, no failure: 1 ($($JQ -c .runs out) runs)" "$st" -eq 1 -a \
    "$($JQ .runs out)" -ge 2 -a "$($JQ .runs out)" -le 5
if command -v make >/dev/null 2>&1; then
	mkdir mk && printf 'check:\n\t@sh -c %s\n' "'$(echo "$RAND" | sed 's/\$/$$/g')'" >mk/Makefile
	(cd mk && run_to 120 "$DIOS_FLAKY" run -o ../c11 --runs 400 -- make -s check) </dev/null >out 2>err
	st=$?
	ok "run -- make check: a failing make is caught (status 2 kept, its recipe failed)" "$st" -eq 0 -a \
	    -n "$(grep 'failed (exit 2)' out)" -a -n "$(grep 'check.*Error 1' c11/fail-*.log)"
	run_to 60 "$DIOS_REPLAY" -q c11/fail-*.json.zst </dev/null >/dev/null 2>"$T/rerr"
	is "$?" 2 "run -- make check: the failing make replays with status 2"
else
	skip "run -- make check" "make is not installed"
fi

# pytest: a whole test runner (an interpreter that imports its plugins,
# collects the tests and runs them) is one recording; a test that fails on
# a random byte is caught, its failing run replays with pytest's status 1,
# and explain names the random bytes.
PYTEST_PY=
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import pytest' 2>/dev/null; then
		PYTEST_PY=$py
		break
	fi
done
if [ -n "$PYTEST_PY" ]; then
	mkdir pyt && printf '%s\n' 'import os' 'def test_ok():' '    assert True' \
	    'def test_roll():' '    assert os.urandom(1)[0] > 31' >pyt/test_roll.py
	st=1
	for try in 1 2 3; do
		(cd pyt && run_to 300 "$DIOS_FLAKY" run -f -o ../c12 --runs 200 -- \
		    "$PYTEST_PY" -m pytest -q -p no:cacheprovider test_roll.py) </dev/null >out 2>err
		st=$?
		[ $st -eq 0 ] && ls c12/pass-*.json.zst >/dev/null 2>&1 && break
	done
	ok "run -- pytest: a failing test is caught (status 1 kept)" "$st" -eq 0 -a \
	    -n "$(grep 'failed (exit 1)' out)" -a -n "$(grep 'test_roll' c12/fail-*.log)"
	mv pyt pyt.gone
	same=0
	for i in 1 2 3; do
		run_to 120 "$DIOS_REPLAY" c12/fail-*.json.zst </dev/null >"$T/pyout" 2>"$T/rerr"
		[ $? -eq 1 ] && grep -q 'failed' "$T/pyout" && same=$((same + 1))
	done
	is "$same" 3 "run -- pytest: the failing run replays with status 1 and the failure shown, 3 times of 3, its test file gone"
	run_to 120 "$DIOS_FLAKY" explain --no-rerun c12/pass-*.json.zst c12/fail-*.json.zst </dev/null >out 2>err
	ok "explain -- pytest: the verdict is the random bytes ($(head -1 out))" \
	    -n "$(head -1 out | grep 'random bytes')"
else
	skip "run -- pytest" "pytest is not installed for python3"
	skip "run -- pytest: replay" "pytest is not installed for python3"
	skip "explain -- pytest" "pytest is not installed for python3"
fi

# 6. Bad input: one line, status 2, nothing overwritten.
flaky run --frobnicate -- true
ok "run: an unknown option is a usage error" "$st" -eq 2
flaky run -o c7
ok "run: a missing command is a usage error (one line)" "$st" -eq 2 -a "$(wc -l <err)" -eq 1
echo data >afile
flaky run -o afile -- true
ok "run -o FILE: a usage error, one line, the file intact" "$st" -eq 2 -a "$(wc -l <err)" -eq 1 \
    -a "$(cat afile)" = data
cp "c1/fail-$n.json.zst" saved.json.zst
flaky run -o c1 --runs 3 -- false
ok "run: an earlier campaign's files are not replaced without -f" "$st" -eq 2 -a "$(wc -l <err)" -eq 1
cmp -s saved.json.zst "c1/fail-$n.json.zst"
ok "run: the earlier failing trace is intact" $? -eq 0
flaky run --fail-status 3-x -- true
ok "run --fail-status 3-x: a usage error" "$st" -eq 2
flaky explain onlyone.json.zst
ok "explain with one trace: a usage error" "$st" -eq 2
flaky explain nosuch1.json.zst nosuch2.json.zst
ok "explain: a missing trace is status 125, one line" "$st" -eq 125 -a "$(wc -l <err)" -eq 1

# 7. Interrupted: the summary so far, no process left behind.
"$DIOS_FLAKY" run -o c8 --runs 3 -- sleep 31.25 </dev/null >out 2>err &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
st=$?
is "$st" 1 "run: SIGTERM ends the campaign (no failure caught: 1)"
grep -q 'interrupted' err
ok "run: it says the run was interrupted" $? -eq 0
sleep 0.2
is "$(ps -eo args | grep -c '^sleep 31[.]25')" 0 "run: no process of the run is left"

# 8. Chaos: a campaign repeats with its seed.
if [ -z "$ZSTD" ]; then
	skip "run --chaos" "zstd is not installed (needed to read the headers)"
elif "$DIOS_RECORD" --help 2>&1 | grep -q -- '--chaos'; then
	for d in s1 s2; do
		flaky run -o $d --chaos --seed 99 --runs 3 --keep 3 -- false
		[ "$st" -eq 0 ] || diag_file err 5
	done
	seeds()
	{
		for i in 1 2 3; do
			"$ZSTD" -dc "$1/fail-$i.json.zst" 2>/dev/null | head -n 1 | $JQ -c '.perturbed.chaos.seed'
		done | tr '\n' ' '
	}
	a=$(seeds s1); b=$(seeds s2)
	is "$a" "$b" "run --chaos --seed: the same chaos seeds per run again"
	ok "run --chaos: each run has its own seed ($a)" "$(echo $a | tr ' ' '\n' | sort -u | wc -l)" -eq 3
	is "$("$ZSTD" -dc s1/fail-1.json.zst | head -n 1 | $JQ -c '.perturbed.chaos.classes')" \
	    '["sched","time","io","dirs"]' "run --chaos: all classes"

	# 9. A failure that follows the directory order, narrowed by re-recording.
	mkdir dd && (cd dd && touch a b c d e f g h)
	firstname=$(find dd -mindepth 1 | head -n 1)
	flaky run -o c9 --chaos --seed 7 --runs 60 -- \
	    sh -c "test \"\$(find dd -mindepth 1 | head -n 1)\" = $firstname"
	st9=$st
	flaky run -o c9p --runs 1 -- sh -c "test \"\$(find dd -mindepth 1 | head -n 1)\" = $firstname"
	if [ "$st9" -eq 0 ] && [ "$st" -eq 1 ]; then
		flaky explain --json --runs 3 c9p/pass-1.json.zst c9/fail-*.json.zst
		is "$st" 0 "explain a chaos failure: exits 0"
		is "$($JQ -c '[.chaos.minimal, .chaos.needed, .proof]' out)" '[["dirs"],["dirs"],"rerun"]' \
		    "explain: ddmin over the classes finds dirs, by re-recording"
		is "$($JQ -r '.chaos.perturbed_event.perturbed' out)" chaos:dirs \
		    "explain: it names a getdents64 the chaos reordered"
		ok "explain: the verdict names the directory order ($($JQ -r .verdict out))" \
		    -n "$($JQ -r .verdict out | grep '^the failure follows the directory order (chaos class dirs): getdents64 of ')"
		ok "explain: the perturbed event's call site is its stack (libc's readdir first)" \
		    -n "$($JQ -r '.chaos.perturbed_event.call_site[0] // empty' out | grep -i 'getdents\|readdir\|libc')"
	else
		diag_file out 5
		ok "run --chaos: a directory-order failure within 60 runs, a pass without chaos" 1 = 0
	fi

	# 10. Static verdicts (no re-recording) of tests/progs/flaky's race and
	# elapsed tests, made to fail by chaos: the pass kept is a chaos run
	# too, so every run's noise (the C library's getrandom, clock reads,
	# futex waits, threads in another order) is in both.
	if [ -x "$PROGS/flaky" ]; then
		for c in "race sched 'the order of tasks: pread64 of .*race\.log.*which its tasks wrote in another order'" \
		    "elapsed time 'the time: clock_gettime (event [0-9]*), [0-9.]* s after the previous reading, against [0-9.]* s when it passed'"; do
			eval "set -- $c"
			mkdir -p "w-$1"
			for try in 1 2 3 4 5; do
				rm -rf "c-$1"
				flaky run -f -o "c-$1" --chaos="$2" --runs 300 -- "$PROGS/flaky" "$1" "$T/w-$1"
				ls "c-$1"/pass-*.json.zst >/dev/null 2>&1 && break
			done
			if [ "$st" -eq 0 ] && ls "c-$1"/pass-*.json.zst >/dev/null 2>&1; then
				flaky explain --json --no-rerun "c-$1"/pass-*.json.zst "c-$1"/fail-*.json.zst
				is "$($JQ -r .class out)" "$2" "explain --no-rerun, $1: the class is $2"
				ok "explain --no-rerun, $1: the verdict names it ($($JQ -r .verdict out))" \
				    -n "$($JQ -r .verdict out | grep -e "^the failure follows $3")"
			else
				diag_file err 5
				ok "run --chaos=$2: a $1 failure after a pass within 300 runs" 1 = 0
				skip "explain --no-rerun, $1: the verdict names it" "no failure caught"
			fi
		done
		# The port test binds a port made from its pid first, which
		# differs in every run but changes nothing; then one drawn at
		# random, which fails when it is the same: the verdict is the
		# random draw, not a clock read before the first bind.
		mkdir -p w-port
		for try in 1 2 3; do
			rm -rf c-port
			flaky run -f -o c-port --runs 300 -- "$PROGS/flaky" port "$T/w-port"
			ls c-port/pass-*.json.zst >/dev/null 2>&1 && break
		done
		if [ "$st" -eq 0 ] && ls c-port/pass-*.json.zst >/dev/null 2>&1; then
			flaky explain --json --no-rerun c-port/pass-*.json.zst c-port/fail-*.json.zst
			is "$($JQ -r .class out)" random "explain --no-rerun, port: the class is random"
			ok "explain --no-rerun, port: the verdict names the draw ($($JQ -r .verdict out))" \
			    -n "$($JQ -r .verdict out | grep -e '^the failure follows the random bytes: getrandom')"
		else
			diag_file err 5
			ok "run: a port failure after a pass within 300 runs" 1 = 0
			skip "explain --no-rerun, port: the verdict names the draw" "no failure caught"
		fi
	else
		skip "explain --no-rerun: race, elapsed and port" "tests/progs/flaky is not built"
	fi
else
	skip "run --chaos" "dios-record has no --chaos"
fi

done_testing
