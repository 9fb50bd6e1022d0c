#!/bin/sh
# valgrind.sh: the parsers of untrusted input (trace reader, YAML config)
# and the codec, under valgrind's memcheck: no invalid access, no leak.
# Then the trace's reading and writing threads (test-trace-io's threaded
# round) under helgrind: no data race, no lock misuse.
# Prints TAP; skips when valgrind is not installed.
: "${top_builddir:=.}"
progs="test-bytes test-codec test-sha256 test-config fuzz-config fuzz-trace-reader fuzz-trace-tool"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind not installed (Debian: apt-get install valgrind)"
	exit 0
fi
if [ -n "${DIOS_SANITIZED:-}" ]; then
	echo "1..0 # SKIP dios is built with sanitizers ($DIOS_SANITIZED), which valgrind cannot run"
	exit 0
fi
set -- $progs
echo "1..$(($# + 1))"
n=0 fail=0
for p in $progs; do
	n=$((n + 1))
	log=$(mktemp "${TMPDIR:-/tmp}/dios-vg.XXXXXX")
	# The fuzz loops read each input four ways: fewer inputs under
	# valgrind (60: about 25 s; the full count runs natively and under
	# ASan).
	if DIOS_FUZZ_ITERATIONS=${DIOS_FUZZ_ITERATIONS:-60} \
	    valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite \
	    "$top_builddir/tests/unit/$p" >/dev/null 2>"$log"; then
		echo "ok $n - $p is clean under valgrind"
	else
		echo "not ok $n - $p under valgrind"
		sed 's/^/# /' "$log" | head -40
		fail=1
	fi
	rm -f "$log"
done
n=$((n + 1))
log=$(mktemp "${TMPDIR:-/tmp}/dios-vg.XXXXXX")
# 60 lines of the queue's stress test (400 natively and under TSan), 3 of
# them over its byte bound: helgrind takes a minute over 120.
if DIOS_TRACE_IO_THREADS=only DIOS_QUEUE_STRESS_LINES=60 \
    valgrind -q --tool=helgrind --error-exitcode=97 \
    "$top_builddir/tests/unit/test-trace-io" >"$log.out" 2>"$log" && ! grep -q '^not ok' "$log.out"; then
	echo "ok $n - the trace's reading and writing threads are race-free under helgrind"
else
	echo "not ok $n - the trace's reading and writing threads under helgrind"
	sed 's/^/# /' "$log" "$log.out" | grep -v '^# ok' | head -40
	fail=1
fi
rm -f "$log" "$log.out"
exit $fail
