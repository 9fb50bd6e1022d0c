/* sockaddr.c: socket addresses, and buffers sized like them.
 *
 * In: connect, bind and sendto pass an address and its length (IN).  A
 * sockaddr_un passed with the full structure size carries whatever followed
 * the path's NUL (stack bytes): only the bytes up to the NUL mean anything,
 * and only those are kept, so a rebuilt program does not diverge on garbage.
 *
 * Out: accept, accept4, getsockname, getpeername, recvfrom and getsockopt
 * fill a buffer (the CUSTOM argument) whose capacity is a value-result
 * length in the next argument (SINOUT socklen_t): the kernel writes at most
 * the capacity and sets the length to the full size.  The bytes written are
 * the CUSTOM argument's output. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

static int
trim_un(struct call *c, const char *key)
{
	json_t *j = json_object_get(c->args, key);
	struct sockaddr_un *un;
	void *b;
	size_t n, off = offsetof(struct sockaddr_un, sun_path);
	char *nul;
	int e;

	if (j == NULL || json_get_bytes(j, &b, &n) < 0)
		return 0;
	un = b;
	e = 0;
	if (n > off && un->sun_family == AF_UNIX && un->sun_path[0] != '\0' &&
	    (nul = memchr(un->sun_path, '\0', n - off)) != NULL)
		e = json_object_set_new(c->args, key,
		    json_bytes(b, (size_t)(nul - (char *)b) + 1)) < 0 ? -ENOMEM : 0;
	free(b);
	return e;
}

static int
sockaddr_entry(pid_t tid, struct call *c)
{
	int e;

	(void)tid;
	if ((e = trim_un(c, "addr")) < 0)
		return e;
	return trim_un(c, "dest_addr");
}

/* The length argument after CUSTOM argument i, or NULL. */
static const struct arg_desc *
len_arg(const struct sc_desc *sc, int i)
{
	if (i + 1 >= sc->nargs || sc->args[i + 1].kind != A_INOUT_STRUCT)
		return NULL;
	return &sc->args[i + 1];
}

static int
sockaddr_exit(pid_t tid, struct call *c)
{
	const struct sc_desc *sc = c->sc;
	int e;

	if (c->ret < 0)
		return 0;
	for (int i = 0; i < sc->nargs; i++) {
		const struct arg_desc *ad = &sc->args[i], *ld = len_arg(sc, i);
		int64_t cap, len;
		void *buf;

		if (ad->kind != A_CUSTOM || ld == NULL || c->a[i] == 0 || c->a[i + 1] == 0)
			continue;
		cap = json_int64_or(json_object_get(c->args, ld->name), "value", 0);
		len = c->out ? json_int64_or(json_object_get(c->out, ld->name), "value", 0) : 0;
		if (len > cap)
			len = cap;
		if (len < 0 || (uint64_t)len > CAPTURE_MAX)
			return -EINVAL;
		if ((buf = mem_dup(tid, c->a[i], (size_t)len, &e)) == NULL)
			return e;
		e = obj_set_new(&c->out, ad->name, json_bytes(buf, (size_t)len));
		free(buf);
		if (e < 0)
			return e;
	}
	return 0;
}

static int
sockaddr_inject(pid_t tid, struct call *c, const json_t *out)
{
	const struct sc_desc *sc = c->sc;
	int e = 0;

	for (int i = 0; out && i < sc->nargs && e == 0; i++) {
		const struct arg_desc *ad = &sc->args[i], *ld = len_arg(sc, i);
		const json_t *j = json_object_get(out, ad->name);
		void *buf;
		size_t n;

		if (ad->kind != A_CUSTOM || ld == NULL || j == NULL || c->a[i] == 0)
			continue;
		if ((e = json_get_bytes(j, &buf, &n)) < 0)
			break;
		if ((int64_t)n > json_int64_or(json_object_get(c->args, ld->name), "value", 0))
			e = -EINVAL;
		else
			e = mem_write(tid, c->a[i], buf, n);
		free(buf);
	}
	return e;
}

const struct sc_family fam_sockaddr = {
	.entry = sockaddr_entry, .exit = sockaddr_exit, .inject = sockaddr_inject,
};
