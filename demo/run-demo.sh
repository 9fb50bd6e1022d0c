#!/bin/sh
# run-demo.sh: record the demo program, delete its input file, replay it, and
# compare the two outputs.
#
# Usage: sh demo/run-demo.sh [BUILDDIR]
# BUILDDIR holds dios-record, dios-replay and demo/demo (default: the current
# directory when it has them, else the directory above this script).
# Exit status: 0 when the replay printed exactly what the recorded run
# printed, 1 when not, 2 when something needed is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 1 ]; then
	echo "usage: sh demo/run-demo.sh [BUILDDIR]" >&2
	exit 2
elif [ $# -eq 1 ]; then
	build=$1
elif [ -x ./dios-record ]; then
	build=.
else
	build=$here/..
fi
build=$(cd "$build" && pwd)
for f in dios-record dios-replay demo/demo; do
	if [ ! -x "$build/$f" ]; then
		echo "run-demo.sh: $build/$f not found: build first (make), or name the build directory: sh demo/run-demo.sh BUILDDIR" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dios-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
cp "$here/input.txt" "$tmp/input.txt"
cd "$tmp"

echo "\$ dios-record -o demo.json.zst demo/demo input.txt"
rc=0
"$build/dios-record" -o demo.json.zst "$build/demo/demo" input.txt >record.out || rc=$?
cat record.out
if [ "$rc" -ne 0 ]; then
	echo "run-demo.sh: dios-record exited with status $rc" >&2
	exit 1
fi

echo
echo "\$ rm input.txt"
rm input.txt
echo "\$ dios-replay demo.json.zst"
rc=0
"$build/dios-replay" demo.json.zst >replay.out || rc=$?
cat replay.out
if [ "$rc" -ne 0 ]; then
	echo "run-demo.sh: dios-replay exited with status $rc" >&2
fi

echo
if [ "$rc" -eq 0 ] && cmp -s record.out replay.out; then
	echo "same output: yes"
	exit 0
fi
echo "same output: no"
diff record.out replay.out || true
exit 1
