# src/agent: the in-process agent.  agent.c is built freestanding (no C
# library, no sanitizers, none of the user's CFLAGS), linked at 0 and
# carried inside dios as bytes (blob.c, made by mkblob.sh).
libdios_a_SOURCES += src/agent/agent.h src/agent/blob.h
nodist_libdios_a_SOURCES += src/agent/blob.c
BUILT_SOURCES += src/agent/blob.c
AGENT_CFLAGS = -O2 -mgeneral-regs-only -mcx16 -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none \
	-fPIE -fvisibility=hidden -Wall -Wextra -Wno-unused-parameter
src/agent/agent.elf: $(top_srcdir)/src/agent/agent.c $(top_srcdir)/src/agent/agent.h
	@$(MKDIR_P) src/agent
	$(CC) $(AGENT_CFLAGS) -iquote $(top_srcdir)/src -c $(top_srcdir)/src/agent/agent.c \
	  -o src/agent/agent-free.o
	$(CC) -nostdlib -static -Wl,-Ttext=0 -Wl,--build-id=none -Wl,-e,0 \
	  -Wl,-z,noexecstack -o $@ src/agent/agent-free.o
src/agent/blob.c: src/agent/agent.elf $(top_srcdir)/src/agent/mkblob.sh
	$(SHELL) $(top_srcdir)/src/agent/mkblob.sh '$(NM)' '$(OBJCOPY)' src/agent/agent.elf $@
CLEANFILES += src/agent/agent.elf src/agent/agent-free.o src/agent/blob.c
EXTRA_DIST += src/agent/README src/agent/agent.c src/agent/mkblob.sh
