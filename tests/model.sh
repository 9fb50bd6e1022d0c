#!/bin/sh
# model.sh: dios-replay --model and -o (src/model).  A trace edited the way
# dios-fuzz mutates one (an open that fails, a read cut short, a file that
# was never seen) makes the program take another path; with --model the
# run goes on against the environment model to the program's own end, shows
# the program's output, touches no host file, and -o writes the run as a
# trace that replays strictly every time and whose first difference from
# the recording is the edit.  Without --model the same trace is a
# divergence (status 120).  -o never overwrites the trace replayed, nor
# another file without -f.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_tracing
tmpdir
JQ=$(command -v jq 2>/dev/null) || skip_all "jq is not installed (needed to edit traces)"
DIOS_TRACE=$top_builddir/dios-trace

W=$T/w
mkdir -p "$W" && cd "$W" || bail_out "cannot enter $W"
printf 'one\ntwo\nthree\n' >in.txt
"$DIOS_RECORD" -q -o "$T/seed.json.zst" -- sh -c \
    'cat in.txt || echo "no input" >&2; echo written >new.txt; cat new.txt; wc -l <in.txt; exit 3' \
    >"$T/seed.o" 2>"$T/seed.e"
is "$?" 3 "the recorded run exits 3"

# edit EVENT-FILTER JQ-CHANGE OUT: the seed with the events matching the
# filter changed
edit()
{
	"$ZSTD" -q -dc "$T/seed.json.zst" | "$JQ" -c "if ($1) then ($2) else . end" | "$ZSTD" -q -o "$3" ||
	    bail_out "cannot edit the trace"
}
first_open=$("$ZSTD" -q -dc "$T/seed.json.zst" | "$JQ" -c 'select(.sys == "openat" and .args.path == "in.txt") | .seq' | head -n 1)
ok "the recording opened in.txt" -n "$first_open"
edit ".seq == $first_open" 'del(.ret) | .err = "ENOENT"' "$T/enoent.json.zst"

rm -f in.txt new.txt
snapshot "$W" >"$T/before"
run plain "$DIOS_REPLAY" "$T/enoent.json.zst"
is "$st" 120 "without --model the edited trace diverges (120)"
run m "$DIOS_REPLAY" --model -o "$T/run.json.zst" "$T/enoent.json.zst"
is "$st" 3 "with --model the program runs to its own end (3)"
has "cat says the file is missing" "$T/m.e" "cat: in.txt: No such file or directory"
has "the shell goes on: it writes and reads back new.txt, in the overlay" "$T/m.o" "^written$"
has "wc reads in.txt, which the model has, from its second open" "$T/m.o" "^3$"
has "the divergence is reported" "$T/m.e" "left the recording.*|divergence at event $((first_open + 1))"
has "the summary counts the calls the model answered" "$T/m.e" "the model answered [0-9]+ calls"
snapshot "$W" >"$T/after"
same_file "$T/after" "$T/before" "no host file was made or changed (new.txt stayed in the overlay)"
is "$("$ZSTD" -q -dc "$T/run.json.zst" | tail -n 1 | "$JQ" -c '[.end.exit, .model.left, (.model.answered > 0)]')" \
    "[3,true,true]" "the run's footer: exit 3, left the recording, calls answered"
i=1
good=0
while [ $i -le 3 ]; do
	run r "$DIOS_REPLAY" "$T/run.json.zst"
	[ "$st" = 3 ] && cmp -s "$T/r.o" "$T/m.o" && good=$((good + 1))
	i=$((i + 1))
done
is "$good" 3 "the run's trace replays strictly 3 times of 3, same output and status"
"$DIOS_TRACE" diff "$T/seed.json.zst" "$T/run.json.zst" >"$T/diff.o" 2>&1
has "dios-trace diff: the first difference is the edit" "$T/diff.o" "first difference: errors"
has "dios-trace diff: at the edited event" "$T/diff.o" "B event $first_open .*ENOENT"

# a read cut short: cat reads the rest from the model
read_ev=$("$ZSTD" -q -dc "$T/seed.json.zst" | "$JQ" -c 'select(.sys == "read" and .ret == 14) | .seq' | head -n 1)
if [ -n "$read_ev" ]; then
	edit ".seq == $read_ev" '.ret = 4 | .out.buf = {"text": "one\n"}' "$T/short.json.zst"
	run s "$DIOS_REPLAY" --model "$T/short.json.zst"
	is "$st" 3 "a short read: the program runs to its end"
	is "$(head -n 3 "$T/s.o" | tr '\n' ' ')" "one two three " "a short read: cat reads the rest from the model"
else
	skip "a short read" "no read of 14 bytes in the recording"
fi

# -o is careful with files
run o1 "$DIOS_REPLAY" --model -o "$T/enoent.json.zst" "$T/enoent.json.zst"
is "$st" 2 "-o naming the trace replayed: status 2"
has "-o naming the trace replayed: said so" "$T/o1.e" "names the trace being replayed"
: >"$T/exists.json.zst"
run o2 "$DIOS_REPLAY" --model -o "$T/exists.json.zst" "$T/enoent.json.zst"
is "$st" 125 "-o naming an existing file: refused"
ok "-o naming an existing file: it is left as it was" ! -s "$T/exists.json.zst"
run o3 "$DIOS_REPLAY" --model -f -o "$T/exists.json.zst" "$T/enoent.json.zst"
is "$st" 3 "-o -f overwrites it"

done_testing
