# src/flaky: dios-flaky's parts; chaos.c: the perturber of dios-record --chaos.
libdios_a_SOURCES += src/flaky/chaos.c src/flaky/chaos.h
