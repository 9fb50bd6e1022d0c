/* ioctl.c: ioctl, whose argument depends on the request.
 *
 * Requests dios knows (the table below) keep their struct in as args "arg"
 * and the struct the kernel filled as out "arg": terminal attributes and
 * size, the pseudo-terminal calls, the SIOCGIF* requests on a struct ifreq
 * and SIOCGIFCONF's interface list.  TIOCGPTPEER returns a new descriptor:
 * replay puts a placeholder at its recorded number.
 *
 * Any other request keeps its raw argument (compared in replay).  When its
 * number says the kernel writes _IOC_SIZE bytes behind the argument
 * (_IOR, _IOWR: BLKGETSIZE64, FS_IOC_GETFLAGS...), those bytes are its
 * output, out "arg" as bytes.  An unknown request that makes a descriptor
 * cannot be told from one that returns a number: its result is only a
 * number in replay. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <termios.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/structs.h"
#include "sys/mem.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define RQ_RUN_REAL	0x01	/* replay runs it too (close-on-exec of a descriptor) */
#define RQ_VALUE	0x02	/* the argument is an int value, not a pointer: compared */
#define RQ_NEWFD	0x04	/* success returns a new descriptor; O_CLOEXEC in the argument */
#define RQ_IFCONF	0x08	/* SIOCGIFCONF: struct ifconf and the list it points to */

struct req {
	unsigned long req;
	const struct st_desc *in, *out;	/* the struct behind the argument */
	unsigned flags;
};

static const struct req reqs[] = {
	{ TCGETS, NULL, &st_termios, 0 },
	{ TCSETS, &st_termios, NULL, 0 },
	{ TCSETSW, &st_termios, NULL, 0 },
	{ TCSETSF, &st_termios, NULL, 0 },
	{ TIOCGWINSZ, NULL, &st_winsize, 0 },
	{ TIOCSWINSZ, &st_winsize, NULL, 0 },
	{ TIOCGPGRP, NULL, &st_int, 0 },
	{ TIOCSPGRP, &st_int, NULL, 0 },
	{ TIOCGSID, NULL, &st_int, 0 },
	{ TIOCOUTQ, NULL, &st_int, 0 },
	{ TIOCMGET, NULL, &st_int, 0 },
	{ TIOCGETD, NULL, &st_int, 0 },
	{ TIOCSCTTY, NULL, NULL, RQ_VALUE },
	{ TIOCNOTTY, NULL, NULL, 0 },
	{ TCFLSH, NULL, NULL, RQ_VALUE },
	{ TCXONC, NULL, NULL, RQ_VALUE },
	{ TCSBRK, NULL, NULL, RQ_VALUE },
	/* pseudo-terminals: ptsname, unlockpt, openpty */
	{ TIOCGPTN, NULL, &st_u32, 0 },
	{ TIOCSPTLCK, &st_int, NULL, 0 },
	{ TIOCGPTLCK, NULL, &st_int, 0 },
	{ TIOCGPKT, NULL, &st_int, 0 },
	{ TIOCGPTPEER, NULL, NULL, RQ_VALUE | RQ_NEWFD },
	{ FIONREAD, NULL, &st_int, 0 },
	{ FIONBIO, &st_int, NULL, 0 },
	{ FIOASYNC, &st_int, NULL, 0 },
	{ FIOCLEX, NULL, NULL, RQ_RUN_REAL },
	{ FIONCLEX, NULL, NULL, RQ_RUN_REAL },
	/* sockets */
	{ SIOCATMARK, NULL, &st_int, 0 },
	{ SIOCGSTAMP, NULL, &st_timeval, 0 },
	{ SIOCGSTAMPNS, NULL, &st_timespec, 0 },
	/* network interfaces: libuuid, Python's uuid1, ifconfig, if_nametoindex */
	{ SIOCGIFCONF, NULL, NULL, RQ_IFCONF },
	{ SIOCGIFNAME, &st_ifr_index, &st_ifr_int, 0 },
	{ SIOCGIFINDEX, &st_ifr_name, &st_ifr_int, 0 },
	{ SIOCGIFFLAGS, &st_ifr_name, &st_ifr_flags, 0 },
	{ SIOCGIFMTU, &st_ifr_name, &st_ifr_int, 0 },
	{ SIOCGIFMETRIC, &st_ifr_name, &st_ifr_int, 0 },
	{ SIOCGIFTXQLEN, &st_ifr_name, &st_ifr_int, 0 },
	{ SIOCGIFHWADDR, &st_ifr_name, &st_ifr_addr, 0 },
	{ SIOCGIFADDR, &st_ifr_name, &st_ifr_addr, 0 },
	{ SIOCGIFDSTADDR, &st_ifr_name, &st_ifr_addr, 0 },
	{ SIOCGIFBRDADDR, &st_ifr_name, &st_ifr_addr, 0 },
	{ SIOCGIFNETMASK, &st_ifr_name, &st_ifr_addr, 0 },
	{ SIOCGIFMAP, &st_ifr_name, &st_ifr_map, 0 },
};

