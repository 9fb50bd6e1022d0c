# src/flaky: the flaky-test driver above the stack (dios-flaky): recorded
# runs until one fails, and what made a failing trace fail.
libdios_a_SOURCES += \
	src/flaky/flaky.h \
	src/flaky/record.c \
	src/flaky/run.c \
	src/flaky/explain.c

