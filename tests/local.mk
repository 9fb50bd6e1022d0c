# tests/local.mk: the record/replay tests.  Each tests/*.sh is a TAP script
# (helpers in tests/lib.sh) driving the small programs of tests/progs, one
# per syscall family plus a few helpers.  They use the built dios-record and
# dios-replay through $top_builddir, so they also run out of tree
# (make distcheck).

TEST_PROGS = \
	tests/progs/fileops \
	tests/progs/fdops \
	tests/progs/clock \
	tests/progs/fastclock \
	tests/progs/fastclock-static \
	tests/progs/fastread \
	tests/progs/random \
	tests/progs/identity \
	tests/progs/mmap \
	tests/progs/crash \
	tests/progs/diverge1 \
	tests/progs/diverge2 \
	tests/progs/diverge3 \
	tests/progs/diverge4 \
	tests/progs/slow \
	tests/progs/manycalls \
	tests/progs/maxrss \
	tests/progs/noseccomp \
	tests/progs/ptraceme \
	tests/progs/forkexec \
	tests/progs/threads \
	tests/progs/signals \
	tests/progs/sigint \
	tests/progs/sigboundary \
	tests/progs/sigmidcode \
	tests/progs/spawnwait \
	tests/progs/madefile \
	tests/progs/segvcatch \
	tests/progs/devzero \
	tests/progs/shmshare \
	tests/progs/nsprog \
	tests/progs/fanotify \
	tests/progs/sigwait \
	tests/progs/splicestd \
	tests/progs/limits \
	tests/progs/siginfo \
	tests/progs/threadend \
	tests/progs/posixtimer \
	tests/progs/shmname \
	tests/progs/mapchange \
	tests/progs/mapwrite \
	tests/progs/robust \
	tests/progs/selfstop \
	tests/progs/contwake \
	tests/progs/int80 \
	tests/progs/groupstop \
	tests/progs/vsyscall \
	tests/progs/ownfilter \
	tests/progs/mapfile \
	tests/progs/shmfork \
	tests/progs/threadpool \
	tests/progs/direct \
	tests/progs/pipes \
	tests/progs/inet \
	tests/progs/scmrights \
	tests/progs/tcpserver \
	tests/progs/tcpclient \
	tests/progs/blocker \
	tests/progs/mapshared \
	tests/progs/numbers \
	tests/progs/hostile \
	tests/progs/settings \
	tests/progs/outputs \
	tests/progs/flaky \
	tests/progs/injectme \
	tests/progs/stacky \
	tests/progs/fuzzme \
	tests/progs/rulesme
check_PROGRAMS += $(TEST_PROGS)

