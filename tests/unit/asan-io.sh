#!/bin/sh
# asan-io.sh: builds src/trace/bytes.c, sha256.c and the trace I/O (writer.c,
# reader.c, iothread.c) with their unit tests and the trace-reader fuzz loop
# under AddressSanitizer + UBSan (clang), runs them, and when clang has
# libFuzzer, fuzzes the reader for a while.
# Prints TAP; exits 77 (skip) when clang, ASan or the libraries are missing.
#
#	tests/unit/asan-io.sh			(or: make check-asan-io)
#	DIOS_FUZZ_ITERATIONS=20000 DIOS_FUZZ_SECONDS=60 tests/unit/asan-io.sh
#
# Environment: srcdir (top of the source tree; default: from $0), CC
# (default clang), DIOS_FUZZ_ITERATIONS (mutation loop, default 2000),
# DIOS_FUZZ_SECONDS (libFuzzer run, default 20; 0 skips it).
set -u

top=${srcdir:-${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}}
cc=${CC_ASAN:-clang}
iterations=${DIOS_FUZZ_ITERATIONS:-2000}
seconds=${DIOS_FUZZ_SECONDS:-20}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}

command -v "$cc" >/dev/null 2>&1 || skip_all "$cc not found (install clang)"
pkg-config --exists jansson libzstd 2>/dev/null ||
	skip_all "pkg-config cannot find jansson and libzstd"
[ -f "$top/src/trace/reader.c" ] || {
	echo "Bail out! cannot find src/trace/reader.c under $top (set srcdir)"
	exit 99
}

work=$(mktemp -d /tmp/dios-asan-io-XXXXXX) || {
	echo "Bail out! mktemp failed"
	exit 99
}
trap 'rm -rf "$work"' EXIT INT TERM

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-g -O1 $san -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter
	-iquote $top/src -I$top/tests/unit $(pkg-config --cflags jansson libzstd)"
libs="$(pkg-config --libs jansson libzstd) -pthread"
io="$top/src/trace/writer.c $top/src/trace/reader.c $top/src/trace/iothread.c"
lib="$top/src/trace/bytes.c $top/src/trace/elide.c $top/src/trace/sha256.c $io"

echo 'int main(void) { return 0; }' >"$work/probe.c"
# shellcheck disable=SC2086
"$cc" $san "$work/probe.c" -o "$work/probe" >/dev/null 2>&1 && "$work/probe" ||
	skip_all "$cc cannot build and run with -fsanitize=address,undefined"

fuzzer=no
# shellcheck disable=SC2086
if [ "$seconds" != 0 ] && "$cc" -fsanitize=fuzzer,address -DDIOS_LIBFUZZER \
	-x c - -o "$work/fprobe" >/dev/null 2>&1 <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
EOF
then
	fuzzer=yes
fi

echo "1..7"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
n=0
failed=0

report() {	# report STATUS NAME LOG
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2 (exit $1)"
		sed 's/^/# /' "$3" | tail -n 60
		failed=1
	fi
}

for t in test-bytes test-sha256 test-trace-io test-elide fuzz-trace-reader; do
	log="$work/$t.log"
	# shellcheck disable=SC2086
	if "$cc" $cflags "$top/tests/unit/$t.c" $lib $libs -o "$work/$t" >"$log" 2>&1; then
		if [ "$t" = fuzz-trace-reader ]; then
			(cd "$work" && "./$t" "$iterations") >>"$log" 2>&1
		else
			(cd "$work" && "./$t") >>"$log" 2>&1
		fi
		st=$?
		if [ $st -eq 0 ] && grep -Eq '^not ok|Sanitizer|runtime error:' "$log"; then
			st=1
		fi
	else
		st=98
	fi
	report "$st" "$t under ASan+UBSan" "$log"
done

# The trace's reading and writing threads under ThreadSanitizer.
log="$work/tsan.log"
# shellcheck disable=SC2086
if "$cc" -g -O1 -fsanitize=thread -std=gnu11 -D_GNU_SOURCE -iquote "$top/src" -I"$top/tests/unit" \
	$(pkg-config --cflags jansson libzstd) "$top/tests/unit/test-trace-io.c" $lib \
	$libs -pthread -o "$work/tsan-io" >"$log" 2>&1; then
	(cd "$work" && DIOS_TRACE_IO_THREADS=only TSAN_OPTIONS=halt_on_error=1 ./tsan-io) >>"$log" 2>&1
	st=$?
	if [ $st -eq 0 ] && grep -Eq '^not ok|ThreadSanitizer' "$log"; then
		st=1
	fi
	report "$st" "test-trace-io's threads under TSan" "$log"
else
	n=$((n + 1))
	echo "ok $n # SKIP $cc cannot build with -fsanitize=thread"
fi

log="$work/libfuzzer.log"
if [ "$fuzzer" = yes ]; then
	mkdir -p "$work/corpus"
	# The mutation loop's seeds are made by the writer at run time; give
	# libFuzzer a small valid trace to start from.
	printf '{"format":"dios-trace","version":1}\n{"seq":1,"sys":"read","out":{"buf":{"b64":"/wAB"}}}\n' \
		>"$work/seed.txt"
	if command -v zstd >/dev/null 2>&1; then
		zstd -q -3 "$work/seed.txt" -o "$work/corpus/seed.zst"
	fi
	# shellcheck disable=SC2086
	if "$cc" $cflags -fsanitize=fuzzer -DDIOS_LIBFUZZER \
		"$top/tests/unit/fuzz-trace-reader.c" $lib $libs -o "$work/libfuzzer" >"$log" 2>&1; then
		(cd "$work" && ./libfuzzer -max_total_time="$seconds" -timeout=20 \
			-rss_limit_mb=4096 -malloc_limit_mb=4096 -print_final_stats=1 \
			corpus) >>"$log" 2>&1
		st=$?
		grep -E '^(Done|stat::number_of_executed_units)' "$log" | sed 's/^/# /'
	else
		st=98
	fi
	report "$st" "libFuzzer on the trace reader for ${seconds}s" "$log"
else
	n=$((n + 1))
	echo "ok $n # SKIP libFuzzer unavailable or DIOS_FUZZ_SECONDS=0"
fi
exit $failed
