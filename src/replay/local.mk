# src/replay: the replay module.
libdios_a_SOURCES += src/replay/replay.c src/replay/replay.h
