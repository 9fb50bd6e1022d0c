#!/bin/sh
# bench/run.sh: what dios costs.  Runs three workloads natively, under strace,
# under dios-record and under dios-replay (of that recording), interleaved,
# BENCH_REPS times each (default 5), and prints the medians side by side.
#
#   reads     bench/reads: 100000 preads of 16 bytes from a small file
#   clock     bench/clock: 100000 clock_gettime calls
#   sha256sum sha256sum over 2000 small files in a temporary directory
#   threads   bench/threads: 4 threads making 100000 preads in all
#   procs     a shell loop starting 500 processes (/bin/true)
#   pipe      a shell writing 20000 lines into a pipe to cat (two tasks: each
#             write waits for the other tasks' writes to its object)
# reads, clock, sha256sum and threads run with --no-fast too.
#
# Usage: sh bench/run.sh [BUILDDIR]      (or: make bench)
# BUILDDIR holds dios-record, dios-replay and bench/{reads,clock} (default:
# the current directory when it has them, else the directory above this
# script).  Environment: BENCH_REPS (5), BENCH_N (100000 calls per loop),
# BENCH_FILES (2000), BENCH_PROCS (500).  Needs zstd; strace (with --seccomp-bpf) is optional.
set -eu

reps=${BENCH_REPS:-5}
n=${BENCH_N:-100000}
nfiles=${BENCH_FILES:-2000}
nprocs=${BENCH_PROCS:-500}

die() {
	echo "bench/run.sh: $*" >&2
	exit 1
}

case $reps$n$nfiles$nprocs in
*[!0-9]*) die "BENCH_REPS, BENCH_N, BENCH_FILES and BENCH_PROCS must be whole numbers" ;;
esac
if [ "$reps" -lt 1 ] || [ "$n" -lt 1 ] || [ "$nfiles" -lt 1 ] || [ "$nprocs" -lt 1 ]; then
	die "BENCH_REPS, BENCH_N, BENCH_FILES and BENCH_PROCS must be at least 1"
fi

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 1 ]; then
	echo "usage: sh bench/run.sh [BUILDDIR]" >&2
	exit 2
