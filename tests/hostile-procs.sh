#!/bin/sh
# hostile-procs.sh: replay is a sandbox for the host's processes (issue 10,
# items 1 and 4).  Traces of tests/progs/hostile are edited to name other
# processes in kill, tkill, tgkill, rt_sigqueueinfo and wait4: a victim
# process must survive every replay.  Honest traces that kill their own
# children, process groups and everything (-1, in a pid namespace) replay as
# recorded.  And no task outlives dios: a clone(CLONE_UNTRACED) child, a
# daemon, a tree whose dios gets SIGTERM, SIGINT or SIGHUP (once, or twice
# when the program ignores it), a replay that diverges.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

H=$PROGS/hostile
require_built "$H"
require_tracing
if [ -z "$ZSTD" ] || ! command -v jq >/dev/null 2>&1; then
	skip_all "no zstd or jq program"
fi
tmpdir
victims=
trap 'for v in $victims; do kill -KILL "$v" 2>/dev/null; done; [ -n "${DIOS_KEEP_TMP:-}" ] && echo "# kept $T" || rm -rf "$T"' EXIT

# victim [setsid]: starts a process that sleeps, $V its pid (in a process
# group of its own with "setsid").
victim()
{
	if [ "${1:-}" = setsid ]; then
		setsid sleep 1000 &
	else
		sleep 1000 &
	fi
	V=$!
	victims="$victims $V"
}

# survived PID: was the victim still alive?  It is ended now, by SIGTERM:
# its status says whether that ended it (143) or an earlier SIGKILL did.
survived()
{
	local s
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	s=$?
	victims=$(echo " $victims " | sed "s/ $1 / /")
	[ "$s" -eq 143 ]
}

# record NAME ARG...: records the hostile program into $T/NAME.json.zst.
record()
{
	local name=$1
	shift
	(cd "$T" && run_to 60 "$DIOS_RECORD" -q -f $RECORD_OPTS -o "$name.json.zst" -- "$H" "$@") \
	    </dev/null >"$T/$name.rec.out" 2>"$T/$name.rec.err" ||
	    bail_out "recording $name failed: $(head -n 1 "$T/$name.rec.err")"
}

# edit IN OUT JQ-ARG...: the trace IN, each line passed through jq -c.
edit()
{
	local in=$1 out=$2
	shift 2
	"$ZSTD" -dcq "$T/$in.json.zst" | jq -c "$@" | "$ZSTD" -q >"$T/$out.json.zst" ||
	    bail_out "editing $in into $out failed"
}

# replay NAME [OPTION]...: replays $T/NAME.json.zst; $st its status.
replay()
{
	local name=$1
	shift
	(cd "$T" && run_to 60 "$DIOS_REPLAY" "$@" "$name.json.zst") \
	    </dev/null >"$T/$name.out" 2>"$T/$name.err"
	st=$?
}

# procs_with MARK: how many processes have MARK in their command line
# (a zombie has none).
procs_with()
{
	local n=0 f c
	for f in /proc/[0-9]*/cmdline; do
		c=$(tr '\0' ' ' <"$f" 2>/dev/null) || continue
		case $c in *"$1"*) n=$((n + 1)) ;; esac
	done
	echo "$n"
}