#define IFCONF_MAX 1024		/* interfaces in one SIOCGIFCONF */
#define IOC_OUT_MAX 4096	/* bytes of an unknown _IOR request kept */

static const struct req *
find(unsigned long r)
{
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++)
		if (reqs[i].req == (unsigned int)r)
			return &reqs[i];
	return NULL;
}

/* The bytes an unknown request's number says the kernel writes behind its
 * argument (_IOC_READ), or 0. */
static size_t
ioc_out_size(unsigned long r)
{
	unsigned int req = (unsigned int)r;
	size_t size = _IOC_SIZE(req);

	if (find(r) != NULL || !(_IOC_DIR(req) & _IOC_READ) || size > IOC_OUT_MAX)
		return 0;
	return size;
}

bool ioctl_known(unsigned long request);
bool
ioctl_known(unsigned long request)
{
	return find(request) != NULL || ioc_out_size(request) > 0;
}

/* struct ifconf, as x86_64 lays it out: an int, then the pointer. */
struct ifconf_ { int len; int pad_; uint64_t buf; };

static int
ifconf_read(pid_t tid, uint64_t addr, struct ifconf_ *ic)
{
	return mem_read(tid, addr, ic, sizeof *ic);
}

static int
ioctl_entry(pid_t tid, struct call *c)
{
	const struct req *r = find(c->a[1]);
	unsigned char buf[128];
	struct ifconf_ ic;
	json_t *j;
	int e;

	if (r == NULL)
		j = json_uint64(c->a[2]);
	else if (r->flags & RQ_VALUE)
		j = json_int64((int32_t)c->a[2]);
	else if (r->flags & RQ_IFCONF) {
		/* in: the capacity, and whether there is a list at all (NULL:
		 * the kernel says how long it would be) */
		if ((e = ifconf_read(tid, c->a[2], &ic)) < 0)
			return e;
		j = json_pack("{s:i, s:b}", "len", ic.len, "buf", ic.buf != 0);
	} else if (r->in == NULL)
		return 0;
	else {
		if ((e = mem_read(tid, c->a[2], buf, r->in->size)) < 0)
			return e;
		j = st_encode(r->in, buf);
	}
	return j && json_object_set_new(c->args, "arg", j) == 0 ? 0 : -ENOMEM;
}

/* SIOCGIFCONF's output: {"len": bytes, "ifs": [{"name","addr"}...]} (no
 * "ifs" when the program passed no list). */
static json_t *
ifconf_out(pid_t tid, uint64_t addr, int *err)
{
	struct ifconf_ ic;
	struct ifreq *ifr;
	json_t *o, *a;
	size_t n;

	if ((*err = ifconf_read(tid, addr, &ic)) < 0)
		return NULL;
	if (ic.len < 0 || (o = json_pack("{s:i}", "len", ic.len)) == NULL) {
		*err = ic.len < 0 ? -EINVAL : -ENOMEM;
		return NULL;
	}
	if (ic.buf == 0)
		return o;
	n = (size_t)ic.len / sizeof *ifr;
	if (n > IFCONF_MAX) {
		json_decref(o);
		*err = -E2BIG;
		return NULL;
	}
	if ((ifr = mem_dup(tid, ic.buf, n * sizeof *ifr, err)) == NULL) {
		json_decref(o);
		return NULL;
	}
	if ((a = json_array()) == NULL || json_object_set_new(o, "ifs", a) < 0) {
		free(ifr);
		json_decref(o);
		*err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(a, st_encode(&st_ifr_addr, &ifr[i])) < 0) {
			free(ifr);
			json_decref(o);
			*err = -ENOMEM;
			return NULL;
		}
	free(ifr);
	return o;
}

