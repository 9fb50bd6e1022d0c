# lib.sh: helpers for the shell tests of dios, sourced by tests/*.sh.
#
# Output is TAP (read by build-aux/tap-driver.sh under `make check`):
#	ok DESC COND...		a test(1) check: ok "a is b" "$a" = b
#	is GOT WANT DESC	string equality, with a diagnostic on failure
#	same_file GOT WANT DESC	file equality, with a diff on failure
#	skip DESC REASON	a test that cannot run here (counts as passed)
#	diag MSG...		"# MSG" lines
#	done_testing		prints the plan; exits 0 when everything passed, else 1
#	skip_all REASON		nothing can run here: exit 77 (skip)
#	bail_out REASON		the harness itself failed: exit 99
# and the record/replay harness:
#	tmpdir			makes $T, removed at exit
#	require_tracing		skip_all unless dios-record can trace here
#	snapshot DIR...		names, types, modes, sizes, mtimes and SHA-256 of a tree
#	peak_rss SECS TAG CMD...	CMD's status and peak RSS (tests/progs/maxrss)
#	rr_case [OPTION]... NAME SETUP PROG [ARG]...
#				record PROG, replay it, and compare (see below)
#
# The scripts find the build through $top_builddir and $top_srcdir, which
# `make check` exports; run by hand they default to the directory above
# this one.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
DIOS_RECORD=$top_builddir/dios-record
DIOS_REPLAY=$top_builddir/dios-replay
PROGS=$top_builddir/tests/progs
# The TAP driver reads a skip from the "1..0 # SKIP" plan and counts any
# other exit status than 0 as an error; tests/local.mk sets this to 0.
: "${DIOS_SKIP_STATUS:=77}"
: "${ZSTD:=$(command -v zstd 2>/dev/null)}"
: "${STRACE:=$(command -v strace 2>/dev/null)}"
export LC_ALL=C
# A crashing program must not leave a core file in the directories compared
# (the soft limit: tests/progs/limits raises it to dump a core on purpose).
ulimit -S -c 0 2>/dev/null || :

tap_run=0
tap_failed=0
tap_started=$(date +%s)

ok()
{
	local desc
	desc=$1
	shift
	tap_run=$((tap_run + 1))
	if [ "$@" ]; then
		echo "ok $tap_run - $desc"
		return 0
	fi
	echo "not ok $tap_run - $desc"
	tap_failed=$((tap_failed + 1))
	return 1
}

diag()
{
	printf '%s\n' "$@" | sed 's/^/# /'
}

# diag_file FILE [MAX]: the first MAX (40) lines of FILE as diagnostics.
diag_file()
{
	[ -f "$1" ] || return 0
	head -n "${2:-40}" "$1" | sed 's/^/#   /'
}

is()
{
	if ok "$3" "$1" = "$2"; then
		return 0
	fi
	diag "got:      '$1'" "expected: '$2'"
	return 1
}

same_file()
{
	if cmp -s "$1" "$2"; then
		ok "$3" 1 = 1
		return 0
	fi
	ok "$3" 1 = 0
	diff -u "$2" "$1" | head -n 40 | sed 's/^/#   /'
	return 1
}

skip()
{
	tap_run=$((tap_run + 1))
	echo "ok $tap_run - $1 # SKIP $2"
}

done_testing()
{
	echo "1..$tap_run"
	diag "took $(($(date +%s) - tap_started)) s"
	[ "$tap_failed" -eq 0 ] || diag "$tap_failed of $tap_run tests failed"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

skip_all()
{
	echo "1..0 # SKIP $*"
	exit "$DIOS_SKIP_STATUS"
}

bail_out()
{
	echo "Bail out! $*"
	exit 99
}

# tmpdir: a fresh directory $T under ${TMPDIR:-/tmp}, removed at exit
# (kept when DIOS_KEEP_TMP is set, for debugging).
tmpdir()
{
	T=$(mktemp -d "${TMPDIR:-/tmp}/dios-test.XXXXXX") || bail_out "cannot make a temporary directory"
	if [ -n "${DIOS_KEEP_TMP:-}" ]; then
		trap 'echo "# kept $T"' EXIT
	else
		trap 'rm -rf "$T"' EXIT
	fi
	trap 'exit 99' HUP INT TERM
}

# run_to SECONDS CMD...: CMD, killed when it runs longer (status 124).
if command -v timeout >/dev/null 2>&1; then
	run_to() { local s=$1; shift; timeout -k 10 "$s" "$@"; }
else
	run_to() { shift; "$@"; }
fi

# peak_rss SECONDS TAG CMD...: runs CMD in $T under tests/progs/maxrss
# (within SECONDS); sets $st to its status and $kib to its peak RSS in
# KiB; its stdout (without maxrss's figure) in $T/TAG.out, its stderr in
# $T/TAG.err.
peak_rss()
{
	local secs=$1 tag=$2
	shift 2
	(cd "$T" && run_to "$secs" "$PROGS/maxrss" "$@") </dev/null >"$T/$tag.out" 2>"$T/$tag.err"
	st=$?
	kib=$(tail -n 1 "$T/$tag.out")
	case $kib in
	''|*[!0-9]*)
		diag_file "$T/$tag.err"
		bail_out "no peak RSS for $*"
		;;
	esac
	sed -i '$d' "$T/$tag.out"
}

