#!/bin/sh
# realprogs.sh: real programs of a Debian machine (installed by .ci/run),
# each recorded, then replayed twice in an empty directory (its inputs and
# everything the recorded run made are gone), printing and exiting as the
# recording did and changing no file (rr_case in lib.sh).  A program that
# is not installed is skipped, with the reason.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_built
require_tracing
tmpdir

have()
{
	command -v "$1" >/dev/null 2>&1 && return 0
	skip "$2" "$1 is not installed"
	return 1
}

# gcc compiling and linking a file, and the program it made run.
if have gcc "gcc compiles, links and runs"; then
	rr_case --fresh --twice gcc "printf '#include <stdio.h>\nint main(void) { puts(\"hello from gcc\"); return 0; }\n' >hello.c" \
	    /bin/sh -c 'gcc -O2 -o hello hello.c && ./hello'
fi

# make -j2: compilers started with posix_spawn, a jobserver, the linker's
# output run by the last step.
if have make "make -j2" && have gcc "make -j2"; then
	rr_case --fresh --twice make "for i in 1 2 3 4; do printf 'int f%s(void) { return %s; }\n' \$i \$i >f\$i.c; done
	    printf 'int f1(void), f2(void), f3(void), f4(void);\nint main(void) { return f1() + f2() + f3() + f4(); }\n' >m.c
	    printf 'OBJS = f1.o f2.o f3.o f4.o m.o\nall: p\np: \$(OBJS)\n\tgcc -o p \$(OBJS)\n%%.o: %%.c\n\tgcc -c \$<\n' >Makefile" \
	    /bin/sh -c 'make -s -j2; ./p; echo "p exited $?"'
fi

# git: a repository made, a commit, the log (git maps its index and
# objects after writing them).
if have git "git init, add, commit, log"; then
	rr_case --fresh --twice git "printf 'a file\n' >a.txt" /bin/sh -c '
	    git init -q r && cp a.txt r/ && cd r && git add a.txt &&
	    git -c user.name=dios -c user.email=dios@example.org commit -q -m first &&
	    git log --format=%s && git status --short && git cat-file -p HEAD:a.txt'
fi

# python3 starting a child with subprocess (vfork and exec).
if have python3 "python3 with subprocess"; then
	rr_case --twice python3-subprocess : python3 -c '
import subprocess
print(subprocess.run(["echo", "from a child"], capture_output=True).stdout.decode().strip())'
fi
# python3 with threads: the GIL handed over in timed futex waits.
if have python3 "python3 with threads"; then
	rr_case --twice python3-threads : python3 -c '
import threading, time
def work(i, out):
    s = 0
    for j in range(100000):
        s += j * i
    time.sleep(0.001)
    out[i] = s
out = {}
ts = [threading.Thread(target=work, args=(i, out)) for i in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print(sorted(out.items()))'
fi

# python3's asyncio with subprocesses: a child watcher thread reaps each
# child and hands the loop its end; replay must run the watcher's code after
# its wait before the loop looks, as when recording.
if have python3 "python3 with asyncio subprocesses"; then
	rr_case --twice python3-asyncio-subprocess : python3 -c '
import asyncio
async def main():
    for i in range(4):
        p = await asyncio.create_subprocess_exec("echo", str(i), stdout=asyncio.subprocess.PIPE)
        out, _ = await p.communicate()
        print(out.decode().strip(), p.returncode)
asyncio.run(main())'
fi

# python3's multiprocessing: a ProcessPoolExecutor, then two worker
# processes sharing a Queue, whose lock is a POSIX semaphore in /dev/shm:
# a worker woken by the other's post must take its turn as it did.
if have python3 "python3 with multiprocessing"; then
	rr_case --replays 3 python3-multiprocessing : python3 -c '
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
def sq(x):
    return x * x
def worker(q, r):
    for x in iter(q.get, None):
        r.put(x + 1)
if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as ex:
        print(list(ex.map(sq, range(8))))
    q, r = mp.Queue(), mp.Queue()
    ps = [mp.Process(target=worker, args=(q, r)) for _ in range(2)]
    [p.start() for p in ps]
    for i in range(6):
        q.put(i)
    for p in ps:
        q.put(None)
    print(sorted(r.get() for _ in range(6)))
    [p.join() for p in ps]'
fi

# sqlite3 in WAL mode: the -shm file it maps shared after making it.
if have sqlite3 "sqlite3 in WAL mode"; then
	rr_case --fresh --twice sqlite3 : sqlite3 db.sqlite 'pragma journal_mode=wal;
	    create table t(x); insert into t values (1), (2), (3); select sum(x) from t;'
fi

# javac and java: the JVM's threads (a thread pool here), its hsperfdata
# file mapped after making it, its own SIGSEGV probes, and System.exit
# while other threads are inside calls that never return (no event).
if have javac "javac and java" && have java "javac and java"; then
	rr_case --fresh --twice java "printf '%s\n' 'import java.util.concurrent.*;' \
	    'public class Hello { public static void main(String[] a) throws Exception {' \
	    '  ExecutorService ex = Executors.newFixedThreadPool(2);' \
	    '  Future<Long> f = ex.submit(() -> { long s = 0; for (int i = 0; i < 100000; i++) s += i; return s; });' \
	    '  System.out.println(\"hello from java \" + f.get()); ex.shutdown(); } }' >Hello.java" \
	    /bin/sh -c 'javac Hello.java && java Hello'
fi

# A Go program: the runtime's threads (futexes, SIGURG preemption, epoll
# with junk in sigsetsize), goroutines that start children with vfork from
# several threads at once, the SIGCHLD of their ends.  Built by the setup
# (not recorded); the go command itself (go vet, go build, go test) records
# but replays only most of the time: see the README, "What is not covered".
if have go "a Go program with goroutines and children"; then
	mkdir -p "$T/gobuild" && (cd "$T/gobuild" &&
	    printf 'module example.org/p\n\ngo 1.16\n' >go.mod &&
	    printf '%s\n' 'package main' 'import ("fmt"; "os/exec"; "sync")' \
	    'func main() {' '  var wg sync.WaitGroup; out := make([]string, 4)' \
	    '  for i := range out { wg.Add(1); go func(i int) { defer wg.Done()' \
	    '    b, err := exec.Command("echo", fmt.Sprint("child ", i)).Output()' \
	    '    if err != nil { panic(err) }; out[i] = string(b) }(i) }' \
	    '  wg.Wait(); fmt.Print(out[0], out[1], out[2], out[3]) }' >main.go &&
	    GOCACHE="$T/gobuild/cache" GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local \
	    go build -o p . >build.log 2>&1) || bail_out "go build of the Go case failed: $(cat "$T/gobuild/build.log")"
	rr_case --replays 3 --same-as-native go : "$T/gobuild/p"
fi

done_testing
