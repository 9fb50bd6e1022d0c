#!/bin/sh
# memory.sh: dios streams its traces, so its memory stays flat however long
# the recording: the peak RSS of dios-record (and of dios-replay) for 1M
# events is at most 1.25 times that for 10k events, plus 2 MiB.
#
# Timing, measured on the 2-CPU development VM: recording 1M events takes
# about 45 s and replaying them about 30 s.  DIOS_MEMORY_EVENTS sets the
# long run's length (e.g. 300000 on slower machines); DIOS_MEMORY_REPLAY=0
# leaves out the replay half.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/manycalls" "$PROGS/maxrss"
# AddressSanitizer keeps freed memory in quarantine: the peak RSS of a
# sanitized dios says nothing of dios's own use.
[ -z "${DIOS_SANITIZED:-}" ] || skip_all "dios is built with sanitizers ($DIOS_SANITIZED)"
require_tracing
tmpdir

SHORT=10000
LONG=${DIOS_MEMORY_EVENTS:-1000000}
SLACK_KIB=2048

# flat WHAT SHORT_KIB LONG_KIB: the long run used at most 1.25 times the
# short run's memory, plus the slack.
flat()
{
	local limit=$(($2 * 5 / 4 + SLACK_KIB))
	if ! ok "$1: peak RSS for $LONG events ($3 KiB) <= 1.25 x that for $SHORT ($2 KiB) + $SLACK_KIB KiB = $limit KiB" \
	    "$3" -le "$limit"; then
		diag "$1 does not stream: its memory grows with the trace"
	fi
}

# The events of a recording: the footer's count.
events_of()
{
	[ -n "$ZSTD" ] && "$ZSTD" -q -dc "$1" | tail -n 1 | sed -n 's/.*"events":\([0-9]*\).*/\1/p'
}

peak_rss 240 rec-short "$DIOS_RECORD" -q -o short.json.zst -- "$PROGS/manycalls" "$SHORT"
is "$st" 0 "recording $SHORT calls succeeds"
rec_short=$kib
start=$(date +%s)
peak_rss 240 rec-long "$DIOS_RECORD" -q -o long.json.zst -- "$PROGS/manycalls" "$LONG"
is "$st" 0 "recording $LONG calls succeeds"
rec_long=$kib
diag "recording $LONG calls took $(($(date +%s) - start)) s"
n=$(events_of "$T/long.json.zst")
if [ -n "$n" ]; then
	ok "the long trace has at least $LONG events ($n)" "$n" -ge "$LONG"
else
	skip "the long trace has at least $LONG events" "no zstd program"
fi
flat dios-record "$rec_short" "$rec_long"

if [ "${DIOS_MEMORY_REPLAY:-1}" != 0 ]; then
	peak_rss 240 rep-short "$DIOS_REPLAY" short.json.zst
	is "$st" 0 "replaying $SHORT calls succeeds"
	rep_short=$kib
	start=$(date +%s)
	peak_rss 240 rep-long "$DIOS_REPLAY" long.json.zst
	is "$st" 0 "replaying $LONG calls succeeds"
	rep_long=$kib
	diag "replaying $LONG calls took $(($(date +%s) - start)) s"
	is "$(cat "$T/rep-long.out")" "$(cat "$T/rec-long.out")" \
	    "the replay of $LONG calls prints what the recording did"
	flat dios-replay "$rep_short" "$rep_long"
fi

done_testing