tests_progs_fuzzme_SOURCES = tests/progs/fuzzme.c tests/progs/progs.h
tests_progs_rulesme_SOURCES = tests/progs/rulesme.c tests/progs/progs.h
tests_progs_flaky_SOURCES = tests/progs/flaky.c tests/progs/progs.h
tests_progs_flaky_LDADD = -lpthread
# -g whatever CFLAGS say: tests/stacks.sh looks for its functions and lines.
tests_progs_stacky_SOURCES = tests/progs/stacky.c tests/progs/progs.h
tests_progs_stacky_CFLAGS = -g -O2
tests_progs_fileops_SOURCES = tests/progs/fileops.c tests/progs/progs.h
tests_progs_fdops_SOURCES = tests/progs/fdops.c tests/progs/progs.h
tests_progs_clock_SOURCES = tests/progs/clock.c tests/progs/progs.h
tests_progs_fastclock_SOURCES = tests/progs/fastclock.c tests/progs/progs.h
tests_progs_fastclock_LDADD = -lpthread
# static: no loader reads a library before main maps the agent's address
tests_progs_fastclock_static_SOURCES = tests/progs/fastclock.c tests/progs/progs.h
tests_progs_fastclock_static_LDADD = -lpthread
tests_progs_fastclock_static_LDFLAGS = -static
tests_progs_fastread_SOURCES = tests/progs/fastread.c tests/progs/progs.h
tests_progs_fastread_LDADD = -lpthread
tests_progs_random_SOURCES = tests/progs/random.c tests/progs/progs.h
tests_progs_identity_SOURCES = tests/progs/identity.c tests/progs/progs.h
tests_progs_mmap_SOURCES = tests/progs/mmap.c tests/progs/progs.h
tests_progs_crash_SOURCES = tests/progs/crash.c tests/progs/progs.h
tests_progs_slow_SOURCES = tests/progs/slow.c tests/progs/progs.h
tests_progs_manycalls_SOURCES = tests/progs/manycalls.c tests/progs/progs.h
tests_progs_maxrss_SOURCES = tests/progs/maxrss.c tests/progs/progs.h
tests_progs_noseccomp_SOURCES = tests/progs/noseccomp.c tests/progs/progs.h
tests_progs_noseccomp_LDADD = $(SECCOMP_LIBS)
tests_progs_ptraceme_SOURCES = tests/progs/ptraceme.c tests/progs/progs.h
tests_progs_forkexec_SOURCES = tests/progs/forkexec.c tests/progs/progs.h
tests_progs_threads_SOURCES = tests/progs/threads.c tests/progs/progs.h
tests_progs_threads_LDADD = -lpthread
tests_progs_signals_SOURCES = tests/progs/signals.c tests/progs/progs.h
tests_progs_signals_LDADD = -lrt
tests_progs_sigint_SOURCES = tests/progs/sigint.c tests/progs/progs.h
tests_progs_sigboundary_SOURCES = tests/progs/sigboundary.c tests/progs/progs.h
tests_progs_sigmidcode_SOURCES = tests/progs/sigmidcode.c tests/progs/progs.h
tests_progs_spawnwait_SOURCES = tests/progs/spawnwait.c tests/progs/progs.h
tests_progs_spawnwait_LDADD = -lpthread
tests_progs_madefile_SOURCES = tests/progs/madefile.c tests/progs/progs.h
tests_progs_segvcatch_SOURCES = tests/progs/segvcatch.c tests/progs/progs.h
tests_progs_devzero_SOURCES = tests/progs/devzero.c tests/progs/progs.h
tests_progs_shmshare_SOURCES = tests/progs/shmshare.c tests/progs/progs.h
tests_progs_nsprog_SOURCES = tests/progs/nsprog.c tests/progs/progs.h
tests_progs_fanotify_SOURCES = tests/progs/fanotify.c tests/progs/progs.h
tests_progs_sigwait_SOURCES = tests/progs/sigwait.c tests/progs/progs.h
tests_progs_limits_SOURCES = tests/progs/limits.c tests/progs/progs.h
tests_progs_siginfo_SOURCES = tests/progs/siginfo.c tests/progs/progs.h
tests_progs_siginfo_LDADD = -lpthread
tests_progs_threadend_SOURCES = tests/progs/threadend.c tests/progs/progs.h
tests_progs_threadend_LDADD = -lpthread
tests_progs_posixtimer_SOURCES = tests/progs/posixtimer.c tests/progs/progs.h
tests_progs_posixtimer_LDADD = -lpthread -lrt
tests_progs_shmname_SOURCES = tests/progs/shmname.c tests/progs/progs.h
tests_progs_mapchange_SOURCES = tests/progs/mapchange.c tests/progs/progs.h
tests_progs_mapwrite_SOURCES = tests/progs/mapwrite.c tests/progs/progs.h
tests_progs_robust_SOURCES = tests/progs/robust.c tests/progs/progs.h
tests_progs_robust_LDADD = -lpthread
tests_progs_selfstop_SOURCES = tests/progs/selfstop.c tests/progs/progs.h
tests_progs_contwake_SOURCES = tests/progs/contwake.c tests/progs/progs.h
tests_progs_contwake_LDADD = -lpthread
tests_progs_splicestd_SOURCES = tests/progs/splicestd.c tests/progs/progs.h
tests_progs_int80_SOURCES = tests/progs/int80.c tests/progs/progs.h
tests_progs_groupstop_SOURCES = tests/progs/groupstop.c tests/progs/progs.h
tests_progs_groupstop_LDADD = -lpthread
tests_progs_vsyscall_SOURCES = tests/progs/vsyscall.c tests/progs/progs.h
tests_progs_ownfilter_SOURCES = tests/progs/ownfilter.c tests/progs/progs.h
tests_progs_mapfile_SOURCES = tests/progs/mapfile.c tests/progs/progs.h
tests_progs_shmfork_SOURCES = tests/progs/shmfork.c tests/progs/progs.h
tests_progs_threadpool_SOURCES = tests/progs/threadpool.c tests/progs/progs.h
tests_progs_threadpool_LDADD = -lpthread
tests_progs_direct_SOURCES = tests/progs/direct.c tests/progs/progs.h
tests_progs_pipes_SOURCES = tests/progs/pipes.c tests/progs/progs.h
tests_progs_inet_SOURCES = tests/progs/inet.c tests/progs/progs.h
tests_progs_scmrights_SOURCES = tests/progs/scmrights.c tests/progs/progs.h
tests_progs_tcpserver_SOURCES = tests/progs/tcpserver.c tests/progs/progs.h
tests_progs_tcpclient_SOURCES = tests/progs/tcpclient.c tests/progs/progs.h
tests_progs_blocker_SOURCES = tests/progs/blocker.c tests/progs/progs.h
tests_progs_mapshared_SOURCES = tests/progs/mapshared.c tests/progs/progs.h
tests_progs_numbers_SOURCES = tests/progs/numbers.c tests/progs/progs.h
tests_progs_hostile_SOURCES = tests/progs/hostile.c tests/progs/progs.h
tests_progs_settings_SOURCES = tests/progs/settings.c tests/progs/progs.h
tests_progs_outputs_SOURCES = tests/progs/outputs.c tests/progs/progs.h
tests_progs_outputs_LDADD = -lutil
tests_progs_injectme_SOURCES = tests/progs/injectme.c tests/progs/progs.h
# One source, four builds differing in one call (tests/divergence.sh).
tests_progs_diverge1_SOURCES = tests/progs/diverge.c tests/progs/progs.h
tests_progs_diverge1_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=1
tests_progs_diverge2_SOURCES = tests/progs/diverge.c tests/progs/progs.h
tests_progs_diverge2_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=2
tests_progs_diverge3_SOURCES = tests/progs/diverge.c tests/progs/progs.h
tests_progs_diverge3_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=3
tests_progs_diverge4_SOURCES = tests/progs/diverge.c tests/progs/progs.h
tests_progs_diverge4_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=4

