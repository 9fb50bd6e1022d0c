#!/bin/sh
# families.sh: record and replay one program per syscall family
# (tests/progs), and a few real programs; the replay must exit, print and
# leave the files exactly as the recording did (see rr_case in lib.sh).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built "$PROGS/settings" "$PROGS/fileops" "$PROGS/fdops" "$PROGS/direct" "$PROGS/clock" "$PROGS/random" \
    "$PROGS/identity" "$PROGS/mmap" "$PROGS/crash" "$PROGS/shmshare" "$PROGS/nsprog" "$PROGS/fanotify" "$PROGS/sigwait" "$PROGS/splicestd" "$PROGS/limits" "$PROGS/siginfo" "$PROGS/threadend" "$PROGS/posixtimer" "$PROGS/shmname" "$PROGS/mapchange" "$PROGS/mapwrite" "$PROGS/robust" "$PROGS/contwake"
require_tracing
tmpdir

DATA='0123456789abcdefghijklmnopqrstuvwxyz'
# The programs of tests/progs, one per family of syscalls.def.
rr_case --status 3 fileops "printf 'hello from the input file\n' >input.txt" "$PROGS/fileops" @DIR@
rr_case --status 4 fdops "printf '$DATA\n' >data.txt" "$PROGS/fdops" @DIR@
# reads dios-record does itself: the program must see exactly what it would
rr_case --same-as-native --status 7 direct \
    "printf 'abcdefghijklmnopqrstuvwxyz\n' >a.txt; printf 'second file\n' >b.txt" "$PROGS/direct" @DIR@
rr_case --status 5 clock : "$PROGS/clock"
rr_case --status 6 random : "$PROGS/random"
rr_case --status 8 mmap : "$PROGS/mmap"
# capabilities, prctl, priorities, memfd, inotify, xattrs, SysV IPC, and
# numbers no kernel implements (the rows of issue 15)
rr_case --status 9 settings : "$PROGS/settings" @DIR@
# The CPU affinity the program set itself is what it is shown when recording
# (dios-record showed the mask of the start over it), as natively.
mkdir -p "$T/aff/native" "$T/aff/rec" || bail_out "cannot make $T/aff"
"$PROGS/settings" "$T/aff/native" </dev/null 2>/dev/null | grep -a -A1 '^sched_getaffinity' >"$T/aff/native.out"
run_to 60 "$DIOS_RECORD" -q -o "$T/aff/t.json.zst" -- "$PROGS/settings" "$T/aff/rec" </dev/null 2>/dev/null |
    grep -a -A1 '^sched_getaffinity' >"$T/aff/rec.out"
ok "settings: the affinity it set is shown" -s "$T/aff/native.out"
same_file "$T/aff/rec.out" "$T/aff/native.out" "settings: ... as natively when recording"
# Its mount failed (ENOENT) and replayed; edited to succeed, replay refuses
# it with one line naming the call, and mounts nothing.
if [ -n "$ZSTD" ] && command -v jq >/dev/null 2>&1; then
	c=$T/mounted
	mkdir -p "$c/work" || bail_out "cannot make $c"
	(cd "$c/work" && run_to 60 "$DIOS_RECORD" -q -o "$c/trace.json.zst" -- "$PROGS/settings" "$c/work") \
	    </dev/null >/dev/null 2>&1
	"$ZSTD" -dcq "$c/trace.json.zst" |
	    jq -c 'if .sys == "mount" then del(.err) | .ret = 0 else . end' |
	    "$ZSTD" -q >"$c/mounted.json.zst"
	(cd "$c/work" && run_to 60 "$DIOS_REPLAY" "$c/mounted.json.zst") \
	    </dev/null >/dev/null 2>"$c/mounted.err"
	is "$?" 125 "settings: a mount that succeeded is refused by replay (status 125)"
	grep -q 'the recording has a call of mount that succeeded, which replay cannot stand in for' \
	    "$c/mounted.err"
	ok "settings: ... with one line naming the call and why" $? -eq 0 || diag_file "$c/mounted.err"
	ok "settings: ... and nothing is mounted" ! -d "$c/work/no-such-dir"
else
	skip "settings: a mount that succeeded is refused" "needs zstd and jq"
fi

