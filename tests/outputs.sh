#!/bin/sh
# outputs.sh: outputs the kernel writes behind a pointer in less common
# ways, each printed by tests/progs/outputs, recorded, and replayed twice
# with the inputs gone: the time left of an interrupted nanosleep,
# clock_nanosleep, select, pselect6 and ppoll; SIOCGIFCONF's interface list
# and the SIOCGIF* requests (loopback is always there); a pseudo-terminal
# pair from TIOCGPTPEER and openpty, whose peer descriptor replay must keep;
# F_GETLK and F_OFD_GETLK against a lock held by a child; a stdout that is
# a file, written at an offset and after an lseek (shown there again so).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/outputs"
require_tracing
tmpdir

rr_case --replays 2 --status 11 sleep : "$PROGS/outputs" sleep
rr_case --replays 2 --status 12 --same-as-native ifconf : "$PROGS/outputs" ifconf
if [ -c /dev/ptmx ] && "$PROGS/outputs" pty >/dev/null 2>&1 </dev/null; [ $? -eq 13 ]; then
	rr_case --replays 2 --status 13 --same-as-native pty : "$PROGS/outputs" pty
else
	skip "pty" "no pseudo-terminals here (/dev/ptmx)"
fi
rr_case --replays 2 --status 14 --same-as-native getlk "printf 'locked file\n' >lock.dat" \
    "$PROGS/outputs" getlk @DIR@
rr_case --replays 2 --status 15 --same-as-native seekout : "$PROGS/outputs" seekout

done_testing
