#!/bin/sh
# traces.sh: the portable traces checked in under traces/ (recorded on
# another machine, by traces/regen.sh) replay here: same output, same
# status, though their executables and loader are not on this host.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_tracing
tmpdir
export XDG_CACHE_HOME="$T/cache"
D=$top_srcdir/traces

# case NAME STATUS: replays traces/NAME.json.zst twice (empty cache, then
# filled) from an empty directory.
case_()
{
	local name=$1 want=$2 st pass
	for pass in "empty cache" "filled cache"; do
		mkdir -p "$T/run"
		(cd "$T/run" && run_to 60 "$DIOS_REPLAY" "$D/$name.json.zst") </dev/null \
		    >"$T/$name.out" 2>"$T/$name.err"
		st=$?
		is "$st" "$want" "$name ($pass): the replay exits $want" || diag_file "$T/$name.err"
		same_file "$T/$name.out" "$D/$name.out" "$name ($pass): the replay prints the recorded output"
		is "$(ls -A "$T/run")" "" "$name ($pass): the replay wrote no file where it ran"
	done
	if [ -n "$ZSTD" ]; then
		exe=$("$ZSTD" -q -dc "$D/$name.json.zst" | head -n 1 |
		    sed -n 's/.*"exe":{"path":"\([^"]*\)".*/\1/p')
		ok "$name: its executable ($exe) is not on this host" -n "$exe" -a ! -e "$exe"
	fi
}

case_ static 3
case_ dynamic 4
done_testing