# Signals taken by sigwaitinfo and sigtimedwait, and seen by sigpending,
# with no delivery a stop shows: answered from the trace (a child's
# SIGCHLD, which replay's real child raises, taken for real).
rr_case --twice --status 16 sigwait : "$PROGS/sigwait"
# What SA_SIGINFO handlers read (sender, code, value, a child's status), and
# glibc's pthread_cancel and threaded setuid, which check it.
rr_case --twice --status 19 siginfo : "$PROGS/siginfo"
# A main thread that leaves with pthread_exit, and an exec by a thread
# that is not the main one.
rr_case --twice --status 20 threadend-leader : "$PROGS/threadend" leader
rr_case --twice --status 20 threadend-exec : "$PROGS/threadend" exec
rr_case --twice --status 20 threadend-mainexec : "$PROGS/threadend" mainexec
# exit_group while the other threads are in calls: those calls never
# returned when recording, so have no event; in replay they wait for the
# exit_group that ends them.
rr_case --replays 3 --status 20 threadend-groupexit : "$PROGS/threadend" groupexit
# Robust mutexes whose owner (a thread, a child) ended holding them.
rr_case --twice --status 25 robust : "$PROGS/robust"
# POSIX timers: a thread per expiry (SIGEV_THREAD), and a signal.
rr_case --twice --status 21 posixtimer : "$PROGS/posixtimer"
# Shared writable mappings of files whose names change (sem_open's link,
# SQLite's unlinked and remade WAL index).
rr_case --twice --status 22 shmname : "$PROGS/shmname" @DIR@
# Files there before the run, mapped, then replaced, removed or written
# through a shared mapping by the program: replayed with them gone.
rr_case --twice --status 23 mapchange "printf 'one..' >index; printf 'blob!' >object; printf '0....' >counter" \
    "$PROGS/mapchange" @DIR@
# Writes through descriptors to a file mapped shared (read-write, read
# only, a memfd) show in the mapping: replay makes them to its copy.
for m in file ro memfd; do
	rr_case --twice --status 25 "mapwrite-$m" : "$PROGS/mapwrite" @DIR@ "$m"
done
# A script run by a relative name, in a directory the shell changed to: its
# interpreter gets the name as given ($0), so replay changes directory too
# and execs it by that name (the script must be on the host, as an
# executable must).
rr_case --twice --status 0 --before-replay \
    "mkdir -p '$T/relexec/work/sub' && printf '#!/bin/sh\necho \"script \$0\"\n' >'$T/relexec/work/sub/s.sh' && chmod +x '$T/relexec/work/sub/s.sh'" \
    relexec "mkdir sub && printf '#!/bin/sh\necho \"script \$0\"\n' >sub/s.sh && chmod +x sub/s.sh" \
    sh -c 'cd sub && ./s.sh && cd .. && sub/s.sh'
# Scripts the program writes, runs, changes, runs again and removes (a
# generated configure, libtool's wrappers): replay runs their interpreter
# with the arguments the kernel gave it, the scripts being gone.
rr_case --twice madescript : \
    sh -c 'printf "#!/bin/sh\necho gen \$0 \$1\n" >gen.sh && chmod +x gen.sh && ./gen.sh one &&
	printf "#!/bin/sh -e\necho changed \$0 \$1\n" >gen.sh && ./gen.sh two && rm gen.sh'
# A symlink to an executable the program makes, runs and removes (a venv's
# bin/python): replay runs the executable the recording ran, by its path.
rr_case --twice madelink : \
    sh -c 'mkdir -p v/bin && ln -s "$(command -v cat)" v/bin/mycat && echo via >x && v/bin/mycat x && rm -r v x'
# A handled SIGCONT (and SIGUSR1) waking pselect: EINTR, not a restart.
rr_case --twice --status 24 contwake-cont : "$PROGS/contwake"
rr_case --twice --status 24 contwake-usr1 : "$PROGS/contwake" 10
# Limits the program sets: replay meets the descriptor and address-space
# limits as the recording did; a replayed crash dumps no core.
rr_case --status 18 limits : "$PROGS/limits"
c=$T/limits-core
mkdir -p "$c/rec" "$c/rep" || bail_out "cannot make $c"
(cd "$c/rec" && run_to 60 "$DIOS_RECORD" -q -o "$c/trace.json.zst" -- "$PROGS/limits") \
    </dev/null >"$c/record.out" 2>"$c/record.err"
is "$?" 18 "limits-core: recorded (status 18)"
(cd "$c/rep" && run_to 60 "$DIOS_REPLAY" "$c/trace.json.zst") </dev/null >"$c/replay.out" 2>"$c/replay.err"
is "$?" 18 "limits-core: replayed (status 18)"
same_file "$c/replay.out" "$c/record.out" "limits-core: the replay prints the recorded stdout"
if ls "$c/rec" | grep -q '^core'; then
	is "$(ls -A "$c/rep")" "" "limits-core: the recorded child dumped core, the replayed one wrote no file"
else
	skip "limits-core: a replayed crash writes no core file" \
	    "the recorded child dumped no core in its directory (core_pattern $(cat /proc/sys/kernel/core_pattern 2>/dev/null))"
fi
# Bytes spliced from a pipe to stdout are in no event: replay cannot show
# them again, and says so rather than print less in silence.
c=$T/splicestd
mkdir -p "$c" || bail_out "cannot make $c"
(cd "$c" && run_to 60 "$DIOS_RECORD" -q -o "$c/trace.json.zst" -- "$PROGS/splicestd") \
    </dev/null >"$c/record.out" 2>"$c/record.err"
