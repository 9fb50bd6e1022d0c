/* fam_sockaddr.c: socket addresses.  A sockaddr_un passed with the full
 * structure size carries whatever followed the path's NUL (stack bytes):
 * only the bytes up to the NUL mean anything, and only those are kept, so a
 * rebuilt program does not diverge on garbage. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "kernel/bytes.h"
#include "kernel/capture.h"
#include "kernel/family.h"

static int
sockaddr_entry(struct task *t, struct call *c)
{
	json_t *j = json_object_get(c->args, "addr");
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
		e = json_object_set_new(c->args, "addr",
		    json_bytes(b, (size_t)(nul - (char *)b) + 1)) < 0 ? -ENOMEM : 0;
	free(b);
	return e;
}

const struct sc_family fam_sockaddr = { .entry = sockaddr_entry };
