/* mem.c: a stopped task's memory, read and written for capture, injection
 * and the kernel's remote calls (process_vm_readv/writev, /proc/PID/mem for
 * read-only mappings).  Owner of the one-range shadow (mem_shadow). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include "sys/mem.h"

static struct {
	pid_t tid;		/* 0: none */
	uint64_t addr;
	const void *buf;
	size_t n;
} shadow;

void
mem_shadow(pid_t tid, uint64_t addr, const void *buf, size_t n)
{
	shadow.tid = tid;
	shadow.addr = addr;
	shadow.buf = buf;
	shadow.n = n;
}

void
mem_shadow_clear(void)
{
	shadow.tid = 0;
}

int
mem_read(pid_t tid, uint64_t addr, void *buf, size_t n)
{
	struct iovec l = { buf, n }, r = { (void *)(uintptr_t)addr, n };
	ssize_t got;

	if (n == 0)
		return 0;
	if (shadow.tid == tid && addr >= shadow.addr && n <= shadow.n &&
	    addr - shadow.addr <= shadow.n - n) {
		memcpy(buf, (const char *)shadow.buf + (addr - shadow.addr), n);
		return 0;
	}
	got = process_vm_readv(tid, &l, 1, &r, 1, 0);
	if (got < 0)
		return -errno;
	if ((size_t)got != n)
		return -EFAULT;
	return 0;
}

void *
mem_dup(pid_t tid, uint64_t addr, size_t n, int *err)
{
	void *b = malloc(n ? n : 1);

	if (b == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	if ((*err = mem_read(tid, addr, b, n)) < 0) {
		free(b);
		return NULL;
	}
	return b;
}

static int
mem_write_proc(pid_t tid, uint64_t addr, const void *buf, size_t n)
{
	char path[64];
	int fd, err = 0;
	ssize_t w;

	snprintf(path, sizeof path, "/proc/%d/mem", tid);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return -errno;
	w = pwrite(fd, buf, n, (off_t)addr);
	if (w < 0)
		err = -errno;
	else if ((size_t)w != n)
		err = -EFAULT;
	close(fd);
	return err;
}

int
mem_write_as_program(pid_t tid, uint64_t addr, const void *buf, size_t n)
{
	struct iovec l = { (void *)buf, n }, r = { (void *)(uintptr_t)addr, n };
	ssize_t got;

	if (n == 0)
		return 0;
	/* unlike /proc/PID/mem, process_vm_writev keeps to the protections */
	got = process_vm_writev(tid, &l, 1, &r, 1, 0);
	if (got < 0)
		return -errno;
	return (size_t)got == n ? 0 : -EFAULT;
}

int
mem_write(pid_t tid, uint64_t addr, const void *buf, size_t n)
{
	return mem_write_as_program(tid, addr, buf, n) == 0 ? 0 : mem_write_proc(tid, addr, buf, n);
}

int
mem_read_str(pid_t tid, uint64_t addr, size_t max, char **out, size_t *len)
{
	size_t cap = 256, have = 0;
	char *s = malloc(cap);

	if (s == NULL)
		return -ENOMEM;
	for (;;) {
		/* Read up to the end of the page, so an unmapped next page is
		 * no error when the string ends before it. */
		size_t chunk = 4096 - ((addr + have) & 4095);
		char *nul;
		int r;

		if (have + chunk + 1 > cap) {
			char *t;
			while (have + chunk + 1 > cap)
				cap *= 2;
			if ((t = realloc(s, cap)) == NULL) {
				free(s);
				return -ENOMEM;
			}
			s = t;
		}
		if ((r = mem_read(tid, addr + have, s + have, chunk)) < 0) {
			free(s);
			return r;
		}
		if ((nul = memchr(s + have, '\0', chunk)) != NULL) {
			*len = (size_t)(nul - s);
			*out = s;
			return 0;
		}
		have += chunk;
		if (have > max) {
			free(s);
			return -ENAMETOOLONG;
		}
	}
}
