/* msg.c: sendmsg, recvmsg, sendmmsg and recvmmsg, whose struct msghdr
 * points to an address, an iovec array and control messages.
 *
 * sendmsg:  args "msg": {"name": bytes|null, "data": bytes (the iovecs
 *           gathered), "control": [cmsg...]}
 * recvmsg:  args "msg": the capacities {"namelen","size","iovlen",
 *           "controllen"}; out "msg": {"name","namelen","data","control",
 *           "controllen","flags"} as the kernel filled them.
 * sendmmsg, recvmmsg: "msgvec", an array of the same per message; out
 *           "msg_len" (sendmmsg) or each message's "len" (recvmmsg).
 * A control message is {"level":1,"type":1,"fds":[5]} for SCM_RIGHTS
 * (descriptors passed: replay puts placeholders at the received numbers),
 * else {"level","type","data": bytes}. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

#define VLEN_MAX 1024
#define CONTROL_MAX 65536
#define IOV_MAX_N 1024

/* Control messages of buf[0..n) as a JSON array. */
static json_t *
cmsg_encode(void *buf, size_t n)
{
	struct msghdr mh = { .msg_control = buf, .msg_controllen = n };
	json_t *a = json_array(), *o;

	if (a == NULL)
		return NULL;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t dlen;
		if (cm->cmsg_len < CMSG_LEN(0) || (char *)cm + cm->cmsg_len > (char *)buf + n)
			break;
		dlen = cm->cmsg_len - CMSG_LEN(0);
		o = json_pack("{s:o, s:o}", "level", json_int64(cm->cmsg_level),
		    "type", json_int64(cm->cmsg_type));
		if (o == NULL)
			break;
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			json_t *fds = json_array();
			int fd;
			for (size_t i = 0; i + sizeof fd <= dlen; i += sizeof fd) {
				memcpy(&fd, CMSG_DATA(cm) + i, sizeof fd);
				json_array_append_new(fds, json_int64(fd));
			}
			json_object_set_new(o, "fds", fds);
		} else
			json_object_set_new(o, "data", json_bytes(CMSG_DATA(cm), dlen));
		json_array_append_new(a, o);
	}
	return a;
}

/* Builds the control messages of a into buf (cap bytes); *n is the length
 * used.  -EINVAL when they do not fit or are malformed. */
static int
cmsg_decode(const json_t *a, unsigned char *buf, size_t cap, size_t *n)
{
	const json_t *o;
	size_t i, used = 0;

	if (!json_is_array(a))
		return -EINVAL;
	memset(buf, 0, cap);
	json_array_foreach(a, i, o) {
		const json_t *fds = json_object_get(o, "fds"), *data = json_object_get(o, "data");
		struct cmsghdr cm = { 0 };
		void *b = NULL;
		size_t dlen, k;
		const json_t *v;

		if (fds) {
			if (!json_is_array(fds))
				return -EINVAL;
			dlen = json_array_size(fds) * sizeof(int);
			if ((b = malloc(dlen ? dlen : 1)) == NULL)
				return -ENOMEM;
			json_array_foreach(fds, k, v) {
				int64_t x;
				int fd;
				if (json_int64_get(v, &x) < 0 || x < INT32_MIN || x > INT32_MAX) {
					free(b);
					return -EINVAL;
				}
				fd = (int)x;
				memcpy((char *)b + k * sizeof fd, &fd, sizeof fd);
			}
		} else if (data == NULL || json_get_bytes(data, &b, &dlen) < 0)
			return -EINVAL;
		if (used + CMSG_LEN(dlen) > cap) {
			free(b);
			return -EINVAL;
		}
		cm.cmsg_len = CMSG_LEN(dlen);
		cm.cmsg_level = (int)json_int64_or(o, "level", 0);
		cm.cmsg_type = (int)json_int64_or(o, "type", 0);
		memcpy(buf + used, &cm, sizeof cm);
		memcpy(buf + used + CMSG_LEN(0), b, dlen);
		free(b);
		used += CMSG_SPACE(dlen) < cap - used ? CMSG_SPACE(dlen) : cap - used;
	}
	*n = used;
	return 0;
}