elif [ $# -eq 1 ]; then
	build=$1
elif [ -x ./dios-record ]; then
	build=.
else
	build=$here/..
fi
[ -d "$build" ] || die "$build: no such build directory"
build=$(cd "$build" && pwd)
for f in dios-record dios-replay bench/reads bench/clock bench/threads; do
	[ -x "$build/$f" ] ||
		die "$build/$f not found: run make first (or name the build directory: sh bench/run.sh BUILDDIR)"
done
command -v zstd >/dev/null 2>&1 ||
	die "zstd not found: it reads the event counts from the traces (Debian: apt-get install zstd)"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found (coreutils)"
date +%N | grep -q '^[0-9]' || die "date +%N does not give nanoseconds (GNU date needed)"

have_strace=no
if command -v strace >/dev/null 2>&1 &&
    strace -f --seccomp-bpf -e trace=getpid -o /dev/null true >/dev/null 2>&1; then
	have_strace=yes
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dios-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
mkdir "$tmp/files" "$tmp/times"

# The small files: f00000, f00001, ..., "small file I" in each.
i=0
while [ "$i" -lt "$nfiles" ]; do
	name=$(printf 'f%05d' "$i")
	echo "small file $i" >"$tmp/files/$name"
	i=$((i + 1))
done
# Their names, for sha256sum's command line (expanded here, so that no shell
# runs under dios; the names have no spaces).
files=$(cd "$tmp/files" && echo f*)
# A small file for the reads loop.
head -c 4096 "$build/bench/reads" >"$tmp/small"

REC="$build/dios-record"
# The CPU for the pinned strace runs: the first one this script may use.
cpu=$(taskset -pc $$ 2>/dev/null | sed -n 's/.*: *\([0-9]*\).*/\1/p')
[ -n "$cpu" ] || cpu=0
REP="$build/dios-replay"

# run NAME MODE CMD...: runs CMD in $tmp/files, output discarded, and appends
# its wall time in nanoseconds to $tmp/times/NAME.MODE.  Stops the benchmark
# when CMD fails.
run() {
	key=$1.$2
	shift 2
	t0=$(date +%s%N)
	if ! (cd "$tmp/files" && "$@") >/dev/null 2>"$tmp/err"; then
		echo "bench/run.sh: $key failed: $*" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
	t1=$(date +%s%N)
	echo $((t1 - t0)) >>"$tmp/times/$key"
}

# workload NAME STRACE_CALLS CMD...: one repetition of NAME in every mode.
workload() {
	name=$1 calls=$2
	shift 2
	run "$name" native "$@"
	if [ "$have_strace" = yes ]; then
		run "$name" strace strace -f --seccomp-bpf -e "trace=$calls" -o /dev/null "$@"
		# strace and its tracee on one CPU, as dios runs by default
		run "$name" strace1 taskset -c "$cpu" \
		    strace -f --seccomp-bpf -e "trace=$calls" -o /dev/null "$@"
	fi
	run "$name" record "$REC" -q -f -o "$tmp/$name.json.zst" "$@"
	run "$name" replay "$REP" -q "$tmp/$name.json.zst"
}

echo "dios benchmark: $reps interleaved repetitions of each run, medians shown"
echo "host: $(uname -sr), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
if [ "$have_strace" = yes ]; then
	echo "strace: $(strace -V | head -n 1)"
else
	echo "strace: not found or without --seccomp-bpf: no strace column"
fi
echo

r=1
while [ "$r" -le "$reps" ]; do
	[ -t 2 ] && printf 'repetition %d of %d...\r' "$r" "$reps" >&2
	workload reads pread64 "$build/bench/reads" "$n" "$tmp/small"
	run reads record-nofast "$REC" -q -f --no-fast -o "$tmp/reads-nofast.json.zst" \
	    "$build/bench/reads" "$n" "$tmp/small"
	run reads replay-nofast "$REP" -q --no-fast "$tmp/reads-nofast.json.zst"
	run reads record-nopin "$REC" -q -f --no-pin -o "$tmp/nopin.json.zst" \
	    "$build/bench/reads" "$n" "$tmp/small"
	run reads replay-nopin "$REP" -q --no-pin "$tmp/nopin.json.zst"
	workload clock clock_gettime "$build/bench/clock" "$n"
	run clock record-nofast "$REC" -q -f --no-fast -o "$tmp/nofast.json.zst" "$build/bench/clock" "$n"
	run clock replay-nofast "$REP" -q --no-fast "$tmp/nofast.json.zst"
	# shellcheck disable=SC2086
	workload sha256sum %file,%desc sha256sum $files
	# shellcheck disable=SC2086
	run sha256sum record-nofast "$REC" -q -f --no-fast -o "$tmp/sha256sum-nofast.json.zst" sha256sum $files
	run sha256sum replay-nofast "$REP" -q --no-fast "$tmp/sha256sum-nofast.json.zst"
	workload threads pread64 "$build/bench/threads" "$n" "$tmp/small"
	run threads record-nofast "$REC" -q -f --no-fast -o "$tmp/threads-nofast.json.zst" \
	    "$build/bench/threads" "$n" "$tmp/small"
	run threads replay-nofast "$REP" -q --no-fast "$tmp/threads-nofast.json.zst"
	workload procs %file,%desc,%process /bin/sh -c \
	    'i=0; while [ $i -lt "$0" ]; do /bin/true; i=$((i + 1)); done' "$nprocs"
	workload pipe %desc /bin/sh -c \
	    'i=0; while [ $i -lt "$0" ]; do echo $i; i=$((i + 1)); done | cat' $((n / 5))
	r=$((r + 1))
done
[ -t 2 ] && printf '%40s\r' '' >&2

# median NAME MODE: the median wall time in seconds, or "-".
median() {
	f=$tmp/times/$1.$2
	[ -s "$f" ] || { echo -; return; }
	sort -n "$f" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.4f\n", m / 1e9 }'
}

# events NAME: the footer's event count of NAME's last recording.
events() {
	zstd -dcq "$tmp/$1.json.zst" | tail -n 1 |
	    sed -n 's/.*"events":\([0-9][0-9]*\).*/\1/p'
}

# row LABEL NAME SUFFIX TRACE: one line of the table: the times of NAME.MODESUFFIX,
# the event count of TRACE.json.zst.
row() {
	label=$1 name=$2 sfx=${3:-}
	awk -v label="$label" -v calls="$(events "$4")" \
	    -v nat="$(median "$name" native)" -v st="$(median "$name" strace)" \
	    -v st1="$(median "$name" strace1)" \
	    -v rec="$(median "$name" "record$sfx")" -v rep="$(median "$name" "replay$sfx")" '
	function ratio(a, b) { return (a == "-" || b == "-" || b <= 0) ? "-" : a / b < 10 ? sprintf("%.2f", a / b) : sprintf("%.1f", a / b) }
	function us(t) { return (t == "-" || nat == "-" || calls <= 0) ? "-" : sprintf("%.1f", (t - nat) * 1e6 / calls) }
	BEGIN {
		printf "%-14s %7s %8s %8s %8s %8s %8s %7s %7s %7s %7s %8s %7s %7s\n", label, calls,
		    nat, st, st1, rec, rep, us(rec), us(rep),
		    ratio(rec, nat), ratio(rec, st), ratio(rec, st1), ratio(rep, nat), ratio(rep, rec)
	}'
}

printf '%-14s %7s %8s %8s %8s %8s %8s %7s %7s %7s %7s %8s %7s %7s\n' \
    workload calls native strace strace1 record replay 'rec us' 'rep us' \
    rec/nat rec/str rec/str1 rep/nat rep/rec
row reads reads '' reads
row clock clock '' clock
row sha256sum sha256sum '' sha256sum
row threads threads '' threads
row procs procs '' procs
row pipe pipe '' pipe
row 'reads no-pin' reads -nopin nopin
row 'reads no-fast' reads -nofast reads-nofast
row 'clock no-fast' clock -nofast nofast
row 'sha no-fast' sha256sum -nofast sha256sum-nofast
row 'threads no-fast' threads -nofast threads-nofast
echo
echo "calls: intercepted system calls in the recording (its footer's \"events\")."
echo "native, strace, record, replay: median wall time in seconds, process start included."
echo "strace1: strace with itself and the program on one CPU (taskset), as dios runs by default."
echo "rec us, rep us: (record or replay - native) / calls, in microseconds per intercepted call."
echo "clock: natively and under strace, clock_gettime never enters the kernel (vDSO), so"
echo "  strace sees none of these calls and measures nothing extra; dios turns each into a"
echo "  system call it intercepts; with the fast path (the default) the agent dios puts"
echo "  into the program records and replays them there, without a stop."
echo "threads: 4 threads at once; replay orders their calls as recorded."
echo "procs: strace and dios see every process; dios also records each one's loader work."
echo "pipe: two processes; dios-record runs their writes to one object one at a time, in order."
echo "X no-fast: workload X under dios-record --no-fast and dios-replay --no-fast"
echo "  (every call at a stop); compare with the row of X, whose clock reads, reads,"
echo "  seeks and stats of regular files the agent in the program takes (the fast path)."
echo "reads no-pin: the reads loop under dios-record --no-pin and dios-replay --no-pin"
echo "  (dios and the program free to run on different CPUs); compare with the reads row."
awk -v p="$(median reads record)" -v np="$(median reads record-nopin)" \
    -v rp="$(median reads replay)" -v rnp="$(median reads replay-nopin)" 'BEGIN {
	printf "pinning: --no-pin / --pin = %.2f (record), %.2f (replay)\n", np / p, rnp / rp }'
for w in reads clock sha256sum threads; do
	awk -v w="$w" -v f="$(median "$w" record)" -v nf="$(median "$w" record-nofast)" \
	    -v rf="$(median "$w" replay)" -v rnf="$(median "$w" replay-nofast)" 'BEGIN {
		if (f > 0 && rf > 0)
			printf "fast path (%s): --no-fast / --fast = %.2f (record), %.2f (replay)\n", w, nf / f, rnf / rf }'
done
