/* fast.c: the fast path's replay side (src/agent/README): the agent put
 * into a process at its first fast call and the sites of its data calls
 * patched, as when recording; at each stop of a task, the fast calls the
 * recording has next for it (in the global order) queued for its agent to
 * answer without a stop, and at its next stop the ones it answered taken
 * as matched. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include "kernel/fastpath.h"
#include "replay/internal.h"
#include "sys/capture.h"
#include "sys/structs.h"
#include "trace/bytes.h"

int
rp_fast_open(struct replay *r)
{
	int e = fastpath_new(&r->fp, AGENT_REPLAY, 0);

	r->fast = e == 0;
	return e;
}

void
rp_fast_close(struct replay *r)
{
	if (r->fast && r->conf.log)
		fprintf(r->conf.log, "the agents answered %llu calls\n",
		    (unsigned long long)r->fast_answered);
	if (r->fast)
		fastpath_free(&r->fp);
	r->fast = false;
}

static struct fast_task *
state_of(struct task *t)
{
	return t->mod ? &RT(t)->fast : NULL;
}

/* Do a and b share their memory (threads of one process)? */
static bool
same_process(struct kernel *k, struct task *a, struct task *b)
{
	return a->mod && b->mod && a->vtid > 0 && b->vtid > 0 &&
	    rp_process_of(k, a->vtid) == rp_process_of(k, b->vtid);
}

static const struct fast_hooks hooks = { state_of, same_process };

bool
rp_fast_enter(struct replay *r, struct kernel *k, struct task *t)
{
	int installed;

	if (!r->fast || r->off)
		return false;
	(void)RT(t);
	return fastpath_enter(k, t, &hooks, &r->fp, r->conf.log, t->vtid, &installed);
}

int
rp_fast_collect(struct replay *r, struct kernel *k, struct task *t)
{
	struct agent_queue *q;
	uint32_t used;

	if (!r->fast || (q = fastpath_queue(&r->fp, t->tid, false)) == NULL)
		return 0;
	used = q->used < q->n ? q->used : q->n;
	for (uint32_t i = 0; i < used; i++) {
		if (rp_peek(r) < 0 || r->next == NULL || rp_owner_of(r->next) != t->vtid ||
		    rp_seq_of(r->next) != q->ev[i].seq) {
			q->n = q->used = 0;
			return -EPROTO;	/* cannot be: the queue is what came next */
		}
		rp_take(r);
		r->fast_answered++;
	}
	q->n = q->used = 0;
	return 0;
}

/* The integer argument key of args into *v; -1 when it is missing. */
static int
arg_of(const json_t *args, const char *key, uint64_t *v)
{
	int64_t x;

	if (json_int64_get(json_object_get(args, key), &x) < 0)
		return -1;
	*v = (uint64_t)x;
	return 0;
}

/* The one output of ev (key) decoded into the queue's data at *used
 * (room: AGENT_QDATA): as bytes (st NULL: at most max of them) or as the
 * struct st.  Its size, or -1.  (in: the input key of args, bytes.) */
static long
bytes_of(const json_t *o, const struct st_desc *st, size_t max, uint8_t *data, uint32_t *used);

static long
out_of(const json_t *ev, const char *key, const struct st_desc *st, size_t max,
    uint8_t *data, uint32_t *used)
{
	const json_t *out = json_object_get(ev, "out"), *o = out ? json_object_get(out, key) : NULL;

	if (o == NULL || json_object_size(out) != 1)
		return -1;
	return bytes_of(o, st, max, data, used);
}

static long
bytes_of(const json_t *o, const struct st_desc *st, size_t max, uint8_t *data, uint32_t *used)
{
	size_t room = AGENT_QDATA - *used, n;
	void *b;

	if (st) {
		if (st->size > room || st_decode(st, o, data + *used) < 0)
			return -1;
		n = st->size;
	} else {
		if (json_get_bytes(o, &b, &n) < 0)
			return -1;
		if (n > max || n > room) {
			free(b);
			return -1;
		}
		memcpy(data + *used, b, n);
		free(b);
	}
	*used += (uint32_t)((n + 7) & ~(size_t)7);
	return (long)n;
}