is "$?" 17 "splicestd: recorded (status 17)"
(cd "$c" && run_to 60 "$DIOS_REPLAY" "$c/trace.json.zst") </dev/null >"$c/replay.out" 2>"$c/replay.err"
is "$?" 17 "splicestd: replayed (status 17)"
is "$(cat "$c/replay.out")" "written after the splice" "splicestd: replay shows what write wrote"
has "splicestd: replay says the spliced bytes are not shown" "$c/replay.err" \
    'warning: the program moved 13 bytes from a pipe to its stdout or stderr with splice or tee'
# Namespaces and capabilities: unshare, sethostname, setns, capset and a
# child that is pid 1 of a new pid namespace, as far as the kernel lets
# them run here (the program prints each result); replay answers them all.
rr_case --twice --status 14 nsprog : "$PROGS/nsprog"
# fanotify: each event read carries a descriptor the kernel opened, which
# replay must put in the table (the read's "newfds") for the close and the
# next open to be as recorded.  Where the kernel refuses fanotify (no
# CAP_SYS_ADMIN), the refusal replays and the rest is skipped.
rr_case --twice fanotify : "$PROGS/fanotify" @DIR@
c=$T/fan
mkdir -p "$c/w" || bail_out "cannot make $c"
(cd "$c" && run_to 60 "$DIOS_RECORD" -q -o "$c/trace.json.zst" -- "$PROGS/fanotify" "$c/w") \
    </dev/null >"$c/record.out" 2>"$c/record.err"
if grep -q '^event mask' "$c/record.out"; then
	ok "fanotify: the read's event lists the descriptor the kernel made" \
	    -n "$("$ZSTD" -dcq "$c/trace.json.zst" 2>/dev/null | grep '"sys":"read".*"newfds":{"fds":\[')"
else
	skip "fanotify: the read's event lists the descriptor the kernel made" "fanotify is refused here"
fi
# Memory a parent shares with its child, through anonymous MAP_SHARED
# memory, a memfd mapped shared and a System V segment (attached again in
# the child), then raced in with no lock: what the parent samples depends on
# the interleaving, which replay must repeat (the output check).  Twice each.
for m in anon memfd sysv; do
	rr_case --twice --status 12 "shmshare-$m" : "$PROGS/shmshare" "$m"
done
# A System V segment that was there before the recording: its content is
# not in the trace, so replay refuses the shmat, naming it.
if command -v ipcmk >/dev/null 2>&1 && command -v ipcrm >/dev/null 2>&1 &&
    id=$(ipcmk -M 4096 2>/dev/null | sed -n 's/^Shared memory id: *\([0-9]*\)$/\1/p') && [ -n "$id" ]; then
	c=$T/shmold
	mkdir -p "$c" || bail_out "cannot make $c"
	(cd "$c" && run_to 60 "$DIOS_RECORD" -q -o "$c/trace.json.zst" -- "$PROGS/shmshare" attach "$id") \
	    </dev/null >"$c/record.out" 2>"$c/record.err"
	is "$?" 13 "shmshare-attach: a segment made before the recording is recorded (status 13)"
	(cd "$c" && run_to 60 "$DIOS_REPLAY" "$c/trace.json.zst") </dev/null >"$c/replay.out" 2>"$c/replay.err"
	is "$?" 125 "shmshare-attach: replay refuses it (status 125)"
	has "shmshare-attach: ... naming the segment and why" "$c/replay.err" \
	    "shmat of System V segment $id, which the recording did not make \\(it was there before\\)"
	ipcrm -m "$id" 2>/dev/null
else
	skip "shmshare-attach: a segment made before the recording" "ipcmk cannot make a System V segment here"
fi

# Signals that end the program.  crash dies of SIGSEGV, which no system call
# raises: status 139 everywhere.
rr_case --status 139 crash : "$PROGS/crash"
# slow, recorded with its stdout a pipe nobody reads, dies of SIGPIPE at its
# first write (status 141); the replay answers the write with EPIPE and must
# deliver the recorded SIGPIPE too.
c=$T/sigpipe
mkdir -p "$c" || bail_out "cannot make $c"
{ sleep 1; (cd "$c" && run_to 60 "$DIOS_RECORD" -q -o "$c/trace.json.zst" -- "$PROGS/slow" 3) \
    </dev/null 2>"$c/record.err"; echo $? >"$c/record.st"; } | true
is "$(cat "$c/record.st")" 141 "sigpipe: the recording exits 141 (SIGPIPE)"
(cd "$c" && run_to 60 "$DIOS_REPLAY" "$c/trace.json.zst") </dev/null >"$c/replay.out" 2>"$c/replay.err"
if ! is "$?" 141 "sigpipe: the replay exits 141 (SIGPIPE)"; then
	diag_file "$c/replay.err"