# The tree keeps its architecture (src/README).
TESTS += tests/layout.sh
EXTRA_DIST += tests/layout.sh

RR_TESTS = \
	tests/families.sh \
	tests/bad-input.sh \
	tests/divergence.sh \
	tests/truncated.sh \
	tests/memory.sh \
	tests/procs.sh \
	tests/realprogs.sh \
	tests/net.sh \
	tests/trace-tool.sh \
	tests/render.sh \
	tests/portable.sh \
	tests/hostile-cache.sh \
	tests/traces.sh \
	tests/hostile-replay.sh \
	tests/fuzz-replay.sh \
	tests/hostile-format.sh \
	tests/hostile-procs.sh \
	tests/outputs.sh \
	tests/chaos.sh \
	tests/stacks.sh \
	tests/model.sh \
	tests/diff-traces.sh \
	tests/flaky.sh \
	tests/inject.sh \
	tests/fuzz-run.sh \
	tests/fuzz-hunt.sh \
	tests/fuzz-campaign.sh \
	tests/rules.sh \
	tests/hashcache.sh \
	tests/abi.sh \
	tests/atexit.sh \
	tests/jobcontrol.sh \
	tests/hugemap.sh \
	tests/sigterm.sh \
	tests/ownfilter.sh \
	tests/bigline.sh \
	tests/fastpath.sh
TESTS += $(RR_TESTS)
EXTRA_DIST += tests/lib.sh tests/fuzz-lib.sh $(RR_TESTS) tests/portable/hello.c tests/portable/greet.c
# Portable traces checked in, their sources and the script that makes them.
EXTRA_DIST += traces/README traces/regen.sh traces/tiny.h traces/static.c traces/dynamic.c \
	traces/static.json.zst traces/static.out traces/dynamic.json.zst traces/dynamic.out

