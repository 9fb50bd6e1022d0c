# src/inspect: traces for people (dios-trace, divergence reports): rendering,
# descriptor paths, selection, stats, diff, checks, requirement rules.
libdios_a_SOURCES += \
	src/inspect/render.c src/inspect/render.h \
	src/inspect/fdpaths.c src/inspect/fdpaths.h \
	src/inspect/select.c src/inspect/select.h \
	src/inspect/stats.c src/inspect/stats.h \
	src/inspect/diff.c src/inspect/diff.h \
	src/inspect/check.c src/inspect/check.h \
	src/inspect/rules.c src/inspect/rules.h
