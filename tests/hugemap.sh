#!/bin/sh
# hugemap.sh: huge mapped files (issue 16, item 6).  A mapping of part of a
# file over 64 MiB names only that part, by its SHA-256; a part over 1 GiB
# is named by the file's device, inode and times.  So a page of a 100 GiB
# sparse file is recorded and replayed at once (it took minutes to hash),
# and so is all of it; replay checks what the trace names and refuses a
# file that differs there, with a message that says what is checked.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/mapfile"
require_tracing
tmpdir

G=1073741824
truncate -s 100G "$T/huge" || bail_out "cannot make a sparse file"
printf A | dd of="$T/huge" bs=1 seek=$((50 * G)) conv=notrunc 2>/dev/null
printf Z | dd of="$T/huge" bs=1 seek=$((50 * G + 1048575)) conv=notrunc 2>/dev/null
export DIOS_HASH_CACHE=off

# A page... a MiB in the middle of it.
t0=$(date +%s)
run part "$DIOS_RECORD" -q -o "$T/part.json.zst" -- "$PROGS/mapfile" "$T/huge" $((50 * G))
t1=$(date +%s)
is "$st" 0 "1 MiB of 100 GiB: recorded"
ok "1 MiB of 100 GiB: in seconds ($((t1 - t0)) s)" $((t1 - t0)) -le 10
has "1 MiB of 100 GiB: the program saw the bytes" "$T/part.o" "^first 65, last 90$"
"$ZSTD" -q -dc "$T/part.json.zst" | grep '"sys":"mmap".*/huge' >"$T/part.ev"
has "1 MiB of 100 GiB: the trace names the part mapped and its SHA-256" "$T/part.ev" \
    "\"map\":{\"path\":\"$T/huge\",\"size\":107374182400,\"range\":\\[53687091200,1048576\\],\"sha256\":\"[0-9a-f]{64}\"}"
for n in 1 2; do
	run rep "$DIOS_REPLAY" "$T/part.json.zst"
	is "$st" 0 "1 MiB of 100 GiB: replay $n" || diag_file "$T/rep.e"
	same_file "$T/rep.o" "$T/part.o" "1 MiB of 100 GiB: replay $n prints what the recording did"
done

# All of it: known by device, inode and times.
t0=$(date +%s)
run all "$DIOS_RECORD" -q -o "$T/all.json.zst" -- "$PROGS/mapfile" "$T/huge" 0 $((100 * G))
t1=$(date +%s)
is "$st" 0 "all 100 GiB: recorded"
ok "all 100 GiB: in seconds ($((t1 - t0)) s)" $((t1 - t0)) -le 10
"$ZSTD" -q -dc "$T/all.json.zst" | grep '"sys":"mmap".*/huge' >"$T/all.ev"
has "all 100 GiB: the trace names the file by device, inode and times" "$T/all.ev" \
    "\"range\":\\[0,107374182400\\],\"file\":{\"dev\":[0-9]*,\"ino\":[0-9]*,\"mtime\":"
run rep "$DIOS_REPLAY" "$T/all.json.zst"
is "$st" 0 "all 100 GiB: replays" || diag_file "$T/rep.e"
same_file "$T/rep.o" "$T/all.o" "all 100 GiB: replay prints what the recording did"

# Changed outside the part mapped: the part's trace still replays; the
# whole one does not (the file's times changed), and says why.
printf x | dd of="$T/huge" bs=1 seek=0 conv=notrunc 2>/dev/null
run rep "$DIOS_REPLAY" "$T/part.json.zst"
is "$st" 0 "changed elsewhere: the part mapped is the same, and replays" || diag_file "$T/rep.e"
run rep "$DIOS_REPLAY" "$T/all.json.zst"
is "$st" 125 "changed: the whole mapping's trace is refused (status 125)"
has "changed: the message says what differs" "$T/rep.e" "$T/huge: differs \\(size, device, inode or times\\)"
# Changed inside the part mapped.
printf B | dd of="$T/huge" bs=1 seek=$((50 * G)) conv=notrunc 2>/dev/null
run rep "$DIOS_REPLAY" "$T/part.json.zst"
is "$st" 125 "changed in the part mapped: refused (status 125)"
has "changed in the part mapped: the message names the file" "$T/rep.e" "$T/huge: differs"
printf A | dd of="$T/huge" bs=1 seek=$((50 * G)) conv=notrunc 2>/dev/null

# A trace whose "range" is not one: refused, never read past the file.
for bad in '[-1,4096]' '[107374182400,1]' '[0]' '"all"'; do
	"$ZSTD" -q -dc "$T/part.json.zst" |
	    sed "s/\"range\":\\[53687091200,1048576\\]/\"range\":$bad/" |
	    "$ZSTD" -q -o "$T/bad.json.zst" -f
	run bad "$DIOS_REPLAY" "$T/bad.json.zst"
	is "$st" 125 "range $bad: refused (status 125)"
	has "range $bad: the message says the identity is malformed" "$T/bad.e" "malformed"
done
rm -f "$T/huge"

# A large file the program made: its content goes in the trace whole (the
# identity is the whole file's), and the trace replays with it gone.
mk='truncate -s 100M "$1" && printf A | dd of="$1" bs=1 seek=4095 conv=notrunc 2>/dev/null && exec "$2" "$1" 0 4096'
run made "$DIOS_RECORD" -q -o "$T/made.json.zst" -- /bin/sh -c "$mk" sh "$T/made" "$PROGS/mapfile"
is "$st" 0 "made 100 MiB: recorded"
has "made 100 MiB: the program saw its bytes" "$T/made.o" "^first 0, last 65$"
"$ZSTD" -q -dc "$T/made.json.zst" | grep '"sys":"mmap".*/made' >"$T/made.ev"
has "made 100 MiB: the trace carries it whole" "$T/made.ev" \
    "\"map\":{\"path\":\"$T/made\",\"size\":104857600,\"sha256\":\"[0-9a-f]{64}\",\"carried\":true}"
rm -f "$T/made"
run rep "$DIOS_REPLAY" "$T/made.json.zst"
is "$st" 0 "made 100 MiB: replays with the file gone" || diag_file "$T/rep.e"
same_file "$T/rep.o" "$T/made.o" "made 100 MiB: replay prints what the recording did"

# Past 1 GiB it is too large to carry: said at once, and replay needs the
# file on the host.
mk='truncate -s 2G "$1" && exec "$2" "$1" 0 4096'
run big "$DIOS_RECORD" -q -o "$T/big.json.zst" -- /bin/sh -c "$mk" sh "$T/big" "$PROGS/mapfile"
is "$st" 0 "made 2 GiB: recorded"
has "made 2 GiB: dios-record says it is too large to carry" "$T/big.e" \
    "^dios-record: warning: $T/big \\(2\\.0 GiB\\) is too large to carry in the trace: replay will need it on the host as it was mapped$"
run rep "$DIOS_REPLAY" "$T/big.json.zst"
is "$st" 0 "made 2 GiB: replays with the file there" || diag_file "$T/rep.e"
rm -f "$T/big"
run rep "$DIOS_REPLAY" "$T/big.json.zst"
is "$st" 125 "made 2 GiB: gone, replay refuses (status 125)"
has "made 2 GiB: and names it" "$T/rep.e" "^  $T/big: is gone$"

done_testing
