# src/kernel: the supervisor: spawn, tracee control, tasks, the event loop
# and the module stack, the seccomp filter, vDSO and TSC handling.
libdios_a_SOURCES += \
	src/kernel/kernel.h src/kernel/loop.c src/kernel/task.c \
	src/kernel/sched.c src/kernel/sched.h \
	src/kernel/tracee.c src/kernel/tracee.h \
	src/kernel/spawn.c src/kernel/spawn.h \
	src/kernel/filter.c src/kernel/filter.h \
	src/kernel/vdso.c src/kernel/vdso.h \
	src/kernel/fastpath.c src/kernel/fastpath.h src/kernel/patch.c \
	src/kernel/tsc.c src/kernel/tsc.h \
	src/kernel/cpuid.c src/kernel/cpuid.h \
	src/kernel/stack.c src/kernel/stack.h