# wait_procs MARK N: waits up to 20 s until N processes have MARK in their
# command line.
wait_procs()
{
	local i=0
	while [ $i -lt 200 ]; do
		[ "$(procs_with "$1")" -eq "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# gone PID SECONDS: waits up to SECONDS for child PID to end (a zombie has).
gone()
{
	local i=0 s
	while [ $i -lt $(($2 * 10)) ]; do
		s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
		[ -z "$s" ] || [ "$s" = Z ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_for FILE TEXT: waits up to 20 s for TEXT in FILE.
wait_for()
{
	local i=0
	while [ $i -lt 200 ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# --- Item 1: a real signal only ever goes to a task of the replayed tree.

# kill(PID, SIGKILL), tkill and tgkill naming the victim: the recording
# signalled this shell with 0; the edits name the victim with SIGKILL.
record kill kill $$ 0
victim
edit kill kill-victim --argjson p "$V" \
    'if .format then .argv[2] = ($p|tostring) | .argv[3] = "9" elif .sys == "kill" then .args.pid = $p | .args.sig = 9 else . end'
replay kill-victim
is "$st" 0 "kill(victim, SIGKILL) in an edited trace: answered from the trace"
grep -q '^kill = 0$' "$T/kill-victim.out"
ok "kill(victim, SIGKILL): the program sees the recorded result" $? -eq 0
survived "$V"
ok "kill(victim, SIGKILL): the victim lives" $? -eq 0

record tkill tkill $$ 0
victim
edit tkill tkill-victim --argjson p "$V" \
    'if .format then .argv[2] = ($p|tostring) | .argv[3] = "9" elif .sys == "tkill" then .args.tid = $p | .args.sig = 9 else . end'
replay tkill-victim
is "$st" 0 "tkill(victim, SIGKILL) in an edited trace: answered from the trace"
survived "$V"
ok "tkill(victim, SIGKILL): the victim lives" $? -eq 0

record tgkill tgkill $$ $$ 0
victim
edit tgkill tgkill-victim --argjson p "$V" \
    'if .format then .argv[2] = ($p|tostring) | .argv[3] = ($p|tostring) | .argv[4] = "9"
     elif .sys == "tgkill" then .args.tgid = $p | .args.tid = $p | .args.sig = 9 else . end'
replay tgkill-victim
is "$st" 0 "tgkill(victim, victim, SIGKILL) in an edited trace: answered from the trace"
survived "$V"
ok "tgkill(victim, victim, SIGKILL): the victim lives" $? -eq 0

# A process group: the victim leads its own; kill(-PGID) names it.
victim setsid
i=0
while [ $i -lt 50 ]; do
	pg=$(sed 's/.*) //' "/proc/$V/stat" 2>/dev/null | cut -d' ' -f3)
	[ "$pg" = "$V" ] && break
	sleep 0.1
	i=$((i + 1))
done
if [ "$pg" = "$V" ]; then
	edit kill kill-group --argjson p "$V" \
	    'if .format then .argv[2] = ("-" + ($p|tostring)) | .argv[3] = "9" elif .sys == "kill" then .args.pid = -$p | .args.sig = 9 else . end'
	replay kill-group
	is "$st" 0 "kill(-PGID of the victim, SIGKILL): answered from the trace"
	survived "$V"
	ok "kill(-PGID of the victim, SIGKILL): the victim lives" $? -eq 0
else
	survived "$V"
	skip "kill(-PGID of the victim)" "setsid did not make a process group"
fi

# kill(0): the caller's group.  The replay runs in a session of its own with
# a victim in its process group, which the real kill(0) would hit (with the
# shell that started it); in the recording's terms the group holds the
# program alone, which dies of it while the edited trace goes on.
edit kill kill-zero \
    'if .format then .argv[2] = "0" | .argv[3] = "9" elif .sys == "kill" then .args.pid = 0 | .args.sig = 9 else . end'
rm -f "$T/zero.st" "$T/zero.vst"
(cd "$T" && setsid -w sh -c 'sleep 1000 & v=$!
	"$1" -q kill-zero.json.zst >kill-zero.out 2>kill-zero.err </dev/null; echo $? >zero.st
	kill -TERM $v; wait $v; echo $? >zero.vst' sh "$DIOS_REPLAY")
is "$(cat "$T/zero.st" 2>/dev/null)" 120 "kill(0, SIGKILL): the program alone dies (a divergence: the trace goes on)"
is "$(cat "$T/zero.vst" 2>/dev/null)" 143 "kill(0, SIGKILL): the replay's process group lives"

# kill(-1): everything the caller may signal.  Only in a pid namespace (with
# its own /proc, which dios reads), where nothing else could be hit if this
# went wrong.
pidns="unshare -pf --mount-proc"
if command -v unshare >/dev/null 2>&1 && $pidns true 2>/dev/null; then
	edit kill kill-all \
	    'if .format then .argv[2] = "-1" | .argv[3] = "9" elif .sys == "kill" then .args.pid = -1 | .args.sig = 9 else . end'
	rm -f "$T/all.st" "$T/all.vst"
	(cd "$T" && $pidns sh -c 'sleep 1000 & v=$!
		"$1" -q kill-all.json.zst >kill-all.out 2>kill-all.err </dev/null; echo $? >all.st
		kill -TERM $v; wait $v; echo $? >all.vst' sh "$DIOS_REPLAY")
	is "$(cat "$T/all.st" 2>/dev/null)" 0 "kill(-1, SIGKILL) in an edited trace: answered from the trace"
	is "$(cat "$T/all.vst" 2>/dev/null)" 143 "kill(-1, SIGKILL): the other processes live"

	# An honest kill(-1) recorded in a pid namespace (dios-record is its
	# init, which kill(-1) spares) kills the program's child, in replay too.
	(cd "$T" && run_to 60 $pidns "$DIOS_RECORD" -q -f -o killall.json.zst -- "$H" killall) \
	    </dev/null >"$T/killall.rec.out" 2>"$T/killall.rec.err"
	is "$?" 0 "killall: recorded in a pid namespace"
	(cd "$T" && run_to 60 $pidns "$DIOS_REPLAY" killall.json.zst) \
	    </dev/null >"$T/killall.out" 2>"$T/killall.err"
	is "$?" 0 "killall: the replay ends as recorded"
	same_file "$T/killall.out" "$T/killall.rec.out" "killall: the child is killed by kill(-1) in replay too"
else
	skip "kill(-1) in a pid namespace" "$pidns is not permitted here"
fi

# rt_sigqueueinfo has a row: replay answers it from the trace and never
# runs it, whatever process the event names.
record sigqueue sigqueue $$ 0
victim
edit sigqueue sigqueue-victim --argjson p "$V" \
    'if .format then .argv[2] = ($p|tostring) | .argv[3] = "9" elif .sys == "rt_sigqueueinfo" then .args.tgid = $p | .args.sig = 9 else . end'
replay sigqueue-victim
is "$st" 0 "rt_sigqueueinfo(victim, SIGKILL) in an edited trace: answered from the trace"
survived "$V"
ok "rt_sigqueueinfo(victim, SIGKILL): the victim lives" $? -eq 0
# An event marked unknown is never run, and a replay stops at it.
edit sigqueue-victim sigqueue-unknown 'if .sys == "rt_sigqueueinfo" then .unknown = true else . end'
replay sigqueue-unknown
is "$st" 125 "rt_sigqueueinfo marked unknown: the replay stops there"
survived "$V"
ok "rt_sigqueueinfo marked unknown: the victim lives" $? -eq 0

# wait4: the recording's wait4 of this shell failed (ECHILD); the edit makes
# it reap the victim.
record wait wait $$
victim
edit wait wait-victim --argjson p "$V" \
    'if .format then .argv[2] = ($p|tostring) elif .sys == "wait4" then .args.pid = $p | del(.err) | .ret = $p else . end'
replay wait-victim
is "$st" 125 "wait4 reaping the victim in an edited trace: refused"
grep -q 'no child this replay started' "$T/wait-victim.err"
ok "wait4 reaping the victim: the message says why" $? -eq 0 || diag_file "$T/wait-victim.err"
survived "$V"
ok "wait4 reaping the victim: the victim lives" $? -eq 0

# Honest traces: SIGKILL of the program's own tasks, blocked in pause()
# (which runs for real in replay), by pid and by process group.
rr_case --status 0 killchild : "$H" killchild
rr_case --status 0 killgroup-parent : "$H" killgroup parent
rr_case --status 0 killgroup-self : "$H" killgroup self

# --- Item 4: no task leaves dios's control, none outlives dios.

# clone(CLONE_UNTRACED): the child is traced all the same.
M=dios-hostile-untraced-$$
record untraced untraced 2 "$M"
is "$(procs_with "$M")" 0 "untraced: after dios-record, no process of the tree is left"
"$ZSTD" -dcq "$T/untraced.json.zst" | jq -e 'select(.sys == "clone") | .args.flags' >"$T/flags" 2>&1
is "$(cat "$T/flags")" 8388625 "untraced: the trace has the flags the program passed"
"$ZSTD" -dcq "$T/untraced.json.zst" | jq -r 'select(.event == "exit") | .tid' | sort -u | wc -l >"$T/n"
is "$(tr -d ' ' <"$T/n")" 2 "untraced: the child's events are in the trace"
replay untraced
is "$st" 0 "untraced: the replay ends as recorded"
same_file "$T/untraced.out" "$T/untraced.rec.out" "untraced: the replay prints what the recording did"
is "$(procs_with "$M")" 0 "untraced: after dios-replay, no process of the tree is left"

# A daemon (fork, setsid, fork) left sleeping when the program ends; dios
# gets a fatal signal.  SIGINT too, sent to dios alone: a background job
# starts with SIGINT ignored (and dios leaves ignored signals so), which
# env --default-signal undoes.
sigs="TERM HUP" dflt=
if env --default-signal=INT true 2>/dev/null; then
	sigs="$sigs INT" dflt="env --default-signal=INT"
else
	skip "daemon, SIGINT to dios-record" "no env --default-signal"
fi
for sig in $sigs; do
	M=dios-hostile-daemon-$sig-$$
	(cd "$T" && exec $dflt "$DIOS_RECORD" -q -f -o "daemon-$sig.json.zst" \
	    -- "$H" daemon 60 "$M") </dev/null >"$T/daemon-$sig.rec.out" 2>"$T/daemon-$sig.rec.err" &
	rec=$!
	# the program has ended, the daemon sleeps (and dios-record has the
	# mark in its command line too)
	wait_for "$T/daemon-$sig.rec.out" started && wait_procs "$M" 2 ||
	    diag "daemon-$sig: the program did not start, or did not end"
	kill -"$sig" "$rec"
	if gone "$rec" 10; then
		wait "$rec"
		is "$?" 0 "daemon, SIG$sig to dios-record: it ends with the program's status"
		is "$(procs_with "$M")" 0 "daemon, SIG$sig to dios-record: no process of the tree is left"
	else
		ok "daemon, SIG$sig to dios-record: it ends" 1 -eq 0
		kill -KILL "$rec"
		wait "$rec"
	fi
done
# The recording ends with the daemon's death by SIGKILL, which the replay
# makes as the order reaches it (the daemon sleeps on a futex: no stop).
replay daemon-TERM
is "$st" 0 "daemon: the replay of the interrupted recording ends as recorded"
is "$(procs_with dios-hostile-daemon-TERM-$$)" 0 "daemon: after the replay, no process of the tree is left"

# The program ignores SIGTERM: dios waits for it; a second SIGTERM kills
# the tree.
M=dios-hostile-ignoreterm-$$
(cd "$T" && exec "$DIOS_RECORD" -q -f -o ignoreterm.json.zst -- "$H" ignoreterm 60 "$M") \
    </dev/null >"$T/ignoreterm.rec.out" 2>"$T/ignoreterm.rec.err" &
rec=$!
wait_for "$T/ignoreterm.rec.out" started || diag "ignoreterm: the program did not start"
kill -TERM "$rec"
gone "$rec" 2
ok "ignoreterm: one SIGTERM, which the program ignores, does not end dios-record" $? -ne 0
kill -TERM "$rec"
if gone "$rec" 10; then
	wait "$rec"
	is "$?" 137 "ignoreterm: a second SIGTERM kills the program (SIGKILL)"
	is "$(procs_with "$M")" 0 "ignoreterm: no process of the tree is left"
else
	ok "ignoreterm: a second SIGTERM ends dios-record" 1 -eq 0
	kill -KILL "$rec"
	wait "$rec"
fi

# dios-replay gets SIGTERM while the daemon sleeps (60 s instead of the
# recorded 1: the edited command line).
M=dios-hostile-rdaemon-$$
# (--no-serial: the daemon's futex sleep stays out of dios's view, so the
# replay's sleeps for real; with it, the timed-out wait is answered at once)
RECORD_OPTS=--no-serial record rdaemon daemon 1 "$M"
edit rdaemon rdaemon-long 'if .format then .argv[2] = "60" else . end'
(cd "$T" && exec "$DIOS_REPLAY" rdaemon-long.json.zst) </dev/null >"$T/rdaemon.out" 2>"$T/rdaemon.err" &
rep=$!
wait_for "$T/rdaemon.out" started && wait_procs "$M" 1 ||
    diag "rdaemon: the program did not start, or did not end"
kill -TERM "$rep"
if gone "$rep" 10; then
	wait "$rep"
	is "$?" 143 "daemon, SIGTERM to dios-replay: the replay is cut short, dios-replay dies of SIGTERM (143)"
	grep -q 'interrupted by SIGTERM' "$T/rdaemon.err"
	ok "daemon, SIGTERM to dios-replay: it says so" $? -eq 0 || diag_file "$T/rdaemon.err"
	is "$(procs_with "$M")" 0 "daemon, SIGTERM to dios-replay: no process of the tree is left"
else
	ok "daemon, SIGTERM to dios-replay: it ends" 1 -eq 0
	kill -KILL "$rep"
	wait "$rep"
fi

# A replay that diverges while the daemon sleeps.
edit rdaemon-long rdaemon-diverge 'if .sys == "write" and .args.buf.text == "started\n" then .args.buf.text = "STARTED\n" else . end'
replay rdaemon-diverge
is "$st" 120 "daemon, divergence: the replay reports it"
is "$(procs_with "$M")" 0 "daemon, divergence: no process of the tree is left"

done_testing