static json_t *
read_control(pid_t tid, uint64_t addr, size_t n, int *err)
{
	void *b;
	json_t *j;

	if (n > CONTROL_MAX) {
		*err = -E2BIG;
		return NULL;
	}
	if ((b = mem_dup(tid, addr, n, err)) == NULL)
		return NULL;
	j = cmsg_encode(b, n);
	free(b);
	if (j == NULL)
		*err = -ENOMEM;
	return j;
}

static json_t *
read_name(pid_t tid, uint64_t addr, size_t n, int *err)
{
	unsigned char b[256];

	if (addr == 0)
		return json_null();
	if (n > sizeof b)
		n = sizeof b;
	if ((*err = mem_read(tid, addr, b, n)) < 0)
		return NULL;
	return json_bytes(b, n);
}

#define PTR(p) ((uint64_t)(uintptr_t)(p))

/* What sendmsg sends: name, data, control. */
static json_t *
msg_in(pid_t tid, const struct msghdr *m, int *err)
{
	json_t *o = json_object(), *j;

	if (o == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = 0;
	if ((j = read_name(tid, PTR(m->msg_name), m->msg_namelen, err)) == NULL ||
	    json_object_set_new(o, "name", j) < 0 ||
	    (j = gather_iov(tid, PTR(m->msg_iov), m->msg_iovlen, UINT64_MAX, err)) == NULL ||
	    json_object_set_new(o, "data", j) < 0 ||
	    (j = m->msg_control ? read_control(tid, PTR(m->msg_control), m->msg_controllen, err) :
	    json_array()) == NULL || json_object_set_new(o, "control", j) < 0) {
		json_decref(o);
		if (*err == 0)
			*err = -ENOMEM;
		return NULL;
	}
	return o;
}

/* What recvmsg may receive: the capacities. */
static json_t *
msg_caps(pid_t tid, const struct msghdr *m, int *err)
{
	struct iovec *v;
	uint64_t size = 0;

	if (m->msg_iovlen > IOV_MAX_N) {
		*err = -EINVAL;
		return NULL;
	}
	if ((v = mem_dup(tid, PTR(m->msg_iov), m->msg_iovlen * sizeof *v, err)) == NULL)
		return NULL;
	for (size_t i = 0; i < m->msg_iovlen; i++)
		size += v[i].iov_len;
	free(v);
	return json_pack("{s:o, s:o, s:o, s:o}",
	    "namelen", m->msg_name ? json_int64(m->msg_namelen) : json_null(),
	    "size", json_uint64(size), "iovlen", json_uint64(m->msg_iovlen),
	    "controllen", json_uint64(m->msg_control ? m->msg_controllen : 0));
}

/* What recvmsg received (len bytes of data), from the msghdr m as the
 * kernel left it and the capacities caps from before the call. */
static json_t *
msg_out(pid_t tid, const struct msghdr *m, const json_t *caps, uint64_t len, int *err)
{
	json_t *o = json_object(), *j;
	uint64_t cap;

	if (o == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = 0;
	if (m->msg_name) {
		cap = (uint64_t)json_int64_or(caps, "namelen", 0);
		if ((j = read_name(tid, PTR(m->msg_name), m->msg_namelen < cap ? m->msg_namelen : cap,
		    err)) == NULL)
			goto fail;
		json_object_set_new(o, "name", j);
		json_object_set_new(o, "namelen", json_int64(m->msg_namelen));
	}
	if ((j = gather_iov(tid, PTR(m->msg_iov), m->msg_iovlen, len, err)) == NULL)
		goto fail;
	json_object_set_new(o, "data", j);
	if (m->msg_control) {
		cap = (uint64_t)json_int64_or(caps, "controllen", 0);
		if ((j = read_control(tid, PTR(m->msg_control),
		    m->msg_controllen < cap ? m->msg_controllen : cap, err)) == NULL)
			goto fail;
		json_object_set_new(o, "control", j);
	}
	json_object_set_new(o, "controllen", json_uint64(m->msg_controllen));
	json_object_set_new(o, "flags", json_int64(m->msg_flags));
	return o;
fail:
	json_decref(o);
	if (*err == 0)
		*err = -ENOMEM;
	return NULL;
}

/* Writes what recvmsg received (o) into the msghdr m of the task (at
 * addr) and the buffers it points to. */
static int
msg_inject(pid_t tid, uint64_t addr, struct msghdr *m, const json_t *o)
{
	const json_t *j;
	void *b;
	size_t n;
	int e;

	if (!json_is_object(o))
		return -EINVAL;
	if ((j = json_object_get(o, "name")) && !json_is_null(j) && m->msg_name) {
		if ((e = json_get_bytes(j, &b, &n)) < 0)
			return e;
		e = n > m->msg_namelen ? -EINVAL : mem_write(tid, PTR(m->msg_name), b, n);
		free(b);
		if (e < 0)
			return e;
		m->msg_namelen = (socklen_t)json_int64_or(o, "namelen", (int64_t)n);
	}
	if ((j = json_object_get(o, "data")) != NULL) {
		if ((e = json_get_bytes(j, &b, &n)) < 0)
			return e;
		e = scatter_iov(tid, PTR(m->msg_iov), m->msg_iovlen, b, n);
		free(b);
		if (e < 0)
			return e;
	}
	if ((j = json_object_get(o, "control")) != NULL && m->msg_control) {
		size_t cap = m->msg_controllen < CONTROL_MAX ? m->msg_controllen : CONTROL_MAX;
		unsigned char *cb = malloc(cap ? cap : 1);
		if (cb == NULL)
			return -ENOMEM;
		if ((e = cmsg_decode(j, cb, cap, &n)) == 0)
			e = mem_write(tid, PTR(m->msg_control), cb, n);
		free(cb);
		if (e < 0)
			return e;
	}
	m->msg_controllen = (size_t)json_int64_or(o, "controllen", 0);
	m->msg_flags = (int)json_int64_or(o, "flags", 0);
	return mem_write(tid, addr, m, sizeof *m);
}

static bool
is_send(const struct call *c)
{
	return c->nr == SYS_sendmsg || c->nr == SYS_sendmmsg;
}

static bool
is_vec(const struct call *c)
{
	return c->nr == SYS_sendmmsg || c->nr == SYS_recvmmsg;
}

static int
msg_entry(pid_t tid, struct call *c)
{
	struct mmsghdr mm;
	json_t *a;
	int e;

	if (!is_vec(c)) {
		if ((e = mem_read(tid, c->a[1], &mm.msg_hdr, sizeof mm.msg_hdr)) < 0)
			return e;
		a = is_send(c) ? msg_in(tid, &mm.msg_hdr, &e) : msg_caps(tid, &mm.msg_hdr, &e);
		return a ? obj_set_new(&c->args, "msg", a) : e;
	}
	if (c->a[2] > VLEN_MAX)
		return -EINVAL;
	if ((a = json_array()) == NULL)
		return -ENOMEM;
	for (uint64_t i = 0; i < (uint32_t)c->a[2]; i++) {
		json_t *o;
		if ((e = mem_read(tid, c->a[1] + i * sizeof mm, &mm, sizeof mm)) < 0 ||
		    (o = is_send(c) ? msg_in(tid, &mm.msg_hdr, &e) :
		    msg_caps(tid, &mm.msg_hdr, &e)) == NULL) {
			json_decref(a);
			return e;
		}
		json_array_append_new(a, o);
	}
	return obj_set_new(&c->args, "msgvec", a);
}

static int
msg_exit(pid_t tid, struct call *c)
{
	struct mmsghdr mm;
	json_t *a, *o;
	int e;

	if (c->ret < 0 || c->nr == SYS_sendmsg)
		return 0;
	if (c->nr == SYS_recvmsg) {
		if ((e = mem_read(tid, c->a[1], &mm.msg_hdr, sizeof mm.msg_hdr)) < 0)
			return e;
		o = msg_out(tid, &mm.msg_hdr, json_object_get(c->args, "msg"), (uint64_t)c->ret, &e);
		return o ? obj_set_new(&c->out, "msg", o) : e;
	}
	if ((a = json_array()) == NULL)
		return -ENOMEM;
	for (long i = 0; i < c->ret && i < VLEN_MAX; i++) {
		if ((e = mem_read(tid, c->a[1] + (uint64_t)i * sizeof mm, &mm, sizeof mm)) < 0)
			goto fail;
		if (c->nr == SYS_sendmmsg) {
			json_array_append_new(a, json_int64(mm.msg_len));
			continue;
		}
		o = msg_out(tid, &mm.msg_hdr,
		    json_array_get(json_object_get(c->args, "msgvec"), (size_t)i), mm.msg_len, &e);
		if (o == NULL)
			goto fail;
		json_object_set_new(o, "len", json_int64(mm.msg_len));
		json_array_append_new(a, o);
	}
	return obj_set_new(&c->out, c->nr == SYS_sendmmsg ? "msg_len" : "msgvec", a);
fail:
	json_decref(a);
	return e;
}

static int
msg_inject_all(pid_t tid, struct call *c, const json_t *out)
{
	struct mmsghdr mm;
	const json_t *a, *o;
	size_t i;
	int e;

	if (out == NULL || c->nr == SYS_sendmsg)
		return 0;
	if (c->nr == SYS_recvmsg) {
		if ((o = json_object_get(out, "msg")) == NULL)
			return 0;
		if ((e = mem_read(tid, c->a[1], &mm.msg_hdr, sizeof mm.msg_hdr)) < 0)
			return e;
		return msg_inject(tid, c->a[1], &mm.msg_hdr, o);
	}
	a = json_object_get(out, c->nr == SYS_sendmmsg ? "msg_len" : "msgvec");
	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > (uint32_t)c->a[2])
		return -EINVAL;
	json_array_foreach(a, i, o) {
		uint64_t at = c->a[1] + i * sizeof mm;
		if ((e = mem_read(tid, at, &mm, sizeof mm)) < 0)
			return e;
		if (c->nr == SYS_recvmmsg) {
			if ((e = msg_inject(tid, at, &mm.msg_hdr, o)) < 0)
				return e;
			mm.msg_len = (unsigned)json_int64_or(o, "len", 0);
		} else {
			int64_t len;
			if (json_int64_get(o, &len) < 0)
				return -EINVAL;
			mm.msg_len = (unsigned)len;
		}
		if ((e = mem_write(tid, at + offsetof(struct mmsghdr, msg_len), &mm.msg_len,
		    sizeof mm.msg_len)) < 0)
			return e;
	}
	return 0;
}

/* The descriptors received with SCM_RIGHTS, in order. */
static int
msg_newfds(const struct call *c, const json_t *ev, int *fds, int max, bool *cloexec)
{
	const json_t *out = json_object_get(ev, "out"), *msgs, *m, *cm, *fd;
	size_t i, j, k;
	int64_t x;
	int n = 0;

	if (c->nr == SYS_recvmsg) {
		json_t *one = json_array();
		json_array_append(one, json_object_get(out, "msg"));
		msgs = one;
	} else if (c->nr == SYS_recvmmsg)
		msgs = json_incref(json_object_get(out, "msgvec"));
	else
		return 0;
	json_array_foreach(msgs, i, m)
		json_array_foreach(json_object_get(m, "control"), j, cm)
			json_array_foreach(json_object_get(cm, "fds"), k, fd)
				if (n < max && json_int64_get(fd, &x) == 0 && x >= 0 && x <= INT32_MAX)
					fds[n++] = (int)x;
	json_decref((json_t *)msgs);
	*cloexec = json_int64_or(c->args, "flags", 0) & MSG_CMSG_CLOEXEC;
	return n;
}

const struct sc_family fam_msg = {
	.entry = msg_entry, .exit = msg_exit, .inject = msg_inject_all, .newfds = msg_newfds,
};
