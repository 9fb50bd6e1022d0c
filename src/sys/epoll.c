/* epoll.c: epoll_wait and epoll_pwait, which fill an array of struct
 * epoll_event up to their result: out "events": [{"events":1,"data":7},...].
 * (epoll_ctl's event in is a plain struct argument.) */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/structs.h"
#include "sys/mem.h"

static int
epoll_exit(pid_t tid, struct call *c)
{
	struct epoll_event *ev;
	json_t *a;
	int e;

	if (c->ret <= 0)
		return 0;
	if ((uint64_t)c->ret > (uint32_t)c->a[2])
		return -EINVAL;
	if ((ev = calloc((size_t)c->ret, sizeof *ev)) == NULL)
		return -ENOMEM;
	if ((e = mem_read(tid, c->a[1], ev, (size_t)c->ret * sizeof *ev)) < 0) {
		free(ev);
		return e;
	}
	if ((a = json_array()) == NULL) {
		free(ev);
		return -ENOMEM;
	}
	for (long i = 0; i < c->ret; i++)
		json_array_append_new(a, st_encode(&st_epoll_event, &ev[i]));
	free(ev);
	if (c->out == NULL && (c->out = json_object()) == NULL) {
		json_decref(a);
		return -ENOMEM;
	}
	return json_object_set_new(c->out, "events", a) < 0 ? -ENOMEM : 0;
}

static int
epoll_inject(pid_t tid, struct call *c, const json_t *out)
{
	const json_t *a = out ? json_object_get(out, "events") : NULL;
	struct epoll_event *ev;
	size_t n;
	int e = 0;

	if (a == NULL)
		return 0;
	n = json_array_size(a);
	if (!json_is_array(a) || n > (uint32_t)c->a[2])
		return -EINVAL;
	if ((ev = calloc(n ? n : 1, sizeof *ev)) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n && e == 0; i++)
		e = st_decode(&st_epoll_event, json_array_get(a, i), &ev[i]);
	if (e == 0)
		e = mem_write(tid, c->a[1], ev, n * sizeof *ev);
	free(ev);
	return e;
}

const struct sc_family fam_epoll = {
	.exit = epoll_exit, .inject = epoll_inject, .unused = sigsetsize_unused,
};
