# bench/local.mk: the benchmark loops (built, not installed) and `make bench`,
# which runs bench/run.sh against this build (see the script for what it
# measures; it takes a few minutes).
noinst_PROGRAMS += bench/reads bench/clock bench/threads
bench_reads_SOURCES = bench/reads.c
bench_clock_SOURCES = bench/clock.c
bench_threads_SOURCES = bench/threads.c
bench_threads_LDADD = -lpthread
EXTRA_DIST += bench/run.sh bench/flaky.sh bench/stacks.sh bench/fuzz.sh

bench: dios-record$(EXEEXT) dios-replay$(EXEEXT) bench/reads$(EXEEXT) bench/clock$(EXEEXT) bench/threads$(EXEEXT)
	$(SHELL) $(srcdir)/bench/run.sh $(abs_top_builddir)
.PHONY: bench

# The flaky benchmark (issue 13): failure rates natively, under dios and
# under each chaos class, runs to the first failure, replays, explain.
bench-flaky: dios-record$(EXEEXT) dios-replay$(EXEEXT) dios-flaky$(EXEEXT) tests/progs/flaky$(EXEEXT)
	$(SHELL) $(srcdir)/bench/flaky.sh $(abs_top_builddir)
.PHONY: bench-flaky

# make bench-stacks: dios-record --stacks against plain recording (bench/stacks.sh).
bench-stacks: dios-record$(EXEEXT) bench/reads$(EXEEXT)
	$(SHELL) $(srcdir)/bench/stacks.sh $(abs_top_builddir)
.PHONY: bench-stacks

# make bench-fuzz: dios-fuzz run on real programs (bench/fuzz.sh): runs a
# second, the model's share, failures, the host untouched.
bench-fuzz: dios-record$(EXEEXT) dios-replay$(EXEEXT) dios-fuzz$(EXEEXT)
	$(SHELL) $(srcdir)/bench/fuzz.sh $(abs_top_builddir)
.PHONY: bench-fuzz
