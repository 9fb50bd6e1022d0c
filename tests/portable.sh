#!/bin/sh
# portable.sh: dios-record --portable puts the content of every file the
# program maps or executes into the trace, and dios-replay serves it from its
# cache: the program, its shared library and its loader (a copy, named as
# the program's interpreter) are all deleted before the replay.  The same
# trace replays with --exe and a rebuilt program.  Without --portable, a
# changed library is reported by name before the program starts.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_tracing
[ -n "${CC:-}" ] || CC=cc
command -v "$CC" >/dev/null 2>&1 || skip_all "no C compiler ($CC)"
tmpdir
SRC=$top_srcdir/tests/portable
export XDG_CACHE_HOME="$T/cache"

# The loader the host's programs use, from a program built here.
"$CC" -o "$T/probe" "$SRC/greet.c" -shared -fPIC 2>"$T/cc.err" || {
	diag_file "$T/cc.err"; bail_out "$CC cannot build a shared library"; }
printf 'int main(void) { return 0; }\n' >"$T/probe.c"
"$CC" -o "$T/probe" "$T/probe.c" || bail_out "$CC cannot build a program"
LDSO=$(readelf -l "$T/probe" 2>/dev/null | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
[ -n "$LDSO" ] && [ -f "$LDSO" ] || LDSO=/lib64/ld-linux-x86-64.so.2
[ -f "$LDSO" ] || skip_all "no dynamic loader found"

# build DIR GREETING: hello, linked with its library in DIR/lib and with a
# copy of the loader in DIR/ld as its interpreter.
build()
{
	mkdir -p "$1/lib" "$1/ld" "$1/bin" &&
	cp "$LDSO" "$1/ld/ld.so" &&
	"$CC" -shared -fPIC -DGREETING="\"$2\"" -o "$1/lib/libgreet.so" "$SRC/greet.c" &&
	"$CC" -o "$1/bin/hello" "$SRC/hello.c" -L"$1/lib" -lgreet -Wl,-rpath,"$1/lib" \
	    -Wl,--dynamic-linker="$1/ld/ld.so"
}

A=$T/a
build "$A" hello 2>"$T/cc.err" || { diag_file "$T/cc.err"; bail_out "cannot build hello"; }
mkdir -p "$T/work"
printf 'the input\n' >"$T/work/input.txt"
(cd "$T/work" && run_to 60 "$A/bin/hello" one) >"$T/native.out" 2>&1
is "$?" 7 "the program runs natively (status 7)"

(cd "$T/work" && run_to 60 "$DIOS_RECORD" -q --portable -o "$T/p.json.zst" -- "$A/bin/hello" one) \
    </dev/null >"$T/rec.out" 2>"$T/rec.err"
st=$?
is "$st" 7 "dios-record --portable exits with the program's status"
same_file "$T/rec.out" "$T/native.out" "the recorded run prints what the native one does"
(cd "$T/work" && run_to 60 "$DIOS_RECORD" -q -o "$T/n.json.zst" -- "$A/bin/hello" one) \
    </dev/null >/dev/null 2>&1
if [ -n "$ZSTD" ]; then
	"$ZSTD" -q -dc "$T/p.json.zst" >"$T/p.json"
	ok "the trace says it is portable" -n "$(head -n 1 "$T/p.json" | grep '"portable":true')"
	ok "the header names the loader" -n "$(head -n 1 "$T/p.json" | grep "\"interp\":{\"path\":\"$A/ld/ld.so\"")"
	n=$(grep -c '^{"blob":' "$T/p.json")
	ok "the trace has blob lines ($n)" "$n" -gt 3
	sha=$(sha256sum "$A/lib/libgreet.so" | cut -d' ' -f1)
	first_blob=$(grep -n "^{\"blob\":\"$sha\"" "$T/p.json" | head -n 1 | cut -d: -f1)
	first_map=$(grep -n "\"map\":{\"path\":\"$A/lib/libgreet.so\"" "$T/p.json" | head -n 1 | cut -d: -f1)
	ok "the library's content comes before the event that maps it" \
	    -n "$first_blob" -a -n "$first_map" -a "${first_blob:-0}" -lt "${first_map:-0}"
	dups=$(grep '^{"blob":' "$T/p.json" | sed 's/^{"blob":"\([0-9a-f]*\)","size":[0-9]*,"off":\([0-9]*\),.*/\1 \2/' | sort | uniq -d | wc -l)
	is "$dups" 0 "each file's content is in the trace once"
	ok "without --portable, no blob lines" \
	    "$("$ZSTD" -q -dc "$T/n.json.zst" | grep -c '^{"blob":')" -eq 0
else
	skip "the trace's blob lines" "no zstd program"
fi

