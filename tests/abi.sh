#!/bin/sh
# abi.sh: calls dios used to give up on (issue 16, item 4).  mmap of
# /dev/zero is anonymous memory: recorded and replayed (with its inputs
# gone, twice); of another device, refused by replay by name.  Calls
# through the vsyscall page replay the recorded times.  A 32-bit
# call (int $0x80) is refused by name: the recording stops with a one-line
# message and status 125 instead of the program killed by SIGSYS without a
# word, and replay refuses the trace.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/devzero" "$PROGS/int80" "$PROGS/vsyscall"
require_tracing
tmpdir

rr_case --twice --status 11 devzero : "$PROGS/devzero"

# Another device (none here can be mapped by a test): its mapping, as
# dios-record writes it ("device": its path), is refused by replay by name.
run dz "$DIOS_RECORD" -q -o "$T/dz.json.zst" -- "$PROGS/devzero"
"$ZSTD" -q -dc "$T/dz.json.zst" | sed '0,/"zero":true/s//"device":"\/dev\/fb0"/' | "$ZSTD" -q -f -o "$T/fb.json.zst"
run fb "$DIOS_REPLAY" "$T/fb.json.zst"
is "$st" 125 "mmap of a device: replay refuses it (status 125)"
has "mmap of a device: the message names it" "$T/fb.e" \
    "the program mapped the device /dev/fb0 when recording: replay cannot stand in for a device's memory"

# Calls through the vsyscall page are recorded (the kernel passes them
# through seccomp) and replayed: the times of the recording, a second later.
"$PROGS/vsyscall" >/dev/null 2>&1
if [ $? -eq 77 ]; then
	skip "vsyscall" "this kernel has no vsyscall page"
else
	rr_case --before-replay "sleep 1" --twice --status 0 vsyscall : "$PROGS/vsyscall"
fi

run native "$PROGS/int80"
is "$st" 0 "int80: natively, the 32-bit call works"
run rec "$DIOS_RECORD" -q -o "$T/i.json.zst" -- "$PROGS/int80"
is "$st" 125 "int80: dios-record stops with status 125"
has "int80: the message names the call" "$T/rec.e" \
    "^dios-record: the program made a 32-bit system call \\(int \\\$0x80: i386 getpid, number 20\\), which dios cannot record"
is "$(wc -l <"$T/rec.e")" 1 "int80: one line on stderr"
has "int80: the program ran up to the call" "$T/rec.o" "^before the 32-bit call$"
run rep "$DIOS_REPLAY" "$T/i.json.zst"
is "$st" 125 "int80: replay refuses the trace (status 125)"
has "int80: and says why" "$T/rep.e" "the recording stopped early and cannot be replayed: the program made a 32-bit system call"

done_testing
