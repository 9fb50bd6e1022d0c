#!/bin/sh
# regen.sh: builds the tiny programs of traces/ and records them again with
# dios-record --portable, writing traces/*.json.zst and the outputs
# traces/*.out that tests/traces.sh expects from their replays.
#
#	sh traces/regen.sh [BUILDDIR]
#
# BUILDDIR (default: the source directory) holds the built dios-record.
# $CC (default: cc) builds the programs.  The programs run with an empty
# environment but for PATH, so the traces hold nothing of the caller's.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$src/..}" && pwd)
record=$build/dios-record
: "${CC:=cc}"
[ -x "$record" ] || { echo "regen.sh: $record is not built" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dios-traces.XXXXXX")
trap 'rm -rf "$work"' EXIT
flags="-O1 -s -nostdlib -fno-stack-protector -fno-asynchronous-unwind-tables -Wl,--build-id=none"

$CC $flags -static -fno-pie -no-pie -o "$work/static" "$src/static.c"
$CC $flags -fPIE -pie -Wl,-z,now -Wl,--dynamic-linker=/lib64/ld-linux-x86-64.so.2 \
    -o "$work/dynamic" "$src/dynamic.c"

# rec NAME STATUS ARG...: records $work/NAME ARG... into traces/NAME.json.zst.
rec()
{
	name=$1 want=$2
	shift 2
	rm -f "$src/$name.json.zst"
	st=0
	(cd "$work" && env -i PATH=/usr/bin:/bin "$record" -q --portable \
	    -o "$src/$name.json.zst" -- "./$name" "$@") >"$src/$name.out" </dev/null || st=$?
	[ "$st" -eq "$want" ] || { echo "regen.sh: $name exited with $st, not $want" >&2; exit 1; }
}
rec static 3
rec dynamic 4 one two
ls -l "$src"/*.json.zst