# Delete the program, its library, its loader and its input: the replay
# needs none of them.
cp -r "$A" "$T/a.saved"
rm -rf "$A" "$T/work/input.txt"
(cd "$T/work" && run_to 60 "$DIOS_REPLAY" "$T/p.json.zst") </dev/null >"$T/rep.out" 2>"$T/rep.err"
st=$?
is "$st" 7 "the replay, with program, library and loader gone, exits 7" || diag_file "$T/rep.err"
same_file "$T/rep.out" "$T/rec.out" "the replay prints the recorded output"
is "$(stat -c %a "$XDG_CACHE_HOME/dios/blobs/$(sha256sum "$T/a.saved/lib/libgreet.so" | cut -d' ' -f1)")" \
    500 "the cache holds the library's content, read-only (mode 500)"
is "$(stat -c %a "$XDG_CACHE_HOME/dios")" 700 "the cache directory is private (mode 700)"

# Again with the cache filled: same result.
(cd "$T/work" && run_to 60 "$DIOS_REPLAY" -q "$T/p.json.zst") </dev/null >"$T/rep2.out" 2>"$T/rep2.err"
is "$?" 7 "a second replay, from the filled cache, exits 7" || diag_file "$T/rep2.err"

# A damaged cache entry is not used: it is written again from the trace.
lib=$XDG_CACHE_HOME/dios/blobs/$(sha256sum "$T/a.saved/lib/libgreet.so" | cut -d' ' -f1)
chmod u+w "$lib" && printf 'x' >>"$lib"
(cd "$T/work" && run_to 60 "$DIOS_REPLAY" -q "$T/p.json.zst") </dev/null >/dev/null 2>"$T/rep3.err"
is "$?" 7 "a damaged cache entry is replaced from the trace" || diag_file "$T/rep3.err"

# --exe: a rebuilt copy, moved elsewhere (its interpreter, $A/ld/ld.so,
# is gone again: the cached loader stands in).
build "$A" hello 2>"$T/cc.err" || { diag_file "$T/cc.err"; bail_out "cannot rebuild hello"; }
mkdir -p "$T/rebuilt"
cp "$A/bin/hello" "$T/rebuilt/hello"
rm -rf "$A"
(cd "$T/work" && run_to 60 "$DIOS_REPLAY" --exe "$T/rebuilt/hello" "$T/p.json.zst") </dev/null \
    >"$T/rep4.out" 2>"$T/rep4.err"
is "$?" 7 "replay --exe with a rebuilt copy exits 7" || diag_file "$T/rep4.err"
same_file "$T/rep4.out" "$T/rec.out" "replay --exe with a rebuilt copy prints the recorded output"

# A portable trace whose blob line was damaged is refused, naming the line.
if [ -n "$ZSTD" ] && command -v jq >/dev/null 2>&1; then
	rm -rf "$XDG_CACHE_HOME"
	jq -c "if .blob == \"$sha\" then .data = {text: \"other\"} | .size = 5 else . end" \
	    <"$T/p.json" | "$ZSTD" -q -o "$T/bad.json.zst"
	(cd "$T/work" && run_to 60 "$DIOS_REPLAY" "$T/bad.json.zst") </dev/null >/dev/null 2>"$T/bad.err"
	is "$?" 125 "a blob that does not match its hash: status 125"
	ok "... and the message names the line and the hash" \
	    -n "$(grep -E "bad.json.zst: line [0-9]+: the content of file $sha .*does not match its SHA-256" "$T/bad.err")" ||
	    diag_file "$T/bad.err"
else
	skip "a damaged blob line is refused" "no zstd or jq program"
fi

# Without --portable: the library must be the same; change it and replay.
rm -rf "$A" && cp -r "$T/a.saved" "$A"
printf 'the input\n' >"$T/work/input.txt"
(cd "$T/work" && run_to 60 "$DIOS_REPLAY" -q "$T/n.json.zst") </dev/null >/dev/null 2>"$T/n1.err"
is "$?" 7 "without --portable, the replay on the same files exits 7" || diag_file "$T/n1.err"
"$CC" -shared -fPIC -DGREETING='"bye"' -o "$A/lib/libgreet.so" "$SRC/greet.c" ||
    bail_out "cannot rebuild libgreet.so"
rm -f "$A/ld/ld.so"
(cd "$T/work" && run_to 60 "$DIOS_REPLAY" -q "$T/n.json.zst") </dev/null >"$T/n2.out" 2>"$T/n2.err"
is "$?" 125 "without --portable, changed files: status 125"
ok "... the changed library is named" \
    -n "$(grep -F "  $A/lib/libgreet.so: differs (size or SHA-256)" "$T/n2.err")" || diag_file "$T/n2.err"
ok "... and so is the deleted loader" -n "$(grep -F "  $A/ld/ld.so: is gone" "$T/n2.err")"
ok "... with the fix" -n "$(grep -F "record with --portable" "$T/n2.err")"
ok "... before the program ran" ! -s "$T/n2.out"

done_testing