fi
ok "sigpipe: the replay prints nothing on stdout" ! -s "$c/replay.out"

# A descriptor inherited besides 0, 1 and 2 (a shell's "3<file", make's
# jobserver): the program is recorded with descriptor 3 open and replayed
# by a dios-replay that has it closed, so that dios-replay's own files take
# the low numbers.  The program must still get its descriptor 3.
c=$T/fd3
mkdir -p "$c" || bail_out "cannot make $c"
printf 'read through descriptor 3\n' >"$c/in.txt"
(cd "$c" && run_to 60 "$DIOS_RECORD" -q -o "$c/trace.json.zst" -- sha256sum /dev/fd/3) \
    3<"$c/in.txt" </dev/null >"$c/record.out" 2>"$c/record.err"
is "$?" 0 "fd3: the recording with descriptor 3 open succeeds"
rm -f "$c/in.txt"
(cd "$c" && run_to 60 "$DIOS_REPLAY" "$c/trace.json.zst") 3<&- </dev/null >"$c/replay.out" 2>"$c/replay.err"
if ! is "$?" 0 "fd3: the replay with descriptor 3 closed exits 0"; then
	diag_file "$c/replay.err"
fi
same_file "$c/replay.out" "$c/record.out" "fd3: the replay prints the recorded stdout"

# identity prints sched_getcpu(), which glibc reads from its rseq area, not
# from a syscall: record and replay on the same CPU here; the next case
# replays on another.
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if command -v taskset >/dev/null 2>&1 && [ "$ncpu" -ge 2 ]; then
	rr_case --status 7 --record-prefix "taskset -c 0" --replay-prefix "taskset -c 0" \
	    identity : "$PROGS/identity"
	rr_case --status 7 --record-prefix "taskset -c 0" --replay-prefix "taskset -c 1" \
	    identity-on-another-cpu : "$PROGS/identity"
else
	rr_case --status 7 identity : "$PROGS/identity"
	skip "identity-on-another-cpu" "needs taskset and two CPUs"
fi
# Where dios faults cpuid, the program sees no RDRAND nor RDSEED (it takes
# random bytes from getrandom, which is recorded) and APIC id 0 (the CPU it
# ran on is no difference for replay).
"$DIOS_RECORD" -q -o "$T/cpuid.json.zst" -- "$PROGS/identity" >"$T/cpuid.out" 2>/dev/null </dev/null
l=$(grep '^cpuid: ' "$T/cpuid.out")
case $l in
*"faulting on") is "$l" "cpuid: apic 0 rdrand 0 rdseed 0 cpuid faulting on" \
    "cpuid: RDRAND, RDSEED and the APIC id hidden" ;;
*) skip "cpuid: RDRAND, RDSEED and the APIC id hidden" "this processor cannot fault cpuid ($l)" ;;
esac

# Real programs.
INPUT="printf 'first line\nsecond line\n\tthird, with a tab\n' >in.txt"
rr_case --status 0 --same-as-native cat "$INPUT" cat in.txt
rr_case --status 0 --same-as-native sha256sum "$INPUT" sha256sum in.txt
# 1 MiB of random bytes: not UTF-8, so base64 in the trace.
rr_case --status 0 sha256sum-binary "head -c 1048576 /dev/urandom >big.bin" sha256sum big.bin
rr_case --status 0 date : date '+%Y-%m-%d %H:%M:%S.%N %Z %s'
# (300 files: more than one getdents64.)
rr_case --status 0 ls-l "$INPUT; mkdir sub; echo x >sub/file; ln -s in.txt link; chmod 600 in.txt;
    i=0; while [ \$i -lt 300 ]; do echo \$i >file-\$i; i=\$((i + 1)); done" \
    ls -l --full-time -a @DIR@
# cp -a copies modes, times, ACLs and extended attributes (fsetxattr...);
# install -m sets a mode.
XATTR=
if command -v setfattr >/dev/null 2>&1; then
	XATTR="; setfattr -n user.dios -v copied src/a 2>/dev/null || :"
fi
rr_case --status 0 cp-a "mkdir -p src/sub; echo hi >src/a; echo x >src/sub/b; ln -s a src/link;
    chmod 640 src/a$XATTR" sh -c 'cp -a src dst && ls -lR dst'
rr_case --status 0 install-m "echo data >in.txt" sh -c 'install -m 640 in.txt out.txt && ls -l out.txt'
# node asks its capabilities (capget) before anything else.
if command -v node >/dev/null 2>&1; then
	rr_case --status 0 --same-as-native node-version : node --version
else
	skip "node-version" "needs node"
fi

done_testing