require_built()
{
	for f in "$DIOS_RECORD" "$DIOS_REPLAY" "$@"; do
		[ -x "$f" ] || bail_out "$f is not built (run make check)"
	done
}

# require_tracing: skip the whole script when ptrace or seccomp cannot be
# used here (dios-record says so with status 125 and "not permitted").
require_tracing()
{
	local d st
	require_built
	d=$(mktemp -d "${TMPDIR:-/tmp}/dios-probe.XXXXXX") || bail_out "cannot make a temporary directory"
	(cd "$d" && run_to 60 "$DIOS_RECORD" -q -o "$d/probe.json.zst" -- /bin/true) </dev/null >"$d/out" 2>"$d/err"
	st=$?
	if [ "$st" -eq 125 ] && grep -q "not permitted" "$d/err"; then
		local why
		why=$(head -n 1 "$d/err")
		rm -rf "$d"
		skip_all "dios-record cannot trace here: $why"
	fi
	if [ "$st" -ne 0 ]; then
		diag "dios-record /bin/true exited with status $st:"
		diag_file "$d/err"
		rm -rf "$d"
		bail_out "dios-record cannot record /bin/true (status $st)"
	fi
	rm -rf "$d"
}

# snapshot DIR...: one line per entry under each DIR: type, mode, size,
# modification time and path, then the SHA-256 of every regular file.
# With SNAPSHOT_DIR_MTIME=0, directories are listed without their times
# (a file created and removed again then goes unseen).
snapshot()
{
	local d
	for d in "$@"; do
		(cd "$d" && if [ "${SNAPSHOT_DIR_MTIME:-1}" = 0 ]; then
			find . -type d -printf '%y %m %p\n' -o -printf '%y %m %s %T@ %p -> %l\n'
		else
			find . -printf '%y %m %s %T@ %p -> %l\n'
		fi | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
	done
}

# strip_dios NAME: stdin without the messages of dios command NAME: lines
# starting with "NAME: " and the indented lines following them.
strip_dios()
{
	awk -v p="$1: " 'index($0, p) == 1 { cont = 1; next }
	    cont && /^  / { next }
	    { cont = 0; print }'
}

# quote STRING: STRING quoted for eval.
quote()
{
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# subst_args DIR ARG...: the ARGs with @DIR@ replaced by DIR, quoted for
# eval "set -- ...".
subst_args()
{
	local dir=$1 a pre out=
	shift
	for a in "$@"; do
		pre=
		while :; do
			case $a in
			*@DIR@*)
				pre=$pre${a%%@DIR@*}$dir
				a=${a#*@DIR@}
				;;
			*)
				break
				;;
			esac
		done
		out="$out $(quote "$pre$a")"
	done
	printf '%s' "$out"
}

# Helpers of the dios-trace tests (trace-tool.sh, diff-traces.sh); a test
# may define its own of the same name after sourcing this file.
# run NAME CMD...: runs CMD (60 s at most) with stdout in $T/NAME.o, stderr
# in $T/NAME.e and its status in $st.
run()
{
	local n=$1
	shift
	run_to 60 "$@" >"$T/$n.o" 2>"$T/$n.e" </dev/null
	st=$?
}

# has NAME FILE REGEX: a test that a line of FILE matches REGEX.
has()
{
	if ! ok "$1" -n "$(grep -E -e "$3" "$2" | head -n 1)"; then
		diag "no line matches /$3/ in:"
		diag_file "$2"
	fi
}

# events TRACE [JQ-FILTER]: the number of event lines (matching the filter).
events()
{
	"$ZSTD" -q -dc "$1" | "$JQ" -c "select(.seq != null)${2:+ | select($2)}" | wc -l | tr -d ' '
}

# rr_case [OPTION]... NAME SETUP PROG [ARG]...
#
# Runs PROG natively, then records it with dios-record and replays the trace
# with dios-replay, and checks that
#   - the recorded run exits with the native run's status;
#   - a trace was written and the program printed something;
#   - the replay exits with the recorded status,
#   - prints the same stdout and the same stderr (dios's own lines, which
#     start with "dios-record: " or "dios-replay: ", left out),
#   - and creates, removes and changes no file (a snapshot of the program's
#     directory and of the trace's before and after the replay).
# Each run happens in its own directory, made by running the shell code
# SETUP in it; the files SETUP creates are the inputs, deleted before the
# replay (which must not need them).  "@DIR@" in an argument stands for
# that directory.  Options:
#   --record-prefix CMD, --replay-prefix CMD  run dios-record / dios-replay
#       under CMD (split at blanks; e.g. "taskset -c 0")
#   --same-as-native  also check that the recorded stdout is the native one
#       (for programs whose output does not depend on time, pids or paths)
#   --status N  also check that the native run exits with status N (the
#       program's own distinctive status: it ran to its end)
#   --before-replay CODE  shell code run (in this shell) after the recording
#       and before the replay, e.g. to stop a server the program talked to
#   --fresh  replay in an empty directory: what the recorded run made is
#       gone too, not only the inputs
#   --replays N  replay N times (default 1), each checked as above: a replay
#       must not depend on what an earlier one left behind
#   --twice  the same as --replays 2
rr_case()
{
	local name setup c st_native st_rec st_rep rec_prefix= rep_prefix= same= want= before=
	local replays=1 i=1 nth= fresh=
	while :; do
		case $1 in
		--replays) replays=$2; shift 2 ;;
		--before-replay) before=$2; shift 2 ;;
		--fresh) fresh=1; shift ;;
		--twice) replays=2; shift ;;
		--record-prefix) rec_prefix=$2; shift 2 ;;
		--replay-prefix) rep_prefix=$2; shift 2 ;;
		--same-as-native) same=1; shift ;;
		--status) want=$2; shift 2 ;;
		-*) bail_out "rr_case: unknown option $1" ;;
		*) break ;;
		esac
	done
	name=$1 setup=$2
	shift 2
	c=$T/$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_')
	mkdir -p "$c/native" "$c/work" "$c/trace" "$c/out" || bail_out "cannot make $c"
	(cd "$c/native" && eval "$setup") || bail_out "$name: the setup failed: $setup"
	(cd "$c/work" && eval "$setup") || bail_out "$name: the setup failed: $setup"
	(cd "$c/work" && find . -mindepth 1 ! -type d -print0) >"$c/out/inputs"

	(cd "$c/native" && eval "set -- $(subst_args "$c/native" "$@")" && run_to 60 "$@") \
	    </dev/null >"$c/out/native.out" 2>"$c/out/native.err"
	st_native=$?
	if [ -n "$want" ] && ! is "$st_native" "$want" "$name: the native run exits $want"; then
		diag "its stderr:"
		diag_file "$c/out/native.err"
	fi
	(cd "$c/work" && eval "set -- $(subst_args "$c/work" "$@")" &&
	    run_to 120 $rec_prefix "$DIOS_RECORD" -o "$c/trace/trace.json.zst" -- "$@") \
	    </dev/null >"$c/out/record.out" 2>"$c/out/record.all"
	st_rec=$?
	strip_dios dios-record <"$c/out/record.all" >"$c/out/record.err"
	if ! is "$st_rec" "$st_native" "$name: the recorded run exits like the native one ($st_native)"; then
		diag "dios-record's stderr:"
		diag_file "$c/out/record.all"
	fi
	ok "$name: the recording wrote a trace and the program printed something" \
	    -s "$c/trace/trace.json.zst" -a -s "$c/out/record.out"
	if [ -n "$same" ]; then
		same_file "$c/out/record.out" "$c/out/native.out" "$name: the recorded run prints what the native one does"
	fi

	(cd "$c/work" && xargs -0 -r rm -f <"$c/out/inputs")
	[ -z "$fresh" ] || (cd "$c/work" && find . -mindepth 1 -delete)
	[ -z "$before" ] || eval "$before" || bail_out "$name: the code before the replay failed: $before"
	while [ "$i" -le "$replays" ]; do
		[ "$replays" -eq 1 ] || nth=" $i"
		snapshot "$c/work" "$c/trace" >"$c/out/before"
		(cd "$c/work" && run_to 120 $rep_prefix "$DIOS_REPLAY" "$c/trace/trace.json.zst") \
		    </dev/null >"$c/out/replay.out" 2>"$c/out/replay.all"
		st_rep=$?
		strip_dios dios-replay <"$c/out/replay.all" >"$c/out/replay.err"
		snapshot "$c/work" "$c/trace" >"$c/out/after"
		if ! is "$st_rep" "$st_rec" "$name: the replay$nth exits with the recorded status"; then
			diag "dios-replay's stderr:"
			diag_file "$c/out/replay.all"
		fi
		same_file "$c/out/replay.out" "$c/out/record.out" "$name: the replay$nth prints the recorded stdout"
		same_file "$c/out/replay.err" "$c/out/record.err" "$name: the replay$nth prints the recorded stderr"
		same_file "$c/out/after" "$c/out/before" "$name: the replay$nth created, removed and changed no file"
		i=$((i + 1))
	done
	[ -n "${DIOS_KEEP_TMP:-}" ] || rm -rf "$c"
}
