#!/bin/sh
# libfuzz-spec.sh: the fault-spec reader (src/fuzz/spec.c, specdecide.c,
# errtab.c) under libFuzzer with AddressSanitizer and UBSan (clang), the
# rest of dios from the build's libdios.a; run by make check-fuzz.  Prints
# TAP; skips (77) without clang's libFuzzer.
#
#	top_srcdir=... top_builddir=... DIOS_FUZZ_SECONDS=60 tests/fuzz/libfuzz-spec.sh
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${top_builddir:-$top}
cc=${CC_ASAN:-clang}
seconds=${DIOS_FUZZ_SECONDS:-20}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}
command -v "$cc" >/dev/null 2>&1 || skip_all "$cc not found (install clang)"
[ -f "$build/libdios.a" ] || skip_all "$build/libdios.a is not built"
[ "$seconds" != 0 ] || skip_all "DIOS_FUZZ_SECONDS=0"
work=$(mktemp -d /tmp/dios-fuzz-spec-XXXXXX) || exit 99
trap 'rm -rf "$work"' EXIT INT TERM
echo 1..1
# shellcheck disable=SC2046
if ! "$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -DDIOS_LIBFUZZER \
	-std=gnu11 -D_GNU_SOURCE -iquote "$top/src" -I"$build" "$top/tests/fuzz/fuzz-spec.c" \
	"$top/src/fuzz/spec.c" "$top/src/fuzz/specdecide.c" "$top/src/fuzz/errtab.c" "$build/libdios.a" \
	$(pkg-config --libs yaml-0.1 jansson libzstd libseccomp 2>/dev/null || echo -lyaml -ljansson -lzstd -lseccomp) \
	-lpthread -o "$work/fuzz" >"$work/log" 2>&1; then
	echo "ok 1 # SKIP $cc cannot build a libFuzzer target here"
	sed 's/^/# /' "$work/log" | tail -n 5
	exit 0
fi
mkdir "$work/corpus"
printf 'rules:\n  - syscall: [open, openat]\n    path: "*/a.txt"\n    error: ENOENT\n    when: 2..3+1\n' \
	>"$work/corpus/yaml"
printf 'chdir:error=ENOENT:when=3+;read:fd-path=*.bin:short=half' >"$work/corpus/strace"
(cd "$work" && ./fuzz -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 corpus) >>"$work/log" 2>&1
st=$?
grep -E '^(Done|stat::number_of_executed_units)' "$work/log" | sed 's/^/# /'
if [ "$st" -eq 0 ]; then
	echo "ok 1 - libFuzzer on the fault-spec reader for ${seconds}s"
else
	echo "not ok 1 - libFuzzer on the fault-spec reader (exit $st)"
	sed 's/^/# /' "$work/log" | tail -n 60
fi
exit "$st"