# The scripts need not be executable.  Under the TAP driver a skipped
# script says so in its plan ("1..0 # SKIP why") and must exit 0: the driver
# counts any other status as an error, 77 included.
SH_LOG_COMPILER = env DIOS_SKIP_STATUS=0 $(SHELL)
AM_TESTS_ENVIRONMENT += ZSTD='$(ZSTD_PROG)'; STRACE='$(STRACE)'; CC='$(CC)'; export ZSTD STRACE CC;

# The mutator of tests/fuzz-replay.sh.
check_PROGRAMS += tests/fuzz/mutate
tests_fuzz_mutate_SOURCES = tests/fuzz/mutate.c
tests_fuzz_mutate_LDADD = $(JANSSON_LIBS)

# make check-fuzz: longer than make check (CI runs it): mutated traces
# through dios-replay (DIOS_FUZZ_REPLAYS per seed trace) and the trace
# reader under libFuzzer with AddressSanitizer (DIOS_FUZZ_SECONDS); the
# reader's own mutation loop under ASan reads 400 inputs, each four ways
# (whole, kept, elided), in about fifty seconds.  About two minutes in
# all, sized to keep CI under 15 minutes; raise the figures for a longer
# hunt.
check-fuzz: $(check_PROGRAMS) $(bin_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS=tests/fuzz-replay.sh \
	    DIOS_FUZZ_REPLAYS=$${DIOS_FUZZ_REPLAYS:-60}
	DIOS_FUZZ_SECONDS=$${DIOS_FUZZ_SECONDS:-30} DIOS_FUZZ_ITERATIONS=$${DIOS_FUZZ_ITERATIONS:-400} \
	    srcdir='$(abs_top_srcdir)' $(SHELL) $(top_srcdir)/tests/unit/asan-io.sh
	FUZZ_ITERATIONS=20000 ./tests/fuzz/fuzz-spec
	DIOS_FUZZ_SECONDS=$${DIOS_FUZZ_SECONDS:-15} top_srcdir='$(abs_top_srcdir)' \
	    top_builddir='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/tests/fuzz/libfuzz-spec.sh
.PHONY: check-fuzz


# The fault spec of dios-fuzz (src/fuzz/spec.h) and its errno table; the
# spec reader on mutated input (a libFuzzer target too, see the file).
check_PROGRAMS += tests/unit/test-spec tests/fuzz/fuzz-spec
TESTS += tests/unit/test-spec tests/fuzz/fuzz-spec
tests_unit_test_spec_SOURCES = tests/unit/test-spec.c tests/unit/tap.h
tests_unit_test_spec_LDADD = $(DIOS_LIBS)
tests_fuzz_fuzz_spec_SOURCES = tests/fuzz/fuzz-spec.c
tests_fuzz_fuzz_spec_LDADD = $(DIOS_LIBS)
EXTRA_DIST += tests/fuzz/libfuzz-spec.sh

# Call stacks of a traced task (src/kernel/stack.c): a chain of calls built
# with frame pointers and without, unwound and symbolized.
check_PROGRAMS += tests/unit/test-stack tests/unit/stack-chain-fp tests/unit/stack-chain-nofp
TESTS += tests/unit/test-stack
tests_unit_test_stack_SOURCES = tests/unit/test-stack.c tests/unit/tap.h
tests_unit_test_stack_LDADD = $(DIOS_LIBS)
tests_unit_stack_chain_fp_SOURCES = tests/unit/stack-chain.c
tests_unit_stack_chain_fp_CFLAGS = -g -O2 -fno-omit-frame-pointer
tests_unit_stack_chain_nofp_SOURCES = tests/unit/stack-chain.c
tests_unit_stack_chain_nofp_CFLAGS = -g -O2 -fomit-frame-pointer

# The requirement rules of dios-trace check and dios-fuzz (src/inspect/rules.h)
# over hand-made event sequences.
check_PROGRAMS += tests/unit/test-rules
TESTS += tests/unit/test-rules
tests_unit_test_rules_SOURCES = tests/unit/test-rules.c tests/unit/tap.h
tests_unit_test_rules_LDADD = $(DIOS_LIBS)
