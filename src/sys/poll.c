/* poll.c: poll and ppoll (an array of struct pollfd: fd and events in,
 * revents out), select and pselect6 (three descriptor sets in and out).
 *
 * poll:   args "fds": [{"fd":3,"events":1},...], out "revents": [1,...]
 * select: args and out "readfds", "writefds", "exceptfds": the descriptor
 *         numbers in each set ([3,5]), or null for a NULL set;
 *         pselect6 also "sigmask": the signal mask's 8 bytes, or null.
 * Replay writes the recorded revents and sets back into the program's
 * arrays; no descriptor is polled. */
#include "config.h"
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

#define NFDS_MAX 65536

/* The nfds pollfds at addr (caller frees), or NULL with *err. */
static struct pollfd *
read_pollfds(pid_t tid, uint64_t addr, uint64_t nfds, int *err)
{
	if (nfds > NFDS_MAX) {
		*err = -EINVAL;
		return NULL;
	}
	return mem_dup(tid, addr, nfds * sizeof(struct pollfd), err);
}

/* The call's pollfd array as JSON, set as "fds" in c->args ({fd, events}
 * each: the inputs) or, with revents, as "revents" in c->out. */
static int
pollfds_json(pid_t tid, struct call *c, bool revents)
{
	struct pollfd *p;
	json_t *a;
	int e;

	if ((p = read_pollfds(tid, c->a[0], c->a[1], &e)) == NULL)
		return e;
	if ((a = json_array()) == NULL) {
		free(p);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < c->a[1]; i++)
		json_array_append_new(a, revents ? json_int64(p[i].revents) :
		    json_pack("{s:o, s:o}", "fd", json_int64(p[i].fd), "events", json_int64(p[i].events)));
	free(p);
	return revents ? obj_set_new(&c->out, "revents", a) : obj_set_new(&c->args, "fds", a);
}

static int
poll_entry(pid_t tid, struct call *c)
{
	return pollfds_json(tid, c, false);
}

static int
poll_exit(pid_t tid, struct call *c)
{
	return c->ret < 0 ? 0 : pollfds_json(tid, c, true);
}

static int
poll_inject(pid_t tid, struct call *c, const json_t *out)
{
	const json_t *a = out ? json_object_get(out, "revents") : NULL;
	struct pollfd *p;
	int e;

	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) != c->a[1])
		return -EINVAL;
	if ((p = read_pollfds(tid, c->a[0], c->a[1], &e)) == NULL)
		return e;
	for (size_t i = 0; i < c->a[1]; i++) {
		int64_t v;
		if (json_int64_get(json_array_get(a, i), &v) < 0) {
			free(p);
			return -EINVAL;
		}
		p[i].revents = (short)v;
	}
	e = mem_write(tid, c->a[0], p, c->a[1] * sizeof *p);
	free(p);
	return e;
}

/* ppoll and epoll_pwait(2) read sigsetsize only with a signal mask: with
 * none the register holds whatever the caller left (Go's runtime passes
 * junk), so it is not compared. */
bool
sigsetsize_unused(const json_t *args, const char *key)
{
	return strcmp(key, "sigsetsize") == 0 && json_is_null(json_object_get(args, "sigmask"));
}

const struct sc_family fam_poll = {
	.entry = poll_entry, .exit = poll_exit, .inject = poll_inject, .unused = sigsetsize_unused,
};

/* select: the sets are arrays of longs covering nfds bits, as the kernel
 * reads and writes them. */
static const char *const set_names[3] = { "readfds", "writefds", "exceptfds" };

static size_t
set_bytes(uint64_t nfds)
{
	return (size_t)((nfds + 63) / 64 * 8);
}

static int
nfds_of(const struct call *c, uint64_t *nfds)
{
	int64_t n = (int32_t)c->a[0];

	if (n < 0 || n > NFDS_MAX)
		return -EINVAL;
	*nfds = (uint64_t)n;
	return 0;
}

/* The set at addr as a list of descriptor numbers; json null for NULL. */
static json_t *
read_set(pid_t tid, uint64_t addr, uint64_t nfds, int *err)
{
	size_t n = set_bytes(nfds);
	unsigned char *b;
	json_t *a;

	if (addr == 0)
		return json_null();
	if ((b = mem_dup(tid, addr, n, err)) == NULL)
		return NULL;
	if ((a = json_array()) == NULL) {
		free(b);
		*err = -ENOMEM;
		return NULL;
	}
	for (uint64_t fd = 0; fd < nfds; fd++)
		if (b[fd / 8] & (1u << (fd % 8)))
			json_array_append_new(a, json_uint64(fd));
	free(b);
	return a;
}

static int
select_capture(pid_t tid, struct call *c, json_t **obj)
{
	uint64_t nfds;
	int e = 0;

	if ((e = nfds_of(c, &nfds)) < 0)
		return e;
	for (int i = 0; i < 3; i++) {
		json_t *j = read_set(tid, c->a[1 + i], nfds, &e);
		if (j == NULL)
			return e;
		if ((e = obj_set_new(obj, set_names[i], j)) < 0)
			return e;
	}
	return 0;
}

static int
select_entry(pid_t tid, struct call *c)
{
	int e;

	if ((e = select_capture(tid, c, &c->args)) < 0)
		return e;
	if (c->nr == SYS_pselect6) {
		/* {const sigset_t *ss; size_t ss_len} */
		uint64_t d[2];
		unsigned char mask[8];
		json_t *j;

		if (c->a[5] == 0)
			j = json_null();
		else if ((e = mem_read(tid, c->a[5], d, sizeof d)) < 0)
			return e;
		else if (d[0] == 0)
			j = json_null();
		else if (d[1] != sizeof mask)
			return -EINVAL;
		else if ((e = mem_read(tid, d[0], mask, sizeof mask)) < 0)
			return e;
		else
			j = json_bytes(mask, sizeof mask);
		return obj_set_new(&c->args, "sigmask", j);
	}
	return 0;
}

static int
select_exit(pid_t tid, struct call *c)
{
	return c->ret < 0 ? 0 : select_capture(tid, c, &c->out);
}

static int
select_inject(pid_t tid, struct call *c, const json_t *out)
{
	uint64_t nfds;
	size_t n;
	unsigned char *b;
	int e;

	if (out == NULL)
		return 0;
	if ((e = nfds_of(c, &nfds)) < 0)
		return e;
	n = set_bytes(nfds);
	if ((b = malloc(n ? n : 1)) == NULL)
		return -ENOMEM;
	for (int i = 0; i < 3 && e == 0; i++) {
		const json_t *a = json_object_get(out, set_names[i]), *v;
		size_t k;

		if (a == NULL || json_is_null(a) || c->a[1 + i] == 0)
			continue;
		if (!json_is_array(a)) {
			e = -EINVAL;
			break;
		}
		memset(b, 0, n);
		json_array_foreach(a, k, v) {
			int64_t fd;
			if (json_int64_get(v, &fd) < 0 || fd < 0 || (uint64_t)fd >= nfds) {
				e = -EINVAL;
				break;
			}
			b[fd / 8] |= (unsigned char)(1u << (fd % 8));
		}
		if (e == 0)
			e = mem_write(tid, c->a[1 + i], b, n);
	}
	free(b);
	return e;
}

const struct sc_family fam_select = {
	.entry = select_entry, .exit = select_exit, .inject = select_inject,
};
