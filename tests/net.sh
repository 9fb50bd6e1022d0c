#!/bin/sh
# net.sh: pipes, readiness and event descriptors, and sockets: record a
# program, replay it with its inputs deleted (and, where it talked to
# another process, with that process gone and no network at all), and
# compare (rr_case in lib.sh).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/pipes" "$PROGS/inet" "$PROGS/scmrights" "$PROGS/tcpserver" \
    "$PROGS/tcpclient" "$PROGS/blocker"
require_tracing
tmpdir

# Within one process.
rr_case --status 10 pipes : "$PROGS/pipes"
rr_case --status 11 udp-tcp-inet4 : "$PROGS/inet" 4
"$PROGS/inet" 6 >/dev/null 2>&1
if [ $? -eq 77 ]; then
	skip "udp-tcp-inet6" "no ::1 on this machine"
else
	rr_case --status 11 udp-tcp-inet6 : "$PROGS/inet" 6
fi
# The file is an input: deleted before the replay, which reads it through
# the descriptor received with SCM_RIGHTS all the same.
rr_case --status 12 scm-rights "printf 'secret contents\n' >secret.txt" "$PROGS/scmrights" @DIR@

# Without a network: replays inside a new network namespace, where no
# socket reaches anything.  Root may make one; others skip these variants.
if command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
	nonet="unshare -n"
else
	nonet=
fi
if [ -n "$nonet" ]; then
	rr_case --status 11 --replay-prefix "$nonet" udp-tcp-inet4-no-network : "$PROGS/inet" 4
else
	skip "udp-tcp-inet4-no-network" "unshare -n is not permitted here"
fi

# A client of an outside server: the server (not recorded) runs for the
# native and the recorded runs and is stopped before the replay.
server_pid=
start_server()
{
	rm -f "$T/port"
	"$PROGS/tcpserver" "$T/port" </dev/null >/dev/null 2>"$T/server.err" &
	server_pid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$T/port" ] || bail_out "tcpserver did not start: $(cat "$T/server.err")"
	port=$(cat "$T/port")
}
stop_server()
{
	[ -z "$server_pid" ] && return 0
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=
	return 0
}
trap 'stop_server; [ -n "${DIOS_KEEP_TMP:-}" ] || rm -rf "$T"' EXIT

start_server
rr_case --status 13 --before-replay stop_server tcp-client : "$PROGS/tcpclient" "$port"
ok "tcp-client: the server was stopped before the replay" -z "$server_pid"
if [ -n "$nonet" ]; then
	start_server
	rr_case --status 13 --before-replay stop_server --replay-prefix "$nonet" \
	    tcp-client-no-network : "$PROGS/tcpclient" "$port"
	# A real program's name lookup: /etc/hosts, nsswitch.conf, netlink.
	rr_case --status 0 --replay-prefix "$nonet" getent-localhost : getent ahosts localhost
else
	skip "tcp-client-no-network" "unshare -n is not permitted here"
	rr_case --status 0 getent-localhost : getent ahosts localhost
fi

# Blocking calls interrupted by a signal from outside: recorded with the
# kernel's restart code and the signal, replayed with the same EINTR.
c=$T/blocker
mkdir -p "$c" || bail_out "cannot make $c"
(cd "$c" && run_to 120 "$DIOS_RECORD" -q -o "$c/trace.json.zst" -- "$PROGS/blocker") \
    </dev/null >"$c/record.out" 2>"$c/record.err" &
rec_pid=$!
for call in poll accept recv epoll_wait; do
	i=0
	while ! grep -q "^waiting in $call\$" "$c/record.out" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	pid=$(sed -n 's/^pid //p' "$c/record.out")
	sleep 0.5	# into the call
	[ -n "$pid" ] && kill -USR1 "$pid"
done
wait "$rec_pid"
is "$?" 14 "blocker: the recording exits 14"
is "$(grep -c -- '= -1 EINTR$' "$c/record.out")" 4 "blocker: poll, accept, recv and epoll_wait were interrupted (EINTR)"
is "$(grep -c -- '= -1 EAGAIN$' "$c/record.out")" 2 "blocker: accept and recv without waiting fail with EAGAIN"
(cd "$c" && run_to 120 "$DIOS_REPLAY" "$c/trace.json.zst") </dev/null >"$c/replay.out" 2>"$c/replay.err"
if ! is "$?" 14 "blocker: the replay exits 14"; then
	diag_file "$c/replay.err"
fi
same_file "$c/replay.out" "$c/record.out" "blocker: the replay prints the recorded stdout"

done_testing
