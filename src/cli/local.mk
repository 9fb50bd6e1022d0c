# src/cli: the thin mains; only these exit.
bin_PROGRAMS += dios-record dios-replay dios-trace
dios_record_SOURCES = src/cli/dios-record.c src/cli/common.c src/cli/common.h
dios_record_LDADD = $(DIOS_LIBS)
dios_record_CFLAGS = $(AM_CFLAGS) $(SAN_FLAGS)
dios_replay_SOURCES = src/cli/dios-replay.c src/cli/common.c src/cli/common.h
dios_replay_LDADD = $(DIOS_LIBS)
dios_replay_CFLAGS = $(AM_CFLAGS) $(SAN_FLAGS)
dios_trace_SOURCES = src/cli/dios-trace.c src/cli/common.c src/cli/common.h
dios_trace_LDADD = $(DIOS_LIBS)
dios_trace_CFLAGS = $(AM_CFLAGS) $(SAN_FLAGS)
bin_PROGRAMS += dios-flaky
dios_flaky_SOURCES = src/cli/dios-flaky.c src/cli/common.c src/cli/common.h
dios_flaky_LDADD = $(DIOS_LIBS) -lm
dios_flaky_CFLAGS = $(AM_CFLAGS) $(SAN_FLAGS)
dist_man_MANS += man/dios-flaky.1
