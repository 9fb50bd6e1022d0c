#!/bin/sh
# hostile-replay.sh: replay is a sandbox against traces edited by hand (or
# by a fuzzer): real traces are recorded, edited with jq the way an
# attacker would, and replayed; the host must be untouched and dios must
# answer with a one-line error and status 125, never crash or hang.
#   - a descriptor mapped shared and writable: with the recorded "map"
#     removed, or descriptors inherited from the caller of dios-replay,
#     the host file is never written;
#   - events that fail the check are never acted on, even while the check
#     runs on the other CPU;
#   - reads and writes of several MiB (lines over the trace I/O queues'
#     4 MiB) replay.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/mapshared"
require_tracing
command -v jq >/dev/null 2>&1 || skip_all "jq not installed (Debian: apt-get install jq)"
[ -n "$ZSTD" ] || skip_all "zstd not installed (Debian: apt-get install zstd)"
tmpdir
cd "$T" || bail_out "cannot enter $T"

# edit IN OUT JQ-FILTER: OUT is IN with each line passed through the filter.
edit()
{
	"$ZSTD" -q -dc "$1" | jq -c "$3" | "$ZSTD" -q -f -o "$2" || bail_out "cannot edit $1"
}

# one_line FILE DESC: FILE (stderr) is one line.
one_line()
{
	is "$(wc -l <"$1" | tr -d ' ')" 1 "$2" || diag_file "$1"
}

# --- a descriptor mapped shared and writable ---
head -c 4096 /dev/zero | tr '\0' x >orig.txt
cp orig.txt data.txt
run_to 60 "$DIOS_RECORD" -q -o map.json.zst "$PROGS/mapshared" 5 5<>data.txt >rec.out 2>rec.err
is "$?" 0 "mapshared is recorded"
ok "the recording wrote through its shared mapping" "$(head -c 20 data.txt)" = "written by mapshared"
# The recorded file, as it was when mapped: the honest replay checks it.
cp orig.txt data.txt
cp orig.txt victim.txt
cp orig.txt victim70.txt
run_to 60 "$DIOS_REPLAY" map.json.zst 5<>victim.txt 70<>victim70.txt >rep.out 2>rep.err
is "$?" 0 "the honest trace replays, given other files at 5 and 70" || diag_file rep.err
same_file rep.out rec.out "it prints the recorded output"
same_file victim.txt orig.txt "the file dios-replay's caller gave at 5 is untouched"
same_file victim70.txt orig.txt "the file at 70 is untouched"
same_file data.txt orig.txt "the recorded file, mapped private and read-only, is untouched"

# (the file is the recording's own, so the trace carries it: its blob lines go too)
edit map.json.zst nomap.json.zst 'if .sys == "mmap" and .args.fd == 5 then del(.map) elif .blob then empty else . end'
ok "the edited trace lost the \"map\" of descriptor 5" \
    "$("$ZSTD" -q -dc nomap.json.zst | grep -c '"map"')" -lt "$("$ZSTD" -q -dc map.json.zst | grep -c '"map"')"
for fds in 5 70; do
	run_to 60 "$DIOS_REPLAY" nomap.json.zst 5<>victim.txt 70<>victim70.txt >rep.out 2>rep.err
	is "$?" 125 "mmap without \"map\" (files at 5 and 70, round $fds): refused with 125"
	ok "the message says the mapping has no \"map\"" -n "$(grep 'has no "map"' rep.err)" || diag_file rep.err
	one_line rep.err "one line on stderr"
	same_file victim.txt orig.txt "the file at 5 is untouched"
	same_file victim70.txt orig.txt "the file at 70 is untouched"
done

# --- events acted on before the check passed them ---
run_to 60 "$DIOS_RECORD" -q -o sh.json.zst /bin/sh -c 'echo one; echo two' >sh.out 2>sh.err
is "$?" 0 "a shell is recorded"
tid=$("$ZSTD" -q -dc sh.json.zst | sed -n 2p | jq .tid)
n=$("$ZSTD" -q -dc sh.json.zst | wc -l)
mid=$((n / 2))
i=0
for bad in '{"event":"signal"}' '{"event":"signal","sig":9}' '{"event":"signal","sig":"SIGNOPE"}' \
    '{"event":"exit"}' '{"sys":"read","args":{"fd":"zero"},"ret":"x"}' '{"sys":"write"}' \
    '{"sys":"openat","args":[1,2,3],"ret":3}' '{"event":"clone"}' '[1,2]' '"text"' 'null'; do
	i=$((i + 1))
	# The bad line takes the place of an event halfway, with its seq and
	# tid where it is an object.
	"$ZSTD" -q -dc sh.json.zst | jq -c --argjson bad "$bad" --argjson tid "$tid" \
	    --argjson mid "$mid" 'if .seq == $mid then (if ($bad|type) == "object"
	    then {seq: $mid, tid: $tid} + $bad else $bad end) else . end' |
	    "$ZSTD" -q -f -o bad$i.json.zst || bail_out "cannot edit sh.json.zst"
	sts=""
	for run in 1 2 3 4 5; do
		run_to 60 "$DIOS_REPLAY" bad$i.json.zst >bad.out 2>bad.err
		sts="$sts $?"
	done
	is "$sts" " 125 125 125 125 125" "bad line $bad at event $mid: refused 5 times of 5 with 125" ||
	    diag_file bad.err
	one_line bad.err "bad line $bad: one line on stderr"
	is "$(cat bad.out)" "" "bad line $bad: nothing of the program shown"
done

# --- large reads and writes ---
for mib in 3 5; do
	head -c $((mib * 1048576)) /dev/urandom >big.bin
	cp orig.txt data.txt
	run_to 120 "$DIOS_RECORD" -q -o big$mib.json.zst "$PROGS/mapshared" 5 $((mib * 1048576)) \
	    5<>data.txt <big.bin >big.rec 2>big.err
	is "$?" 0 "a read and a write of $mib MiB are recorded"
	cp orig.txt data.txt
	rm big.bin
	run_to 120 "$DIOS_REPLAY" big$mib.json.zst 5<>victim.txt </dev/null >big.rep 2>big.err
	is "$?" 0 "a read and a write of $mib MiB replay" || diag_file big.err
	same_file big.rep big.rec "the $mib MiB written are shown again"
done

done_testing
