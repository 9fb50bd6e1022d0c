#!/bin/sh
# bench/stacks.sh: what dios-record --stacks costs.  Records three
# workloads plainly and with --stacks, interleaved, BENCH_REPS times each
# (default 3), and prints the medians side by side, their ratio and the
# cost of one call's stack:
#
#   reads     bench/reads: BENCH_N preads of 16 bytes (default 20000)
#   sha256sum sha256sum over BENCH_FILES small files (default 500)
#   ls        ls -lR /usr/include (a real program: libc, libselinux...)
#
# Usage: sh bench/stacks.sh [BUILDDIR]      (or: make bench-stacks)
set -eu

reps=${BENCH_REPS:-3}
n=${BENCH_N:-20000}
nfiles=${BENCH_FILES:-500}
case $reps$n$nfiles in
*[!0-9]*) echo "bench/stacks.sh: BENCH_REPS, BENCH_N and BENCH_FILES must be whole numbers" >&2; exit 1 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/..}
build=$(cd "$build" && pwd)
for f in dios-record bench/reads; do
	[ -x "$build/$f" ] || { echo "bench/stacks.sh: $build/$f not found: run make first" >&2; exit 1; }
done
command -v zstd >/dev/null 2>&1 || { echo "bench/stacks.sh: zstd not found (Debian: apt-get install zstd)" >&2; exit 1; }
unset DEBUGINFOD_URLS	# no network: only the debug information installed here

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dios-bench-stacks.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
mkdir "$tmp/files" "$tmp/times"
i=0
while [ "$i" -lt "$nfiles" ]; do
	echo "small file $i" >"$tmp/files/$(printf 'f%05d' "$i")"
	i=$((i + 1))
done
files=$(cd "$tmp/files" && echo f*)
head -c 4096 "$build/bench/reads" >"$tmp/small"
REC=$build/dios-record

# run NAME MODE CMD...: CMD's wall time in ns appended to times/NAME.MODE.
run() {
	key=$1.$2
	shift 2
	t0=$(date +%s%N)
	(cd "$tmp/files" && "$@") >/dev/null 2>"$tmp/err" ||
		{ echo "bench/stacks.sh: $key failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }
	t1=$(date +%s%N)
	echo $((t1 - t0)) >>"$tmp/times/$key"
}
workload() {
	name=$1
	shift
	run "$name" plain "$REC" -q -f -o "$tmp/$name.plain.json.zst" "$@"
	run "$name" stacks "$REC" -q -f --stacks -o "$tmp/$name.json.zst" "$@"
}
median() {
	sort -n "$tmp/times/$1.$2" | awk '{ v[NR] = $1 } END {
		printf "%.4f\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1e9 }'
}
events() {
	zstd -dcq "$tmp/$1.json.zst" | tail -n 1 | sed -n 's/.*"events":\([0-9][0-9]*\).*/\1/p'
}
frames() {	# the mean number of frames per stack
	zstd -dcq "$tmp/$1.json.zst" | awk '/"stack":\[/ { s++; line = $0; sub(/.*"stack":\[/, "", line);
		sub(/\].*/, "", line); f += gsub(/","/, "", line) + 1 } END { printf "%.1f\n", s ? f / s : 0 }'
}

echo "dios-record --stacks: $reps interleaved repetitions, medians"
r=1
while [ "$r" -le "$reps" ]; do
	workload reads "$build/bench/reads" "$n" "$tmp/small"
	# shellcheck disable=SC2086
	workload sha256sum sha256sum $files
	workload ls ls -lR /usr/include
	r=$((r + 1))
done
printf '%-10s %7s %7s %9s %9s %8s %10s\n' workload calls frames plain stacks ratio 'us/stack'
for w in reads sha256sum ls; do
	awk -v w="$w" -v c="$(events "$w")" -v f="$(frames "$w")" -v p="$(median "$w" plain)" \
	    -v s="$(median "$w" stacks)" 'BEGIN {
		printf "%-10s %7d %7s %9.3f %9.3f %8.2f %10.1f\n", w, c, f, p, s, s / p, (s - p) * 1e6 / c }'
done
echo "plain, stacks: median wall time of dios-record in seconds, without and with --stacks;"
echo "ratio: stacks / plain; us/stack: the extra time per recorded call, in microseconds."