static int
ifconf_inject(pid_t tid, const struct call *c, const json_t *j)
{
	const json_t *a = json_object_get(j, "ifs"), *v;
	struct ifconf_ ic;
	struct ifreq *ifr;
	int64_t len;
	size_t i, n;
	int e;

	if (json_int64_get(json_object_get(j, "len"), &len) < 0 || len < 0 || len > INT32_MAX)
		return -EINVAL;
	if ((e = ifconf_read(tid, c->a[2], &ic)) < 0)
		return e;
	if (a != NULL) {
		n = json_array_size(a);
		if (!json_is_array(a) || ic.buf == 0 || n > IFCONF_MAX || ic.len < 0 ||
		    n * sizeof *ifr > (size_t)ic.len || (uint64_t)len < n * sizeof *ifr)
			return -EINVAL;
		if ((ifr = calloc(n ? n : 1, sizeof *ifr)) == NULL)
			return -ENOMEM;
		json_array_foreach(a, i, v)
			if ((e = st_decode(&st_ifr_addr, v, &ifr[i])) < 0)
				break;
		if (e == 0)
			e = mem_write(tid, ic.buf, ifr, n * sizeof *ifr);
		free(ifr);
		if (e < 0)
			return e;
	}
	ic.len = (int)len;
	return mem_write(tid, c->a[2], &ic.len, sizeof ic.len);
}

static int
ioctl_exit(pid_t tid, struct call *c)
{
	const struct req *r = find(c->a[1]);
	unsigned char buf[128];
	size_t n = r ? 0 : ioc_out_size(c->a[1]);
	json_t *j;
	int e = 0;

	if (c->ret < 0)
		return 0;
	if (r && (r->flags & RQ_IFCONF))
		j = ifconf_out(tid, c->a[2], &e);
	else if (r && r->out) {
		if ((e = mem_read(tid, c->a[2], buf, r->out->size)) < 0)
			return e;
		j = st_encode(r->out, buf);
	} else if (n > 0) {
		void *b = mem_dup(tid, c->a[2], n, &e);
		if (b == NULL)
			return e;
		j = json_bytes(b, n);
		free(b);
	} else
		return 0;
	if (j == NULL)
		return e ? e : -ENOMEM;
	return obj_set_new(&c->out, "arg", j);
}

static int
ioctl_inject(pid_t tid, struct call *c, const json_t *out)
{
	const struct req *r = find(c->a[1]);
	const json_t *j = out ? json_object_get(out, "arg") : NULL;
	unsigned char buf[128];
	size_t n;
	void *b;
	int e;

	if (j == NULL)
		return 0;
	if (r && (r->flags & RQ_IFCONF))
		return ifconf_inject(tid, c, j);
	if (r && r->out) {
		/* onto what the program passed: the kernel changes only the
		 * fields it fills */
		if ((e = mem_read(tid, c->a[2], buf, r->out->size)) < 0 ||
		    (e = st_apply(r->out, j, buf)) < 0)
			return e;
		return mem_write(tid, c->a[2], buf, r->out->size);
	}
	if (r || ioc_out_size(c->a[1]) == 0)
		return 0;
	if ((e = json_get_bytes(j, &b, &n)) < 0)
		return e;
	e = n == ioc_out_size(c->a[1]) ? mem_write(tid, c->a[2], b, n) : -EINVAL;
	free(b);
	return e;
}

static enum replay_mode
ioctl_mode(const struct call *c)
{
	const struct req *r = find(c->a[1]);

	return r && (r->flags & RQ_RUN_REAL) ? RM_RUN_REAL : RM_EMULATE;
}

static bool
ioctl_makes_fds(const struct call *c)
{
	const struct req *r = find(c->a[1]);

	return r && (r->flags & RQ_NEWFD);
}

static int
ioctl_newfds(const struct call *c, const json_t *ev, int *fds, int max, bool *cloexec)
{
	int64_t ret = json_int64_or(ev, "ret", -1);

	if (max < 1 || !ioctl_makes_fds(c) || ret < 0 || ret > INT32_MAX)
		return 0;
	fds[0] = (int)ret;
	*cloexec = json_int64_or(c->args, "arg", 0) & O_CLOEXEC;
	return 1;
}

const struct sc_family fam_ioctl = {
	.entry = ioctl_entry, .exit = ioctl_exit, .inject = ioctl_inject, .mode = ioctl_mode,
	.newfds = ioctl_newfds, .makes_fds = ioctl_makes_fds,
};
