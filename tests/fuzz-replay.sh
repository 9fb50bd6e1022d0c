#!/bin/sh
# fuzz-replay.sh: mutated traces through dios-replay (every other one with
# --model -o: the environment model learns from the same untrusted trace
# and answers past the divergence), with the host checked after each.  Real traces (a shell pipeline, a shared writable mapping,
# processes and signals) are mutated by tests/fuzz/mutate (keys removed,
# values of any type and size, lines dropped, duplicated, swapped) and
# replayed.  Each replay must end within its time with a status dios gives
# (0..127: the program's, 120 divergence, 125 error; never a crash of dios,
# never a hang, never a sanitizer report), and leave the host as it was:
# no file changed outside the cache, a process outside the tree still
# alive, no process of the tree left behind, the cache within its bound.
#
# DIOS_FUZZ_REPLAYS (default 40) mutated traces per seed trace;
# DIOS_FUZZ_SEED the first seed (default 1).  make check-fuzz runs more.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

MUTATE=$top_builddir/tests/fuzz/mutate
require_built "$MUTATE" "$PROGS/mapshared" "$PROGS/forkexec"
require_tracing
[ -n "$ZSTD" ] || skip_all "zstd not installed (Debian: apt-get install zstd)"
tmpdir
replays=${DIOS_FUZZ_REPLAYS:-40}
seed=${DIOS_FUZZ_SEED:-1}
marker=dios-fuzz-$$

mkdir -p "$T/rec" "$T/run" "$T/host" "$T/cache"
export XDG_CACHE_HOME="$T/cache"
cd "$T/rec" || bail_out "cannot enter $T/rec"
head -c 4096 /dev/zero | tr '\0' x >"$T/host/orig.txt"
cp "$T/host/orig.txt" data.txt
printf 'input of the exec-ed children\n' >input.txt

# The seed traces, each recorded with a marker in its arguments.
run_to 60 "$DIOS_RECORD" -q -o pipe.json.zst /bin/sh -c \
    'printf "b\na\nc\n" | sort | head -2; echo $0' "$marker" >/dev/null 2>&1
is "$?" 0 "seed: a shell pipeline is recorded"
run_to 60 "$DIOS_RECORD" -q -o map.json.zst "$PROGS/mapshared" 5 "$marker" 5<>data.txt >/dev/null 2>&1
is "$?" 0 "seed: a shared writable mapping is recorded"
cp "$T/host/orig.txt" data.txt
run_to 60 "$DIOS_RECORD" -q -o fork.json.zst "$PROGS/forkexec" "$T/rec" "$marker" >/dev/null 2>&1
is "$?" 3 "seed: forkexec is recorded"
run_to 60 "$DIOS_RECORD" -q --portable -o port.json.zst /bin/sh -c 'cat input.txt; echo $0' \
    "$marker" >/dev/null 2>&1
is "$?" 0 "seed: a portable trace is recorded"

# A process outside the tree, which no trace may reach.
sleep 100000 &
victim=$!
cp "$T/host/orig.txt" "$T/host/victim.txt"
snapshot "$T/rec" "$T/host" >"$T/before"

bad=0 ran=0 statuses=""
for trace in pipe map fork port; do
	"$ZSTD" -q -dc "$trace.json.zst" >"$T/$trace.jsonl" || bail_out "cannot decompress $trace"
	i=0
	while [ $i -lt "$replays" ]; do
		i=$((i + 1))
		s=$((seed + i))
		"$MUTATE" "$s" <"$T/$trace.jsonl" 2>"$T/what" | "$ZSTD" -q -f -o "$T/m.json.zst" ||
		    bail_out "mutate $s failed"
		rm -rf "$T/run" && mkdir "$T/run"
		# every other one goes on against the environment model and
		# writes its run: the model takes the same untrusted trace
		model=
		[ $((i % 2)) -eq 0 ] || model="--model -f -o $T/run-trace.json.zst"
		(cd "$T/run" && run_to 30 "$DIOS_REPLAY" -q $model "$T/m.json.zst" 5<>"$T/host/victim.txt") \
		    </dev/null >"$T/out" 2>"$T/err"
		st=$?
		ran=$((ran + 1))
		case " $statuses " in *" $st "*) ;; *) statuses="$statuses $st" ;; esac
		why=""
		if [ "$st" -ge 128 ] || [ "$st" -eq 124 ]; then
			why="dios-replay ended with status $st (a crash or a hang)"
		elif grep -q 'Sanitizer\|runtime error:' "$T/err"; then
			why="a sanitizer report"
		elif ! kill -0 "$victim" 2>/dev/null; then
			why="the process outside the tree was killed"
		elif [ -n "$(ls -A "$T/run")" ]; then
			why="files left where it ran: $(ls -A "$T/run" | head -3 | tr '\n' ' ')"
		elif ! snapshot "$T/rec" "$T/host" | cmp -s - "$T/before"; then
			why="a host file changed"
		elif pgrep -f "$marker" >/dev/null 2>&1; then
			why="a process of the tree is left: $(pgrep -af "$marker" | head -2)"
			pkill -9 -f "$marker"
		elif [ "$(du -sk "$T/cache" | cut -f1)" -gt 65536 ]; then
			why="the cache grew to $(du -sk "$T/cache" | cut -f1) KiB"
		fi
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			ok "$trace, mutation seed $s: $why" 1 = 0
			diag "mutations:"
			diag_file "$T/what" 5
			diag "stderr:"
			diag_file "$T/err" 8
			mkdir -p "$top_builddir/tests/fuzz-failures" &&
			    cp "$T/m.json.zst" "$top_builddir/tests/fuzz-failures/$trace-$s.json.zst"
			# A file changed: put it back for the next ones.
			cp "$T/host/orig.txt" "$T/host/victim.txt"
			snapshot "$T/rec" "$T/host" >"$T/before"
		fi
	done
done
kill "$victim" 2>/dev/null
ok "$ran mutated traces replayed, host untouched after each (statuses seen:$statuses)" "$bad" -eq 0

done_testing
