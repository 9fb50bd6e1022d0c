# src/cli: the thin mains; only these exit.
bin_PROGRAMS += dios-record dios-replay dios-trace dios-fuzz
dios_record_SOURCES = src/cli/dios-record.c src/cli/common.c src/cli/common.h
dios_record_LDADD = $(DIOS_LIBS)
dios_record_CFLAGS = $(AM_CFLAGS) $(SAN_FLAGS)
dios_replay_SOURCES = src/cli/dios-replay.c src/cli/common.c src/cli/common.h
dios_replay_LDADD = $(DIOS_LIBS)
dios_replay_CFLAGS = $(AM_CFLAGS) $(SAN_FLAGS)
dios_trace_SOURCES = src/cli/dios-trace.c src/cli/common.c src/cli/common.h
dios_trace_LDADD = $(DIOS_LIBS)
dios_trace_CFLAGS = $(AM_CFLAGS) $(SAN_FLAGS)
dios_fuzz_SOURCES = src/cli/dios-fuzz.c src/cli/common.c src/cli/common.h
dios_fuzz_LDADD = $(DIOS_LIBS)
dios_fuzz_CFLAGS = $(AM_CFLAGS) $(SAN_FLAGS)
