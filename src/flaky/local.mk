# src/flaky: dios-flaky's parts; chaos.c: the perturber of dios-record --chaos.
libdios_a_SOURCES += src/flaky/chaos.c src/flaky/chaos.h
# The driver (dios-flaky run, explain).
libdios_a_SOURCES += src/flaky/flaky.h src/flaky/record.c src/flaky/run.c src/flaky/explain.c
