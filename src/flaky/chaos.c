/* chaos.c: the chaos perturber (chaos.h): which calls it changes and how,
 * each class drawing from its own stream of one seed.
 */
#include "config.h"
#include "sys/rng.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "flaky/chaos.h"
#include "sys/mem.h"
#include "sys/xlat.h"

static const char *const class_names[CH__N] = { "sched", "time", "io", "dirs" };
static const char *const class_why[CH__N] = { "chaos:sched", "chaos:time", "chaos:io", "chaos:dirs" };

/* The clocks never run ahead by more than this: an absolute sleep or timed
 * wait on a clock dios moved ends at most this late. */
#define SKEW_MAX_NS (3LL * 1000000000LL)

struct chaos {
	struct perturber pb;
	unsigned mask;
	uint64_t seed;
	uint64_t rng[CH__N];
	int64_t skew_ns;		/* added to every clock reading */
};

#define C(p) ((struct chaos *)(p)->state)

const char *
chaos_class_name(enum chaos_class c)
{
	return c < CH__N ? class_names[c] : "?";
}

int
chaos_parse(const char *list, unsigned *mask, char *err, size_t errlen)
{
	char bad[256];
	int e = xlat_parse_names(list, class_names, CH__N, mask, bad, sizeof bad);

	if (e == -EINVAL && bad[0])
		snprintf(err, errlen, "unknown chaos class '%s' (expected sched, time, io, dirs "
		    "or all, separated by commas)", bad);
	else if (e == -EINVAL)
		snprintf(err, errlen, "no chaos class given (expected sched, time, io, dirs or all)");
	return e;
}

/* splitmix64 (sys/rng.h): small, fast, and good enough to pick
 * perturbations. */
static uint64_t
next(uint64_t *s)
{
	return splitmix64(s);
}

static bool
on(const struct chaos *ch, enum chaos_class c)
{
	return (ch->mask >> c) & 1;
}

/* One time in n, from class c's stream. */
static bool
chance(struct chaos *ch, enum chaos_class c, unsigned n)
{
	return next(&ch->rng[c]) % n == 0;
}

static uint64_t
below(struct chaos *ch, enum chaos_class c, uint64_t n)
{
	return n ? next(&ch->rng[c]) % n : 0;
}

/* What descriptor fd of task tid is: *type S_IFIFO, S_IFSOCK... (0 when
 * unknown), *nonblock, and for a socket *stream (SOCK_STREAM: a byte
 * stream that may be cut anywhere; datagrams and records may not). */
static void
fd_kind(pid_t tid, int fd, mode_t *type, bool *nonblock, bool *stream)
{
	char path[64], buf[256];
	struct stat st;
	FILE *f;

	*type = 0;
	*nonblock = *stream = false;
	snprintf(path, sizeof path, "/proc/%d/fd/%d", tid, fd);
	if (stat(path, &st) < 0)
		return;
	*type = st.st_mode & S_IFMT;
	if (*type != S_IFIFO && *type != S_IFSOCK)
		return;
	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", tid, fd);
	if ((f = fopen(path, "re")) != NULL) {
		while (fgets(buf, sizeof buf, f))
			if (strncmp(buf, "flags:", 6) == 0)
				*nonblock = (strtoul(buf + 6, NULL, 8) & O_NONBLOCK) != 0;
		fclose(f);
	}
	if (*type == S_IFSOCK) {
		int pidfd = (int)syscall(SYS_pidfd_open, tid, 0), copy, so = 0;
		socklen_t len = sizeof so;
		if (pidfd < 0)
			return;
		if ((copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0)) >= 0) {
			if (getsockopt(copy, SOL_SOCKET, SO_TYPE, &so, &len) == 0)
				*stream = so == SOCK_STREAM;
			close(copy);
		}
		close(pidfd);
	}
}

