/* inject.c: the fault-injection perturber (inject.h): what a rule needs
 * to know of the stopped task (a descriptor's path, the working directory,
 * the executable) read from /proc/TID at the stop, only when a rule asks.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz/inject.h"

struct inject {
	struct perturber pb;
	struct spec *spec;
	pid_t tid;
	char buf[4096];
};

#define I(p) ((struct inject *)(p)->state)

static const char *
link_of(struct inject *in, const char *what)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/%s", in->tid, what);
	if ((n = readlink(path, in->buf, sizeof in->buf - 1)) < 0)
		return NULL;
	in->buf[n] = '\0';
	return in->buf;
}

static const char *
fd_path(void *arg, int fd)
{
	char what[32];

	snprintf(what, sizeof what, "fd/%d", fd);
	return link_of(arg, what);
}

static const char *
cwd(void *arg)
{
	return link_of(arg, "cwd");
}

static const char *
exe(void *arg)
{
	return link_of(arg, "exe");
}

static void
inject_enter(struct perturber *p, const struct task *t, const struct call *c,
    struct perturb_act *act)
{
	struct inject *in = I(p);
	struct spec_call q = { .sc = c->sc, .a = c->a, .args = c->args, .tid = t->vtid ? t->vtid : t->tid,
	    .fd_path = fd_path, .cwd = cwd, .exe = exe, .arg = in };

	in->tid = t->tid;
	spec_decide(in->spec, &q, act);
}

static json_t *
inject_describe(struct perturber *p)
{
	return json_pack("{s:o}", "inject", spec_json(I(p)->spec));
}

static void
inject_free(struct perturber *p)
{
	spec_free(I(p)->spec);
	free(I(p));
}

uint64_t
inject_seed(const struct perturber *p)
{
	return spec_seed(((const struct inject *)p->state)->spec);
}

const struct spec *
inject_spec(const struct perturber *p)
{
	return ((const struct inject *)p->state)->spec;
}

struct perturber *
inject_new(struct spec *s, uint64_t seed)
{
	struct inject *in = calloc(1, sizeof *in);

	if (in == NULL) {
		spec_free(s);
		return NULL;
	}
	spec_seed_set(s, seed ? seed : spec_seed(s));
	in->spec = s;
	in->pb.enter = inject_enter;
	in->pb.describe = inject_describe;
	in->pb.free = inject_free;
	in->pb.state = in;
	return &in->pb;
}
