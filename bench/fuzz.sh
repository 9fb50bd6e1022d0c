#!/bin/sh
# bench/fuzz.sh BUILDDIR: dios-fuzz run on real programs (issue 12's
# measures): for each, a recording of one ordinary run, then a bounded
# campaign (FUZZ_RUNS runs, default 60, seeded).  Prints per program: the
# events of the recording, runs per second, the share of runs that ended
# with every call the model was asked answered (the goal: 90% or more), the
# unique failures and how many runs dios could not replay, and whether the
# program's directory was left as it was (it must be).  A fork server is
# not built: every run replays from the start.  `make bench-fuzz`.
set -u
B=${1:-.}
REC=$B/dios-record
FUZZ=$B/dios-fuzz
RUNS=${FUZZ_RUNS:-60}
for f in "$REC" "$FUZZ" "$B/dios-replay"; do
	[ -x "$f" ] || { echo "bench/fuzz.sh: $f is not built" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "bench/fuzz.sh: jq is needed" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/dios-bench-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT INT TERM
D=$W/work
mkdir -p "$D/dir/sub"
seq 1 2000 | sort -R --random-source=/dev/zero >"$D/in.txt" 2>/dev/null || seq 1 2000 >"$D/in.txt"
for i in 1 2 3; do echo "file $i" >"$D/dir/f$i"; done
echo nested >"$D/dir/sub/g"
if command -v git >/dev/null; then
	(cd "$D/dir" && git init -q . && git add . && git -c user.email=b@x -c user.name=b commit -qm one) >/dev/null 2>&1
fi

snap() { (cd "$D" && find . -printf '%y %s %T@ %p\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }

printf '%-28s %7s %8s %9s %7s %6s %s\n' program events execs/s modelled unique dios host
try() {
	local name=$1
	shift
	command -v "$1" >/dev/null 2>&1 || { printf '%-28s (not installed)\n' "$name"; return; }
	(cd "$D" && "$REC" -q -f -o "$W/seed.json.zst" -- "$@") >/dev/null 2>&1 </dev/null
	local ev
	ev=$(zstd -q -dc "$W/seed.json.zst" | tail -n 1 | jq -r '.events')
	snap >"$W/before"
	(cd "$D" && "$FUZZ" run -q -f --runs "$RUNS" --seed 1 --timeout 20 -o "$W/f" "$W/seed.json.zst") \
	    >/dev/null 2>"$W/fuzz.err" </dev/null
	snap >"$W/after"
	local host=untouched
	cmp -s "$W/before" "$W/after" || host=CHANGED
	if [ ! -s "$W/f/stats.json" ]; then
		printf '%-28s %7s  dios-fuzz failed: %s\n' "$name" "$ev" "$(head -n 1 "$W/fuzz.err")"
		return
	fi
	jq -r --arg n "$name" --arg ev "$ev" --arg h "$host" \
	    '[$n, $ev, (.execs_per_s * 10 | round / 10), ((.runs_fully_modelled / (if .runs > 0 then .runs else 1 end) * 1000 | round) / 10 | tostring + "%"), (.unique | length), .dios_errors, $h] | @tsv' \
	    "$W/f/stats.json" | awk -F'\t' '{ printf "%-28s %7s %8s %9s %7s %6s %s\n", $1, $2, $3, $4, $5, $6, $7 }'
	jq -r '.model_unmodelled_calls | to_entries | sort_by(-.value) | .[0:3][] | "    not modelled: \(.value) \(.key)"' "$W/f/stats.json"
	jq -r '.unique[] | "    failure: \(.key) (\(.count))"' "$W/f/stats.json" | head -n 5
}

try "cat in.txt" cat in.txt
try "sort in.txt" sort in.txt
try "wc -l in.txt" wc -l in.txt
try "ls -l dir" ls -l dir
try "cp in.txt copy.txt" cp in.txt copy.txt
try "gzip -kf in.txt" gzip -kf in.txt
try "tar cf out.tar dir" tar cf out.tar dir
try "sha256sum dir/f1" sha256sum dir/f1
try "sqlite3 db (create, insert)" sqlite3 db.sqlite "create table if not exists t(x); insert into t values(1); select count(*) from t;"
try "python3 -c json" python3 -c 'import json; print(json.dumps({"a": 1}))'
try "git -C dir status" git -C dir status --short
try "sh -c (a pipeline)" sh -c 'sort in.txt | head -n 3; wc -l <in.txt'
