#!/bin/sh
# hostile-cache.sh: replay is a sandbox for a trace's author (issue 10):
# what a hostile or damaged trace can make dios write is bounded, and the
# host files it names are opened only when they are regular files.
#
# Each case edits a real trace (recorded here, with and without --portable)
# with jq or awk, replays it, and checks the host: the status and the one
# line dios prints, the files of the fixture, the working directory and
# $TMPDIR (snapshots), and what the cache holds (du, find).
#   1. bad blob lines: `dios-trace validate` refuses every kind that
#      dios-replay refuses (one check for both), and replay leaves nothing
#      of such a trace in the cache;
#   2. the cache's limit (--cache-size, dios.yaml cache-size), eviction of
#      the least recently used files, --no-cache (a temporary cache, gone
#      at exit, on error and on SIGTERM);
#   3. the paths a trace names: FIFOs, devices, directories, /proc, /sys
#      and /dev, links there, files of another size (not read).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/diverge1"
require_tracing
[ -n "$ZSTD" ] || skip_all "no zstd program"
command -v jq >/dev/null 2>&1 || skip_all "no jq program"
tmpdir
FX=$T/fx E=$T/e
mkdir -p "$FX" "$E" "$T/cwd" "$T/tmp" || bail_out "cannot make $T"
export XDG_CACHE_HOME="$T/cache"
CACHE=$XDG_CACHE_HOME/dios

# The fixture: diverge1 (reads a.txt, prints it, exits 9), recorded with and
# without --portable; p.json and n.json are the traces' lines.
cp "$PROGS/diverge1" "$FX/prog" && echo input >"$FX/a.txt" || bail_out "cannot copy diverge1"
(cd "$FX" && "$DIOS_RECORD" -q --portable -o "$FX/p.json.zst" -- ./prog) </dev/null \
    >"$T/rec.out" 2>"$T/rec.err"
[ $? -eq 9 ] || { diag_file "$T/rec.err"; bail_out "cannot record the portable fixture"; }
(cd "$FX" && "$DIOS_RECORD" -q -o "$FX/n.json.zst" -- ./prog) </dev/null >/dev/null 2>"$T/rec.err"
[ $? -eq 9 ] || { diag_file "$T/rec.err"; bail_out "cannot record the fixture"; }
"$ZSTD" -q -dc "$FX/p.json.zst" >"$T/p.json" && "$ZSTD" -q -dc "$FX/n.json.zst" >"$T/n.json" ||
    bail_out "cannot decompress the fixtures"

# Files of the portable trace: the executable (named by the header), a
# mapped file whose content is one blob line (SMALL), one of three lines or
# more (BIG), and the line numbers of BIG's blob lines.
EXE=$(head -n 1 "$T/p.json" | jq -r '.exe.sha256')
SMALL=$(jq -r 'select(.map.size? and .map.size > 0 and .map.size <= 65536) | .map.sha256' \
    "$T/p.json" | head -n 1)
BIG=$(jq -r 'select(.map.size? and .map.size > 200000) | .map.sha256' "$T/p.json" | head -n 1)
[ -n "$EXE" ] && [ -n "$SMALL" ] && [ -n "$BIG" ] ||
    bail_out "the fixture maps no small or no big file (SMALL '$SMALL', BIG '$BIG')"
