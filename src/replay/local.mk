# src/replay: the replay module (internal.h says which file owns what).
libdios_a_SOURCES += src/replay/replay.c src/replay/replay.h src/replay/internal.h \
	src/replay/order.c src/replay/report.c src/replay/fds.c src/replay/maps.c \
	src/replay/signals.c src/replay/ids.c src/replay/futex.c src/replay/exec.c src/replay/offtrace.c \
	src/replay/fast.c src/replay/tasks.c