static void
io_enter(struct chaos *ch, const struct task *t, const struct call *c, struct perturb_act *act)
{
	bool rd = c->nr == SYS_read || c->nr == SYS_recvfrom;
	bool wr = c->nr == SYS_write || c->nr == SYS_sendto;
	uint64_t count = c->a[2];
	mode_t type;
	bool nonblock, stream;

	if ((!rd && !wr) || count == 0)
		return;
	/* Decide first, look at the descriptor only when it matters: the
	 * same stream of choices whatever the descriptors are. */
	bool want_eagain = chance(ch, CH_IO, 8), want_short = chance(ch, CH_IO, 4);
	/* small cuts as often as large ones: 1 + below 2^0..2^12 */
	uint64_t cut = 1 + below(ch, CH_IO, 1ull << below(ch, CH_IO, 13));
	if (!want_eagain && !want_short)
		return;
	fd_kind(t->tid, (int)c->a[0], &type, &nonblock, &stream);
	if (type != S_IFIFO && !(type == S_IFSOCK && stream))
		return;
	if (rd && nonblock && want_eagain) {
		act->error = EAGAIN;	/* the data is not there yet */
		act->why = class_why[CH_IO];
		return;
	}
	if (!want_short || count < 2)
		return;
	/* A read may return less than there is; a write only when it would
	 * not block, and a pipe's of at most PIPE_BUF bytes is all or nothing. */
	if (rd || (nonblock && (type == S_IFSOCK || count > 4096))) {
		act->count = cut < count ? cut : count - 1;
		act->why = class_why[CH_IO];
	}
}

static void
chaos_enter(struct perturber *p, const struct task *t, const struct call *c, struct perturb_act *act)
{
	struct chaos *ch = C(p);

	if (on(ch, CH_IO))
		io_enter(ch, t, c, act);
	if (on(ch, CH_TIME) && (c->nr == SYS_nanosleep || c->nr == SYS_clock_nanosleep) &&
	    chance(ch, CH_TIME, 4)) {
		act->delay_exit_us = 1 + (unsigned)below(ch, CH_TIME, 20000);	/* the sleep ends late */
		if (act->why == NULL)
			act->why = class_why[CH_TIME];
	}
	if (on(ch, CH_SCHED) && chance(ch, CH_SCHED, 16)) {
		act->delay_enter_us = 1 + (unsigned)below(ch, CH_SCHED, 2000);
		if (act->why == NULL)
			act->why = class_why[CH_SCHED];
	}
}

static const char *
chaos_clock(struct perturber *p, const struct task *t, clockid_t id, struct timespec *ts)
{
	struct chaos *ch = C(p);
	const char *why = NULL;

	(void)t;
	(void)id;
	if (!on(ch, CH_TIME))
		return NULL;
	if (chance(ch, CH_TIME, 4)) {
		int64_t step = (int64_t)below(ch, CH_TIME, 50000000);		/* < 50 ms */
		if (chance(ch, CH_TIME, 8))
			step += 1000000000LL * (1 + (int64_t)below(ch, CH_TIME, 2));	/* a jump of seconds */
		if (ch->skew_ns + step > SKEW_MAX_NS)
			step = SKEW_MAX_NS - ch->skew_ns;
		if (step > 0) {
			ch->skew_ns += step;
			why = class_why[CH_TIME];
		}
	}
	int64_t ns = ts->tv_nsec + ch->skew_ns % 1000000000LL;
	ts->tv_sec += ch->skew_ns / 1000000000LL + ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
	return why;
}

/* getdents64's records (struct linux_dirent64: ino, off, reclen, type,
 * name) in another order; each record's d_off, the position after it,
 * stays in its place in the buffer, so the next call goes on from where
 * the kernel left off. */
