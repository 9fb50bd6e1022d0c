# src/kernel: tracee control, the syscall table, filter, loop, tasks, codec.
libdios_a_SOURCES += \
	src/kernel/syscalls.def src/kernel/systable.c src/kernel/systable.h \
	src/kernel/family.h src/kernel/structs.c src/kernel/structs.h \
	src/kernel/xlat.c src/kernel/xlat.h src/kernel/errnames.inc \
	src/kernel/capture.c src/kernel/capture.h \
	src/kernel/tracee.c src/kernel/tracee.h src/kernel/vdso.c src/kernel/vdso.h \
	src/kernel/filter.c src/kernel/filter.h src/kernel/spawn.c src/kernel/spawn.h \
	src/kernel/kernel.h src/kernel/loop.c src/kernel/task.c \
	src/kernel/fileid.c src/kernel/fileid.h src/kernel/render.c src/kernel/render.h \
	src/kernel/fdpaths.c src/kernel/fdpaths.h \
	src/kernel/fam_fcntl.c src/kernel/fam_ioctl.c src/kernel/fam_mmap.c \
	src/kernel/fam_exec.c src/kernel/fam_affinity.c src/kernel/fam_groups.c src/kernel/fam_copy.c src/kernel/fam_sockaddr.c \
	src/kernel/fam_pipe.c src/kernel/fam_signalfd.c src/kernel/fam_poll.c src/kernel/fam_epoll.c \
	src/kernel/fam_msg.c src/kernel/exitcodes.h \
	src/kernel/tracecheck.c src/kernel/tracecheck.h src/kernel/tsc.c src/kernel/tsc.h \
	src/kernel/blobstore.c src/kernel/blobstore.h src/kernel/elfinterp.c src/kernel/elfinterp.h
# dios-trace: reading, checking and comparing traces.
libdios_a_SOURCES += \
	src/kernel/tracesel.c src/kernel/tracesel.h \
	src/kernel/tracestat.c src/kernel/tracestat.h \
	src/kernel/tracediff.c src/kernel/tracediff.h