/* The answer the agent gives for ev, a call of the task's, its output put
 * into data at *used; 0, or -1 when it is none the agent can give
 * (another call, an output it cannot give: a zone, an edited event; a
 * seek of a descriptor replay shows the output of). */
static int
answer_of(struct replay *r, struct task *t, const json_t *ev, struct agent_answer *a,
    uint8_t *data, uint32_t *used)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const json_t *args = json_object_get(ev, "args"), *out = json_object_get(ev, "out");
	const char *path;
	int ok;
	long n = 0;

	if (sys == NULL || json_object_get(ev, "event") || !json_is_object(args))
		return -1;
	/* a plain event: no key that asks replay for more than the answer
	 * ("shared": a write its copy of a mapped file must see; "newfds",
	 * "map", "perturbed"...) */
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)ev, key, v) {
		(void)v;
		if (strcmp(key, "seq") && strcmp(key, "tid") && strcmp(key, "sys") && strcmp(key, "args") &&
		    strcmp(key, "ret") && strcmp(key, "err") && strcmp(key, "out"))
			return -1;
	}
	memset(a, 0, sizeof *a);
	a->ret = event_result(ev, &ok);
	a->seq = rp_seq_of(ev);
	a->doff = *used;
	if (!ok || (a->ret < 0 && out))
		return -1;
	if (strcmp(sys, "clock_gettime") == 0) {
		if (arg_of(args, "clockid", &a->a[0]) < 0 || json_object_size(args) != 1)
			return -1;
		a->nr = SYS_clock_gettime;
		if (a->ret == 0 && (n = out_of(ev, "tp", &st_timespec, 0, data, used)) < 0)
			return -1;
	} else if (strcmp(sys, "gettimeofday") == 0) {
		a->nr = SYS_gettimeofday;
		if (json_object_size(args) != 0 || a->ret != 0 ||
		    (n = out_of(ev, "tv", &st_timeval, 0, data, used)) < 0)
			return -1;
	} else if (strcmp(sys, "time") == 0) {
		a->nr = SYS_time;
		if (json_object_size(args) != 0 || a->ret < 0)
			return -1;
		if (out && (n = out_of(ev, "tloc", &st_time_t, 0, data, used)) < 0)
			return -1;
	} else if (strcmp(sys, "read") == 0 || strcmp(sys, "pread64") == 0) {
		bool at = sys[0] == 'p';
		a->nr = at ? SYS_pread64 : SYS_read;
		if (arg_of(args, "fd", &a->a[0]) < 0 || arg_of(args, "count", &a->a[2]) < 0 ||
		    (at && arg_of(args, "offset", &a->a[3]) < 0) ||
		    json_object_size(args) != (at ? 3u : 2u) || a->ret < 0 || (uint64_t)a->ret > a->a[2])
			return -1;
		if (a->ret > 0 && ((n = out_of(ev, "buf", NULL, (size_t)a->ret, data, used)) < 0 ||
		    n != a->ret))
			return -1;
		if (a->ret == 0 && out)
			return -1;
	} else if (strcmp(sys, "lseek") == 0) {
		const unsigned char *stdio = rp_stdio_of(r, t);
		a->nr = SYS_lseek;
		if (arg_of(args, "fd", &a->a[0]) < 0 || arg_of(args, "offset", &a->a[1]) < 0 ||
		    arg_of(args, "whence", &a->a[2]) < 0 || json_object_size(args) != 3 || out ||
		    a->ret < 0 || a->a[0] >= MAX_FD || (stdio && stdio[a->a[0]]))
			return -1;
	} else if (strcmp(sys, "write") == 0 || strcmp(sys, "pwrite64") == 0) {
		/* the bytes it must write again; not to an output replay shows */
		const unsigned char *stdio = rp_stdio_of(r, t);
		bool at = sys[0] == 'p';
		a->nr = at ? SYS_pwrite64 : SYS_write;
		if (arg_of(args, "fd", &a->a[0]) < 0 || arg_of(args, "count", &a->a[2]) < 0 ||
		    (at && arg_of(args, "offset", &a->a[3]) < 0) || out ||
		    json_object_size(args) != (at ? 4u : 3u) || a->ret < 0 || (uint64_t)a->ret > a->a[2] ||
		    a->a[0] >= MAX_FD || (stdio && stdio[a->a[0]]) || a->a[2] > AGENT_IO_MAX ||
		    (n = bytes_of(json_object_get(args, "buf"), NULL, (size_t)a->a[2], data, used)) < 0 ||
		    (uint64_t)n != a->a[2])
			return -1;
	} else if (strcmp(sys, "fadvise64") == 0) {
		a->nr = SYS_fadvise64;
		if (arg_of(args, "fd", &a->a[0]) < 0 || arg_of(args, "offset", &a->a[1]) < 0 ||
		    arg_of(args, "len", &a->a[2]) < 0 || arg_of(args, "advice", &a->a[3]) < 0 ||
		    json_object_size(args) != 4 || out || a->ret != 0)
			return -1;
	} else if (strcmp(sys, "fstat") == 0) {
		a->nr = SYS_fstat;
		if (arg_of(args, "fd", &a->a[0]) < 0 || json_object_size(args) != 1 || a->ret != 0 ||
		    (n = out_of(ev, "statbuf", &st_stat, 0, data, used)) < 0)
			return -1;
	} else if (strcmp(sys, "newfstatat") == 0) {
		a->nr = SYS_newfstatat;
		path = json_string_value(json_object_get(args, "path"));
		if (arg_of(args, "dirfd", &a->a[0]) < 0 || arg_of(args, "flags", &a->a[3]) < 0 ||
		    path == NULL || path[0] != '\0' || !(a->a[3] & AT_EMPTY_PATH) ||
		    json_object_size(args) != 3 || a->ret != 0 ||
		    (n = out_of(ev, "statbuf", &st_stat, 0, data, used)) < 0)
			return -1;
	} else
		return -1;
	a->nout = (uint32_t)n;
	return 0;
}

