#!/bin/sh
# hashcache.sh: the SHA-256s of executed and mapped files kept across runs
# (src/trace/hashcache.h): a recording keeps its files' hashes; a later
# one takes them from there (shown here with an entry planted for the
# file's very key, which only the cache could give); a changed file, or
# one with other times, is hashed again; bad lines are ignored; with
# DIOS_HASH_CACHE=off, or a cache directory others may write in, nothing
# is kept or used.  SIGTERM while a large mapped file is hashed ends
# dios-record at once, with a complete trace (issue 16, item 2).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_tracing
tmpdir
JQ=$(command -v jq 2>/dev/null) || skip_all "jq is not installed (needed to read traces)"
export XDG_CACHE_HOME="$T/cache"
V1=$XDG_CACHE_HOME/dios-hashes/v1
cp /bin/true "$T/prog" || bail_out "cannot copy the test program"
prog=$T/prog

# exe_sha TRACE: the SHA-256 the trace's header gives the executable.
exe_sha() { "$ZSTD" -q -dc "$1" | head -n 1 | "$JQ" -r '.exe.sha256'; }
# key FILE: the cache's key of FILE: device inode size mtime (s ns) ctime (s ns).
key() { stat -c '%d %i %s %.9Y %.9Z' "$1" | awk '{
	split($4, m, "."); split($5, c, ".");
	printf "%s %s %s %s %d %s %d\n", $1, $2, $3, m[1], m[2], c[1], c[2] }'; }
real=$(sha256sum "$prog" | cut -d' ' -f1)

case $(stat -f -c %T "$T") in
ext2/ext3|tmpfs|xfs|btrfs|overlayfs|f2fs) ;;
*) skip_all "$T is on a $(stat -f -c %T "$T") file system, whose files the cache does not keep" ;;
esac

run rec1 "$DIOS_RECORD" -q -o "$T/1.json.zst" -- "$prog"
is "$st" 0 "a recording with an empty cache"
is "$(exe_sha "$T/1.json.zst")" "$real" "it gives the executable its SHA-256"
has "the cache keeps the executable's hash under its key" "$V1" "^$(key "$prog") $real\$"
is "$(stat -c %a "$XDG_CACHE_HOME/dios-hashes")" 700 "the cache directory is private (0700)"

# The cache is used: an entry for the file's own key wins over the file.
fake=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
printf '%s %s\n' "$(key "$prog")" "$fake" >>"$V1"
run rec2 "$DIOS_RECORD" -q -o "$T/2.json.zst" -- "$prog"
is "$(exe_sha "$T/2.json.zst")" "$fake" "a later recording takes the hash from the cache"
run rep2 "$DIOS_REPLAY" -q "$T/1.json.zst"
is "$st" 125 "so does replay: the planted hash is not the recorded one (status 125)"
has "replay says the executable differs" "$T/rep2.e" "prog"

# Another key (the file changed: its change time moved) is hashed again.
printf '\n' >>"$prog"
real2=$(sha256sum "$prog" | cut -d' ' -f1)
run rec3 "$DIOS_RECORD" -q -o "$T/3.json.zst" -- "$prog"
is "$(exe_sha "$T/3.json.zst")" "$real2" "a changed file is hashed again"
touch -r "$T/1.json.zst" "$prog"	# other times, same content
run rec4 "$DIOS_RECORD" -q -o "$T/4.json.zst" -- "$prog"
is "$(exe_sha "$T/4.json.zst")" "$real2" "a file with other times is hashed again (same hash)"

# Bad lines are ignored; the file's own key still finds its entry.
{ echo 'not a line'; echo '1 2 3'; printf '%s %s\n' "$(key "$prog")" "XYZ"; head -c 300 /dev/zero | tr '\0' 7; echo; } >>"$V1"
run rec5 "$DIOS_RECORD" -q -o "$T/5.json.zst" -- "$prog"
is "$st" 0 "a cache with malformed lines is no error"
is "$(exe_sha "$T/5.json.zst")" "$real2" "malformed lines are ignored"

# DIOS_HASH_CACHE=off: the planted entry is not used.
printf '%s %s\n' "$(key "$prog")" "$fake" >>"$V1"
run rec6 env DIOS_HASH_CACHE=off "$DIOS_RECORD" -q -o "$T/6.json.zst" -- "$prog"
is "$(exe_sha "$T/6.json.zst")" "$real2" "DIOS_HASH_CACHE=off: every file is hashed"
run rec7 "$DIOS_RECORD" -q -o "$T/7.json.zst" -- "$prog"
is "$(exe_sha "$T/7.json.zst")" "$fake" "without it, the cache is used again"

# A directory others may write in is not used.
chmod 0777 "$XDG_CACHE_HOME/dios-hashes"
run rec8 "$DIOS_RECORD" -q -o "$T/8.json.zst" -- "$prog"
is "$st" 0 "a cache directory others may write in is no error"
is "$(exe_sha "$T/8.json.zst")" "$real2" "it is not used"
chmod 0700 "$XDG_CACHE_HOME/dios-hashes"

# A file past 4 MiB starts afresh.
head -c 5000000 /dev/zero >>"$V1"
run rec9 "$DIOS_RECORD" -q -o "$T/9.json.zst" -- "$prog"
is "$(exe_sha "$T/9.json.zst")" "$real2" "an oversized cache file is dropped"
ok "and started afresh ($(wc -c <"$V1") bytes)" "$(wc -c <"$V1")" -lt 100000

# SIGTERM while a mapped file is hashed: 1 GiB of a 100 GiB sparse file,
# the most dios hashes of a part mapped (fileid.h), with the portable code
# (about 300 MB/s: seconds of work).  dios ends at once, says so, and
# leaves a complete trace.
require_built "$PROGS/mapfile"
truncate -s 100G "$T/huge" || bail_out "cannot make a sparse file"
DIOS_SHA256=portable DIOS_HASH_CACHE=off "$DIOS_RECORD" -o "$T/huge.json.zst" -- \
    "$PROGS/mapfile" "$T/huge" 0 1073741824 >"$T/huge.o" 2>"$T/huge.e" </dev/null &
pid=$!
i=0
while [ "$i" -lt 100 ] && ! grep -q mapping "$T/huge.o" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
sleep 0.5	# into the hash
kill -TERM "$pid"
( sleep 30; kill -KILL "$pid" 2>/dev/null ) &
guard=$!
t0=$(date +%s)
wait "$pid"
st=$?
t1=$(date +%s)
kill "$guard" 2>/dev/null
ok "SIGTERM while hashing: dios-record ended within 2 s ($((t1 - t0)) s)" $((t1 - t0)) -le 2
has "SIGTERM while hashing: it says it was interrupted" "$T/huge.e" "^dios-record: interrupted by SIGTERM"
ok "SIGTERM while hashing: before the program went on" -z "$(grep '^mapped' "$T/huge.o")"
run val "$top_builddir/dios-trace" validate "$T/huge.json.zst"
is "$st" 0 "SIGTERM while hashing: the trace is complete (it validates)"
rm -f "$T/huge"

done_testing
