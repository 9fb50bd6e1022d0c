/* ioctl.c: ioctl requests dios decodes: terminal attributes and size,
 * FIONREAD, close-on-exec.  Others are recorded with their raw argument and
 * no output (record warns once per request). */
#include "config.h"
#include <errno.h>
#include <sys/ioctl.h>
#include <termios.h>
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/structs.h"
#include "sys/mem.h"

struct req { unsigned long req; const struct st_desc *in, *out; int run_real; };

static const struct req reqs[] = {
	{ TCGETS, NULL, &st_termios, 0 },
	{ TCSETS, &st_termios, NULL, 0 },
	{ TCSETSW, &st_termios, NULL, 0 },
	{ TCSETSF, &st_termios, NULL, 0 },
	{ TIOCGWINSZ, NULL, &st_winsize, 0 },
	{ TIOCSWINSZ, &st_winsize, NULL, 0 },
	{ TIOCGPGRP, NULL, &st_int, 0 },
	{ FIONREAD, NULL, &st_int, 0 },
	{ FIOCLEX, NULL, NULL, 1 },
	{ FIONCLEX, NULL, NULL, 1 },
};

static const struct req *
find(unsigned long r)
{
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++)
		if (reqs[i].req == (unsigned int)r)
			return &reqs[i];
	return NULL;
}

bool ioctl_known(unsigned long request);
bool
ioctl_known(unsigned long request)
{
	return find(request) != NULL;
}

static int
ioctl_entry(pid_t tid, struct call *c)
{
	const struct req *r = find(c->a[1]);
	unsigned char buf[128];
	json_t *j;
	int e;

	if (r == NULL)
		j = json_uint64(c->a[2]);
	else if (r->in == NULL)
		return 0;
	else {
		if ((e = mem_read(tid, c->a[2], buf, r->in->size)) < 0)
			return e;
		j = st_encode(r->in, buf);
	}
	return j && json_object_set_new(c->args, "arg", j) == 0 ? 0 : -ENOMEM;
}

static int
ioctl_exit(pid_t tid, struct call *c)
{
	const struct req *r = find(c->a[1]);
	unsigned char buf[128];
	int e;

	if (c->ret < 0 || r == NULL || r->out == NULL)
		return 0;
	if ((e = mem_read(tid, c->a[2], buf, r->out->size)) < 0)
		return e;
	if (c->out == NULL && (c->out = json_object()) == NULL)
		return -ENOMEM;
	return json_object_set_new(c->out, "arg", st_encode(r->out, buf)) < 0 ? -ENOMEM : 0;
}

static int
ioctl_inject(pid_t tid, struct call *c, const json_t *out)
{
	const struct req *r = find(c->a[1]);
	const json_t *j = out ? json_object_get(out, "arg") : NULL;
	unsigned char buf[128];
	int e;

	if (j == NULL || r == NULL || r->out == NULL)
		return 0;
	if ((e = st_decode(r->out, j, buf)) < 0)
		return e;
	return mem_write(tid, c->a[2], buf, r->out->size);
}

static enum replay_mode
ioctl_mode(const struct call *c)
{
	const struct req *r = find(c->a[1]);

	return r && r->run_real ? RM_RUN_REAL : RM_EMULATE;
}

const struct sc_family fam_ioctl = {
	.entry = ioctl_entry, .exit = ioctl_exit, .inject = ioctl_inject, .mode = ioctl_mode,
};