void
rp_fast_fill(struct replay *r, struct kernel *k, struct task *t)
{
	struct agent_queue *q;
	struct agent_answer a[AGENT_QLEN];
	uint32_t m = 0, used = 0;
	uint8_t *data;

	if (!r->fast || r->off || t->mod == NULL || RT(t)->fast.agent != 1 || rp_peek(r) < 0 ||
	    (q = fastpath_queue(&r->fp, t->tid, true)) == NULL)
		return;
	data = fastpath_qdata(&r->fp, q);
	q->n = q->used = 0;
	/* The task's fast calls next in the global order, up to one that is
	 * followed by a call of its own (no other task's event, no signal,
	 * exit or other event of its own between): it stops there, and its
	 * calls are taken as matched before anything else happens. */
	for (size_t i = 0; i <= AGENT_QLEN; i++) {
		const json_t *ev = i == 0 ? r->next : rp_look(r, i - 1);
		if (ev == NULL || rp_owner_of(ev) != t->vtid || json_object_get(ev, "event")) {
			m = i > 0 ? (uint32_t)i - 1 : 0;	/* the last call stays for a stop */
			break;
		}
		if (i == AGENT_QLEN || answer_of(r, t, ev, &a[i], data, &used) < 0) {
			m = (uint32_t)i;	/* a call of its own comes next: it stops there */
			break;
		}
	}
	if (m == 0)
		return;
	memcpy(q->ev, a, m * sizeof a[0]);
	q->used = 0;
	q->n = m;
}

void
rp_fast_forget(struct replay *r, struct task *t)
{
	if (r->fast)
		fastpath_queue_drop(&r->fp, t->tid);
}