BIGL=$(grep -n "^{\"blob\":\"$BIG\"" "$T/p.json" | cut -d: -f1 | tr '\n' ' ')
SMALLL=$(grep -n "^{\"blob\":\"$SMALL\"" "$T/p.json" | cut -d: -f1)
set -- $BIGL
[ $# -ge 3 ] || bail_out "BIG has fewer than three blob lines"
B1=$1 B2=$2 B3=$3
eval "BLAST=\${$#}"

# edit NAME SRC JQ: $E/NAME.json.zst, the lines of SRC (p or n) through jq.
edit()
{
	jq -c --arg exe "$EXE" --arg small "$SMALL" --arg big "$BIG" "$3" <"$T/$2.json" |
	    "$ZSTD" -q -o "$E/$1.json.zst" || bail_out "cannot make $1"
}
# edit_awk NAME SRC AWK: the same through awk (SRC given twice: two passes).
edit_awk()
{
	awk "$3" "$T/$2.json" "$T/$2.json" | "$ZSTD" -q -o "$E/$1.json.zst" || bail_out "cannot make $1"
}
# content FILE SIZE TAG: SIZE bytes of text (TAG, then A's).
content()
{
	{ printf '%s' "$3"; head -c $(($2 - ${#3})) /dev/zero | tr '\0' A; } >"$1"
}
# blob_lines FILE: FILE (text) as blob lines.
blob_lines()
{
	local sha size off=0
	sha=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(wc -c <"$1")
	while [ "$off" -lt "$size" ]; do
		printf '{"blob":"%s","size":%d,"off":%d,"data":{"text":"%s"}}\n' "$sha" "$size" "$off" \
		    "$(dd if="$1" bs=65536 skip=$((off / 65536)) count=1 2>/dev/null)"
		off=$((off + 65536))
	done
}
# with_lines NAME SRC FILE: SRC with the lines of FILE after its header.
with_lines()
{
	{ head -n 1 "$T/$2.json" && cat "$3" && tail -n +2 "$T/$2.json"; } |
	    "$ZSTD" -q -o "$E/$1.json.zst" || bail_out "cannot make $1"
}

# cache_files: the files the cache holds (what was kept).
cache_files()
{
	[ -d "$CACHE" ] || { echo 0; return; }
	find "$CACHE" -type f | wc -l
}
cache_bytes()
{
	[ -d "$XDG_CACHE_HOME" ] || { echo 0; return; }
	du -sb "$XDG_CACHE_HOME" | cut -f1
}

# state: the fixture and the working directory (snapshot), and what
# $TMPDIR holds (its time aside: a temporary cache is made and removed).
state()
{
	snapshot "$FX" "$T/cwd"
	echo "TMPDIR:" $(ls -A "$T/tmp")
}

# run NAME STATUS REGEX CMD: CMD (shell code, in $T/cwd, $CASE set to NAME)
# exits STATUS with nothing on stdout and one line on stderr matching REGEX,
# and leaves the fixture, the working directory and $TMPDIR as they were.
run()
{
	local name=$1 status=$2 regex=$3 cmd=$4 st lines
	state >"$T/before"
	(cd "$T/cwd" && export TMPDIR="$T/tmp" && eval "run_to 120 $cmd") </dev/null >"$T/out" 2>"$T/err"
	st=$?
	state >"$T/after"
	is "$st" "$status" "$name: exit status $status" || diag_file "$T/err"
	ok "$name: the message says why (/$regex/)" -n "$(grep -E -e "$regex" "$T/err")" ||
	    { diag "stderr:"; diag_file "$T/err"; }
	lines=$(wc -l <"$T/err")
	ok "$name: one line on stderr, nothing on stdout" "$lines" -eq 1 -a ! -s "$T/out" ||
	    { diag "stderr ($lines lines):"; diag_file "$T/err"; diag_file "$T/out"; }
	same_file "$T/after" "$T/before" "$name: no file outside the cache created, removed or changed"
}

# bad NAME REGEX: the edited trace $E/NAME.json.zst is refused by
# dios-trace validate (status 1) and by dios-replay (status 125) with the
# same reason, and its replay keeps nothing in the cache.
DIOS_TRACE=$top_builddir/dios-trace
bad()
{
	CASE=$1
	run "$1: validate" 1 "$2" '"$DIOS_TRACE" validate "$E/$CASE.json.zst"'
	rm -rf "$XDG_CACHE_HOME"
	run "$1: replay" 125 "$2" '"$DIOS_REPLAY" "$E/$CASE.json.zst"'
	is "$(cache_files)" 0 "$1: the cache keeps nothing of it"
}

# ---- 1. blob lines: one check for validate and replay ----

"$DIOS_TRACE" validate "$FX/p.json.zst" >"$T/out" 2>"$T/err"
is "$?" 0 "the portable fixture is valid" || diag_file "$T/err"

edit_awk starts-late p "FNR==NR { next } FNR != $B1"
bad starts-late "line $B1: blob line: file $BIG starts at \"off\" 65536, not 0"

edit_awk out-of-order p "FNR==NR { if (FNR == $B2) l2 = \$0; next }
    FNR == $B2 { next } { print } FNR == $B3 { print l2 }"
bad out-of-order "line $B2: blob line: expected file $BIG at \"off\" 65536 \\(the lines of a file come together"

edit_awk interleaved p "FNR==NR { if (FNR == $SMALLL) s = \$0; next }
    FNR == $SMALLL { next } { print } FNR == $B1 { print s }"
bad interleaved "blob line: expected file $BIG at \"off\" 65536"

edit empty-data p 'if .blob == $big and .off == 65536 then .data = {text: ""} else . end'
bad empty-data "line $B2: blob line: empty \"data\" before the end of file $BIG"

edit wrong-content p 'if .blob == $small then .data = {text: ("x" * .size)} else . end'
bad wrong-content "line $SMALLL: the content of file $SMALL in the trace does not match its SHA-256"

edit_awk cut-inside p "FNR==NR { next } FNR != $BLAST"
bad cut-inside "the trace ends inside the content of file $BIG"

edit_awk twice p "FNR==NR { next } { print } FNR == $SMALLL { print }"
bad twice "line $((SMALLL + 1)): blob line: the content of file $SMALL came already, from line $SMALLL"

grep '^{"blob":' "$T/p.json" >"$T/blobs.lines"
with_lines not-portable n "$T/blobs.lines"
bad not-portable 'but the trace is not portable and no "map" with "carried": true names it'

# A trace that says it carries a file the program made, without its content.
N1=$(jq -r 'select(.map.sha256?) | .seq' "$T/n.json" | head -n 1)
edit carried-missing n "if .seq == $N1 then .map.carried = true else . end"
bad carried-missing 'says it carries the content of .*"carried": true), but has no blob lines of it'

content "$T/orphan" 1000 orphan-
blob_lines "$T/orphan" >"$T/orphan.lines"
with_lines orphan p "$T/orphan.lines"
bad orphan "line 2: the content of file $(sha256sum "$T/orphan" | cut -d' ' -f1) is named by no \"map\", \"exe\" or \"interp\""

edit exe-size p 'if .blob == $exe then .size = 100000000 else . end'
bad exe-size "blob line: file $EXE is 100000000 bytes here, but the trace's \"exe\" .* says [0-9]+"

edit map-size p 'if (.map | type) == "object" and .map.sha256 == $small then .map.size = 100 else . end'
bad map-size "\"map\" names .* with 100 bytes, but the content of file $SMALL in the trace"

content "$T/wide" 70000 wide-
printf '{"blob":"%s","size":70000,"off":0,"data":{"text":"%s"}}\n' \
    "$(sha256sum "$T/wide" | cut -d' ' -f1)" "$(cat "$T/wide")" >"$T/wide.lines"
with_lines wide p "$T/wide.lines"
bad wide 'line 2: blob line: "data" holds more than 65536 bytes'

# ---- 2. what a trace can make dios write ----

# 1.8 MB of trace with 2 GiB of blob lines wrote 2 GiB into the cache: a
# file larger than the cache may hold is refused at its first line.
content "$T/chunk" 65536 huge-
printf '{"blob":"%s","size":2147483648,"off":0,"data":{"text":"%s"}}\n' \
    "$(sha256sum "$T/chunk" | cut -d' ' -f1)" "$(cat "$T/chunk")" >"$T/huge.lines"
with_lines huge p "$T/huge.lines"
rm -rf "$XDG_CACHE_HOME"
run "a 2 GiB file" 125 \
    'line 2: file [0-9a-f]{64} \(2\.0 GiB\) does not fit in the cache, which may hold 1\.0 GiB \(raise dios-replay.s --cache-size' \
    '"$DIOS_REPLAY" "$E/huge.json.zst"'
ok "a 2 GiB file: the cache holds less than 64 KiB ($(cache_bytes) bytes)" "$(cache_bytes)" -lt 65536

# Real content: 24 MiB, beyond --cache-size 16M, is not written.
content "$T/big24" $((24 << 20)) big24-
blob_lines "$T/big24" >"$T/big24.lines"
with_lines big24 p "$T/big24.lines"
rm -rf "$XDG_CACHE_HOME"
run "24 MiB with --cache-size 16M" 125 'file [0-9a-f]{64} \(24\.0 MiB\) does not fit in the cache' \
    '"$DIOS_REPLAY" --cache-size 16M "$E/big24.json.zst"'
ok "24 MiB with --cache-size 16M: the cache holds less than 64 KiB ($(cache_bytes) bytes)" \
    "$(cache_bytes)" -lt 65536

# ... and at the default limit, named by nothing, it does not stay.
rm -rf "$XDG_CACHE_HOME"
run "24 MiB named by nothing" 125 'line 2: the content of file [0-9a-f]{64} is named by no "map"' \
    '"$DIOS_REPLAY" "$E/big24.json.zst"'
ok "24 MiB named by nothing: the cache holds less than 64 KiB ($(cache_bytes) bytes)" \
    "$(cache_bytes)" -lt 65536

# Files that each fit, but not together: refused when the limit is
# reached; none stays.
: >"$T/five.lines"
for i in 1 2 3 4 5; do
	content "$T/four$i" $((4 << 20)) "four$i-"
	blob_lines "$T/four$i" >>"$T/five.lines"
done
with_lines five p "$T/five.lines"
rm -rf "$XDG_CACHE_HOME"
run "five files of 4 MiB with --cache-size 16M" 125 \
    'line [0-9]+: file [0-9a-f]{64} \(4\.0 MiB\) does not fit in the cache beside the .* of files this replay uses: the cache may hold 16\.0 MiB' \
    '"$DIOS_REPLAY" --cache-size 16M "$E/five.json.zst"'
ok "five files of 4 MiB: the cache holds less than 64 KiB ($(cache_bytes) bytes)" \
    "$(cache_bytes)" -lt 65536

# The fixture needs about 2.3 MiB: refused with 2M, replayed with 3M.
rm -rf "$XDG_CACHE_HOME"
run "the fixture with --cache-size 2M" 125 'does not fit in the cache .*may hold 2\.0 MiB' \
    '"$DIOS_REPLAY" -q --cache-size 2M "$FX/p.json.zst"'
rm -rf "$XDG_CACHE_HOME"
(cd "$T/cwd" && run_to 60 "$DIOS_REPLAY" -q --cache-size 3M "$FX/p.json.zst") </dev/null \
    >/dev/null 2>"$T/err"
is "$?" 9 "the fixture with --cache-size 3M replays (exit 9)" || diag_file "$T/err"
ok "... and the cache holds at most 3 MiB ($(cache_bytes) bytes)" "$(cache_bytes)" -le $((3 << 20))

# The least recently used files go first: two files of 3 MiB, used in 2019
# and in 2020, and the fixture's 2.3 MiB in 8M: the one of 2019 goes.
rm -rf "$XDG_CACHE_HOME"
mkdir -p "$CACHE/blobs" && chmod 700 "$XDG_CACHE_HOME" "$CACHE" "$CACHE/blobs"
for y in 2019 2020; do
	content "$T/old$y" $((3 << 20)) "old$y-"
	sha=$(sha256sum "$T/old$y" | cut -d' ' -f1)
	cp "$T/old$y" "$CACHE/blobs/$sha" && chmod 500 "$CACHE/blobs/$sha" &&
	    touch -m -d "$y-06-01" "$CACHE/blobs/$sha" || bail_out "cannot fill the cache"
	eval "OLD$y=\$CACHE/blobs/\$sha"
done
(cd "$T/cwd" && run_to 60 "$DIOS_REPLAY" --cache-size 8M "$FX/p.json.zst") </dev/null \
    >"$T/lru.out" 2>"$T/err"
is "$?" 9 "a full cache (--cache-size 8M): the replay exits 9" || diag_file "$T/err"
same_file "$T/lru.out" "$T/rec.out" "... and prints the recorded output"
ok "... the file used in 2019 was removed" ! -e "$OLD2019"
ok "... the file used in 2020 was kept" -f "$OLD2020"
ok "... the cache holds at most 8 MiB ($(cache_bytes) bytes)" "$(cache_bytes)" -le $((8 << 20))
(cd "$T/cwd" && run_to 60 "$DIOS_REPLAY" -q --cache-size 8M "$FX/p.json.zst") </dev/null \
    >/dev/null 2>"$T/err"
is "$?" 9 "... a second replay, from the cache, exits 9" || diag_file "$T/err"
ok "... and keeps the file used in 2020" -f "$OLD2020"

# dios.yaml: cache-size and cache.
mkdir -p "$T/config/dios"
printf 'cache-size: 1M\n' >"$T/config/dios/dios.yaml"
rm -rf "$XDG_CACHE_HOME"
run "dios.yaml cache-size: 1M" 125 'does not fit in the cache .*may hold 1\.0 MiB' \
    'env XDG_CONFIG_HOME="$T/config" "$DIOS_REPLAY" -q "$FX/p.json.zst"'
(cd "$T/cwd" && run_to 60 env XDG_CONFIG_HOME="$T/config" "$DIOS_REPLAY" -q --cache-size 64M \
    "$FX/p.json.zst") </dev/null >/dev/null 2>"$T/err"
is "$?" 9 "dios.yaml cache-size: 1M, --cache-size 64M: the option wins (exit 9)" || diag_file "$T/err"
printf 'cache: false\n' >"$T/config/dios/dios.yaml"
rm -rf "$XDG_CACHE_HOME"
(cd "$T/cwd" && run_to 60 env XDG_CONFIG_HOME="$T/config" TMPDIR="$T/tmp" "$DIOS_REPLAY" -q \
    "$FX/p.json.zst") </dev/null >/dev/null 2>"$T/err"
is "$?" 9 "dios.yaml cache: false: the replay exits 9" || diag_file "$T/err"
ok "... and writes no cache" ! -e "$XDG_CACHE_HOME"
is "$(ls -A "$T/tmp")" "" "... and leaves nothing in \$TMPDIR"

# --no-cache: a temporary cache in $TMPDIR, removed at exit, on error, and
# when dios is stopped by a signal.
rm -rf "$XDG_CACHE_HOME"
(cd "$T/cwd" && run_to 60 env TMPDIR="$T/tmp" "$DIOS_REPLAY" --no-cache "$FX/p.json.zst") </dev/null \
    >"$T/nc.out" 2>"$T/err"
is "$?" 9 "--no-cache: the replay exits 9" || diag_file "$T/err"
same_file "$T/nc.out" "$T/rec.out" "--no-cache: the replay prints the recorded output"
ok "--no-cache: no cache in XDG_CACHE_HOME" ! -e "$XDG_CACHE_HOME"
is "$(ls -A "$T/tmp")" "" "--no-cache: nothing left in \$TMPDIR"
run "--no-cache, a bad trace" 125 "the content of file $SMALL in the trace does not match" \
    '"$DIOS_REPLAY" --no-cache "$E/wrong-content.json.zst"'
ok "--no-cache, a bad trace: no cache in XDG_CACHE_HOME" ! -e "$XDG_CACHE_HOME"

# SIGTERM while the trace is checked (3 million events to check).
n=$(wc -l <"$T/p.json")
{ head -n $((n - 1)) "$T/p.json" &&
    awk -v s="$(tail -n 2 "$T/p.json" | head -n 1 | jq '.seq + 1')" 'BEGIN {
	for (i = 0; i < 3000000; i++)
		printf "{\"seq\":%d,\"tid\":1,\"event\":\"rdtsc\",\"value\":%d,\"aux\":0}\n", s + i, i }' &&
    tail -n 1 "$T/p.json"; } | "$ZSTD" -q -o "$E/long.json.zst" || bail_out "cannot make long"
(cd "$T/cwd" && exec env TMPDIR="$T/tmp" "$DIOS_REPLAY" -q --no-cache "$E/long.json.zst") \
    </dev/null >/dev/null 2>"$T/err" &
pid=$!
i=0
while [ $i -lt 100 ] && [ -z "$(ls "$T/tmp")" ]; do
	sleep 0.1
	i=$((i + 1))
done
ok "--no-cache: the temporary cache is made in \$TMPDIR" -n "$(ls "$T/tmp")"
sleep 0.3
kill -TERM "$pid" 2>/dev/null
wait "$pid"
is "$?" 143 "--no-cache: SIGTERM during the check stops dios-replay (status 143)" || diag_file "$T/err"
is "$(ls -A "$T/tmp")" "" "--no-cache: SIGTERM: the temporary cache is removed"

# ---- 3. the host files a trace names ----
#
# The non-portable fixture with the path of its mapped file SMALL (or of
# its executable, or loader) changed to PATH.
SMALLPATH=$(jq -r "select(.map.sha256? == \"$SMALL\") | .map.path" "$T/n.json" | head -n 1)
named()	# named NAME PATH [MEMBER]: the map (or header MEMBER) names PATH
{
	if [ -n "${3:-}" ]; then
		edit "$1" n "if .format then .$3.path = \"$2\" else . end"
	else
		edit "$1" n "if (.map | type) == \"object\" and .map.path == \"$SMALLPATH\" then .map.path = \"$2\" else . end"
	fi
}
refused()	# refused NAME PATH WHY [MEMBER]
{
	CASE=$1
	named "$1" "$2" "${4:-}"
	run "$1" 125 "the trace names $2 .*it $3: replay opens only regular files outside /proc, /sys and /dev" \
	    '"$DIOS_REPLAY" -q "$E/$CASE.json.zst"'
}

# A FIFO with a writer waiting: opening it would release the writer.
mkfifo "$T/fifo" || bail_out "cannot make a FIFO"
(exec 3>"$T/fifo"; echo released >"$T/released") &
writer=$!
refused fifo "$T/fifo" "is a FIFO"
refused fifo-loader "$T/fifo" "is a FIFO" interp
refused fifo-exe "$T/fifo" "is a FIFO" exe
sleep 0.2
ok "the FIFO's writer is still waiting (never opened)" ! -e "$T/released"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null

refused kmsg /proc/kmsg "is under /proc"
refused proc-dots "/tmp/../proc/self/environ" "is under /proc"
refused sysfs /sys/kernel/notes "is under /sys"
refused dev-zero /dev/zero "is under /dev"
refused dev-shm /dev/shm/dios-test-none "is under /dev"
ln -s /proc/self/status "$T/link" || bail_out "cannot make a link"
refused link-to-proc "$T/link" "resolves to a file under /proc"
mkdir "$T/dir"
refused directory "$T/dir" "is a directory"
refused relative "etc/passwd" "is not an absolute path"

# A regular file of another size than recorded is not read at all (its
# access time stays); one of the same size is, and differs.
printf 'a secret\n' >"$T/secret"
touch -a -d 2001-01-01 "$T/secret"
cat "$T/secret" >/dev/null
if [ "$(stat -c %X "$T/secret")" = "$(date -d 2001-01-01 +%s)" ]; then
	skip "a file of another size is not read" "reading does not change access times here"
	skip "... and is named" "reading does not change access times here"
else
	touch -a -d 2001-01-01 "$T/secret"
	named other-size "$T/secret"
	(cd "$T/cwd" && run_to 60 "$DIOS_REPLAY" -q "$E/other-size.json.zst") </dev/null \
	    >/dev/null 2>"$T/err"
	is "$(stat -c %X "$T/secret")" "$(date -d 2001-01-01 +%s)" \
	    "a file of another size than recorded is not read"
	ok "... and is named as differing" -n "$(grep -F "$T/secret: differs" "$T/err")" ||
	    diag_file "$T/err"
fi

done_testing
