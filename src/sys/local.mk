# src/sys: the syscall table and what comes from it: capture, injection and
# matching, struct layouts, constant names, task memory, and one file per
# family of calls that need a CUSTOM handler.
libdios_a_SOURCES += \
	src/sys/syscalls.def src/sys/systable.c src/sys/systable.h \
	src/sys/call.h src/sys/family.h \
	src/sys/structs.c src/sys/structs.h \
	src/sys/xlat.c src/sys/xlat.h src/sys/errnames.inc \
	src/sys/capture.c src/sys/capture.h \
	src/sys/mem.c src/sys/mem.h
# The families.
libdios_a_SOURCES += \
	src/sys/fcntl.c src/sys/ioctl.c src/sys/mmap.c src/sys/exec.c \
	src/sys/affinity.c src/sys/groups.c src/sys/copy.c src/sys/sockaddr.c \
	src/sys/pipe.c src/sys/signalfd.c src/sys/poll.c src/sys/epoll.c \
	src/sys/msg.c
