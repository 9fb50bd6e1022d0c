# bench/local.mk: the benchmark loops (built, not installed) and `make bench`,
# which runs bench/run.sh against this build (see the script for what it
# measures; it takes a few minutes).
noinst_PROGRAMS += bench/reads bench/clock
bench_reads_SOURCES = bench/reads.c
bench_clock_SOURCES = bench/clock.c
EXTRA_DIST += bench/run.sh

bench: dios-record$(EXEEXT) dios-replay$(EXEEXT) bench/reads$(EXEEXT) bench/clock$(EXEEXT)
	$(SHELL) $(srcdir)/bench/run.sh $(abs_top_builddir)
.PHONY: bench