static const char *
chaos_exit(struct perturber *p, const struct task *t, const struct call *c)
{
	struct chaos *ch = C(p);
	enum { MAXREC = 4096 };
	size_t n = (size_t)c->ret, off, nrec = 0;
	unsigned char *buf, *out;
	size_t *at;
	int e;

	if (!on(ch, CH_DIRS) || c->nr != SYS_getdents64 || c->ret <= 0 || n > (1u << 20))
		return NULL;
	if ((buf = mem_dup(t->tid, c->a[1], n, &e)) == NULL)
		return NULL;
	out = malloc(n);
	at = malloc(MAXREC * sizeof *at);
	if (out == NULL || at == NULL)
		goto done;
	for (off = 0; off + 19 <= n && nrec < MAXREC; nrec++) {
		unsigned short reclen;
		memcpy(&reclen, buf + off + 16, sizeof reclen);
		if (reclen < 19 || off + reclen > n)
			goto done;	/* not what the kernel writes: leave it */
		at[nrec] = off;
		off += reclen;
	}
	if (off != n || nrec < 2)
		goto done;
	int64_t *doff = malloc(nrec * sizeof *doff);
	if (doff == NULL)
		goto done;
	for (size_t i = 0; i < nrec; i++)
		memcpy(&doff[i], buf + at[i] + 8, sizeof doff[i]);
	for (size_t i = nrec - 1; i > 0; i--) {	/* Fisher-Yates */
		size_t j = (size_t)below(ch, CH_DIRS, i + 1), x = at[i];
		at[i] = at[j];
		at[j] = x;
	}
	off = 0;
	for (size_t i = 0; i < nrec; i++) {
		unsigned short reclen;
		memcpy(&reclen, buf + at[i] + 16, sizeof reclen);
		memcpy(out + off, buf + at[i], reclen);
		memcpy(out + off + 8, &doff[i], sizeof doff[i]);
		off += reclen;
	}
	free(doff);
	if (memcmp(out, buf, n) != 0 && mem_write(t->tid, c->a[1], out, n) == 0) {
		free(buf);
		free(out);
		free(at);
		return class_why[CH_DIRS];
	}
done:
	free(buf);
	free(out);
	free(at);
	return NULL;
}

static unsigned
chaos_pick(struct perturber *p, unsigned n)
{
	return (unsigned)below(C(p), CH_SCHED, n);
}

static json_t *
chaos_describe(struct perturber *p)
{
	struct chaos *ch = C(p);
	json_t *cl = json_array();

	for (int i = 0; i < CH__N; i++)
		if (on(ch, i))
			json_array_append_new(cl, json_string(class_names[i]));
	return json_pack("{s:{s:I, s:o}}", "chaos", "seed", (json_int_t)ch->seed, "classes", cl);
}

static void
chaos_free(struct perturber *p)
{
	free(C(p));
}

uint64_t
chaos_seed(const struct perturber *p)
{
	return ((const struct chaos *)p->state)->seed;
}

struct perturber *
chaos_new(unsigned mask, uint64_t seed)
{
	struct chaos *ch = calloc(1, sizeof *ch);

	if (ch == NULL)
		return NULL;
	while (seed == 0) {
		uint32_t s32;
		if (getrandom(&s32, sizeof s32, 0) != sizeof s32)
			s32 = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
		seed = s32;	/* a number --chaos-seed takes */
	}
	ch->mask = mask;
	ch->seed = seed;
	for (int i = 0; i < CH__N; i++) {
		uint64_t s = seed ^ (0x5851f42d4c957f2dULL * (uint64_t)(i + 1));
		ch->rng[i] = next(&s);
	}
	ch->pb.enter = chaos_enter;
	ch->pb.clock = chaos_clock;
	ch->pb.exit = chaos_exit;
	ch->pb.pick = on(ch, CH_SCHED) ? chaos_pick : NULL;
	ch->pb.pick_why = class_why[CH_SCHED];
	ch->pb.describe = chaos_describe;
	ch->pb.free = chaos_free;
	ch->pb.state = ch;
	return &ch->pb;
}
