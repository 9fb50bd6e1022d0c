# src/sys: the syscall table and what comes from it: capture, injection and
# matching, struct layouts, constant names, task memory, and one file per
# family of calls that need a CUSTOM handler.
libdios_a_SOURCES += \
	src/sys/syscalls.def src/sys/systable.c src/sys/systable.h \
	src/sys/call.h src/sys/family.h \
	src/sys/structs.c src/sys/structs.h \
	src/sys/xlat.c src/sys/xlat.h src/sys/xlattab.inc src/sys/errnames.inc \
	src/sys/capture.c src/sys/capture.h \
	src/sys/mem.c src/sys/mem.h src/sys/rng.h
# The families.
libdios_a_SOURCES += \
	src/sys/fcntl.c src/sys/ioctl.c src/sys/mmap.c src/sys/exec.c \
	src/sys/affinity.c src/sys/groups.c src/sys/copy.c src/sys/sockaddr.c \
	src/sys/pipe.c src/sys/signalfd.c src/sys/poll.c src/sys/epoll.c \
	src/sys/msg.c src/sys/prctl.c src/sys/caps.c src/sys/mempolicy.c \
	src/sys/schedattr.c src/sys/newfd.c src/sys/landlock.c src/sys/unshare.c \
	src/sys/nosys.c src/sys/keyctl.c src/sys/sysv.c src/sys/handle.c src/sys/fanotify.c \
	src/sys/rlimit.c src/sys/futex.c src/sys/chdir.c

# The calls <sys/syscall.h> names, listed by the build from the headers it
# compiles against (never typed by hand): SYSNAME(read) per line, for
# systable.c (sc_header_calls) and tests/unit/test-rows.
nodist_libdios_a_SOURCES = sysnames.inc
BUILT_SOURCES = sysnames.inc
CLEANFILES += sysnames.inc
sysnames.inc: Makefile
	$(AM_V_GEN)echo '#include <sys/syscall.h>' | $(CPP) $(AM_CPPFLAGS) $(CPPFLAGS) -dM - | \
	    sed -n 's/^#define SYS_\([a-z0-9_]*\) .*/SYSNAME(\1)/p' | LC_ALL=C sort >$@.tmp && \
	    test -s $@.tmp && mv $@.tmp $@
