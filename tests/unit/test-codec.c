/* test-codec.c: round trips of every argument kind of the syscall table
 * through capture (task memory -> JSON), the trace text (JSON -> line ->
 * JSON) and injection (JSON -> task memory), against a real child process;
 * of every struct type through st_encode/st_decode; and of the integers of
 * the trace (trace/number.h) around 2^53, 2^63 and 2^64. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "trace/bytes.h"
#include "trace/number.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/structs.h"
#include "sys/mem.h"
#include "tap.h"

/* Buffers set before fork(): the child has them at the same addresses. */
static char path_in[] = "dir/f\xc3\xa9.txt";
static char path_bin[] = "bin\xff\xfe";
static unsigned char in_bytes[300];
static unsigned char out_src[300], out_dst[300];
static struct timespec ts_in = { 12, 345678901 }, ts_out;
static char iov_a[7], iov_b[9], iov_c[5];
static struct iovec iov_in[3], iov_out[3];
static char iov_o1[7], iov_o2[9], iov_o3[5];

static const struct sc_desc row = {
	.name = "codec_test", .nr = -1, .cls = CLS_FD, .ret = R_SIZE, .nargs = 6,
	.args = {
		{ .name = "fd", .kind = A_FD, .len = -1 },
		{ .name = "path", .kind = A_PATH, .len = -1 },
		{ .name = "buf", .kind = A_IN, .len = 3 },
		{ .name = "count", .kind = A_UINT, .len = -1 },
		{ .name = "ts", .kind = A_IN_STRUCT, .len = -1, .st = &st_timespec },
		{ .name = "flags", .kind = A_FLAGS, .len = -1, .xlat = X_OPEN },
	},
};
static const struct sc_desc row_out = {
	.name = "codec_test_out", .nr = -1, .cls = CLS_FD, .ret = R_SIZE, .nargs = 6,
	.args = {
		{ .name = "buf", .kind = A_OUT, .len = 1 },
		{ .name = "count", .kind = A_UINT, .len = -1 },
		{ .name = "ts", .kind = A_OUT_STRUCT, .len = -1, .st = &st_timespec },
		{ .name = "iov", .kind = A_IOV_OUT, .len = 4 },
		{ .name = "iovcnt", .kind = A_INT, .len = -1 },
		{ .name = "mode", .kind = A_MODE, .len = -1 },
	},
};
static const struct sc_desc row_iov = {
	.name = "codec_test_iov", .nr = -1, .cls = CLS_FD, .ret = R_SIZE, .nargs = 6,
	.args = {
		{ .name = "iov", .kind = A_IOV_IN, .len = 1 },
		{ .name = "iovcnt", .kind = A_INT32, .len = -1 },
		{ .name = "addr", .kind = A_PTR, .len = -1 },
		{ .name = "off", .kind = A_INOUT_STRUCT, .len = -1, .st = &st_loff },
		{ .name = "pid", .kind = A_INT32, .len = -1 },
		{ .name = "pos", .kind = A_INT, .len = -1 },
	},
};

/* recvmsg as the kernel left it (src), and a program's empty one (dst). */
static char name_src[16] = "\x01\x00/tmp/sock", name_dst[16];
static char data_a[4] = "abcd", data_b[8] = "efgh", dst_a[4], dst_b[8];
static struct iovec iov_src[2], iov_dst[2];
static union { struct cmsghdr h; char b[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(3)]; } ctl_src, ctl_dst;
static struct msghdr msg_src, msg_dst;
static struct pollfd pfd_src[2] = { { 3, POLLIN, POLLIN | POLLHUP }, { 4, POLLOUT, 0 } }, pfd_dst[2];

/* SIOCGIFCONF as the kernel left it (two interfaces), and a program's. */
static struct ifreq ifr_src[2] = {
	{ .ifr_name = "lo", .ifr_addr = { .sa_family = AF_INET, .sa_data = { 0, 0, 127, 0, 0, 1 } } },
	{ .ifr_name = "eth0", .ifr_addr = { .sa_family = AF_INET, .sa_data = { 0, 0, 10, 1, 2, 3 } } },
}, ifr_dst[3];
static struct ifconf ifc_src = { .ifc_len = sizeof ifr_src, .ifc_req = ifr_src },
    ifc_dst = { .ifc_len = sizeof ifr_dst, .ifc_req = ifr_dst },
    ifc_small = { .ifc_len = sizeof(struct ifreq), .ifc_req = ifr_dst };
/* nanosleep's time left, as an interrupted one wrote it */
static struct timespec rem_src = { 1, 900000000 }, rem_dst;

/* Through the trace's text form, as a reader would see it. */
static json_t *
through_text(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_t *back = s ? json_loads(s, JSON_ALLOW_NUL | JSON_DECODE_ANY, NULL) : NULL;

	free(s);
	return back;
}

static void
struct_round_trips(void)
{
	const struct st_desc *all[] = {
		&st_timespec, &st_timespec2, &st_timeval, &st_timezone, &st_time_t,
		&st_stat, &st_statx, &st_statfs, &st_open_how, &st_loff, &st_u32,
		&st_utsname, &st_sysinfo, &st_rlimit, &st_rusage, &st_tms,
		&st_termios, &st_winsize, &st_int, &st_flock, &st_itimerspec,
		&st_epoll_event, &st_fdpair, &st_sigset, &st_timeval2, &st_utimbuf,
		&st_cap_header, &st_cap_data, &st_mq_attr, &st_timex, &st_user_desc, &st_ustat,
		&st_epoll_event, &st_fdpair, &st_sigset, &st_ifr_name, &st_ifr_index,
		&st_ifr_int, &st_ifr_flags, &st_ifr_addr, &st_ifr_map, &st_f_owner_ex, &st_u64,
	};
	unsigned char a[512], b[512];

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		const struct st_desc *st = all[i];
		json_t *j1, *j2, *j3;

		for (size_t k = 0; k < st->size; k++)
			a[k] = (unsigned char)(k * 37 + i * 11 + 1);
		/* string fields hold NUL-terminated text */
		for (int f = 0; f < st->nfields; f++)
			if (st->fields[f].kind == F_STR)
				memcpy(a + st->fields[f].off, "text\0", 5);
		j1 = st_encode(st, a);
		j2 = through_text(j1);
		ok(j2 && st_decode(st, j2, b) == 0, "%s: decodes from its text form", st->name);
		j3 = st_encode(st, b);
		ok(json_equal(j1, j3), "%s: encode(decode(encode(x))) == encode(x)", st->name);
		if (st->nfields == 0)
			ok(memcmp(a, b, st->size) == 0, "%s: bytes kept exactly", st->name);
		/* st_apply: the fields onto other bytes, the rest kept */
		memset(b, 0xa5, st->size);
		ok(j2 && st_apply(st, j2, b) == 0, "%s: applies onto bytes already there", st->name);
		json_t *j4 = st_encode(st, b);
		ok(json_equal(j1, j4), "%s: and then holds its fields", st->name);
		json_decref(j4);
		json_decref(j1);
		json_decref(j2);
		json_decref(j3);
	}
	/* struct flock: fields now; the 32 bytes of a dios 0.1 trace still decode */
	struct flock fl, fl2;
	memset(&fl, 0, sizeof fl);	/* the padding too */
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 100;
	fl.l_len = 50;
	fl.l_pid = 4242;
	json_t *fj = st_encode(&st_flock, &fl), *fb = json_bytes(&fl, sizeof fl);
	ok(json_int64_or(fj, "type", -1) == F_WRLCK && json_int64_or(fj, "start", 0) == 100 &&
	    json_int64_or(fj, "len", 0) == 50 && json_int64_or(fj, "pid", 0) == 4242,
	    "flock: type, start, len and pid are fields");
	memset(&fl2, 0, sizeof fl2);
	ok(st_decode(&st_flock, fb, &fl2) == 0 && memcmp(&fl, &fl2, sizeof fl) == 0,
	    "flock: its bytes, as dios 0.1 wrote them, decode");
	json_decref(fj);
	json_decref(fb);
	/* struct ifreq: a name in, an address out; the rest of the union kept */
	struct ifreq ifr;
	memset(&ifr, 0x5a, sizeof ifr);
	json_t *ia = json_pack("{s:s, s:o}", "name", "lo", "addr", json_bytes("\2\0\0\0\177\0\0\1\0\0\0\0\0\0\0\0", 16));
	ok(st_apply(&st_ifr_addr, ia, &ifr) == 0 && strcmp(ifr.ifr_name, "lo") == 0 &&
	    ifr.ifr_name[3] == 0 && ifr.ifr_addr.sa_family == AF_INET &&
	    ((unsigned char *)&ifr)[sizeof ifr - 1] == 0x5a,
	    "ifreq: name and address applied, the bytes after them kept");
	json_object_set_new(ia, "addr", json_bytes("short", 5));
	is_int(st_apply(&st_ifr_addr, ia, &ifr), -EINVAL, "ifreq: an address of the wrong size is refused");
	json_object_set_new(ia, "name", json_string("a-name-of-16-chr"));
	is_int(st_decode(&st_ifr_addr, ia, &ifr), -EINVAL, "ifreq: a name of 16 bytes (no room for NUL) is refused");
	json_decref(ia);

	json_t *bad = json_string("x");
	ok(st_decode(&st_timespec, bad, b) == -EINVAL, "a string is not a timespec");
	json_decref(bad);
	bad = json_pack("{s:s}", "sec", "soon");
	ok(st_decode(&st_timespec, bad, b) == -EINVAL, "a field of the wrong type is refused");
	json_decref(bad);
	bad = json_pack("{s:s}", "b64", "AAAA");
	ok(st_decode(&st_statfs, bad, b) == -EINVAL, "bytes of the wrong size are refused");
	json_decref(bad);
}

/* The integers of the trace: a number up to 2^53, a decimal string beyond,
 * read back from either form, and nothing else. */
static void
number_round_trips(void)
{
	static const int64_t vals[] = {
		0, 1, -1, 4096, TRACE_EXACT_MAX - 1, TRACE_EXACT_MAX, -TRACE_EXACT_MAX,
		TRACE_EXACT_MAX + 1, -TRACE_EXACT_MAX - 1, TRACE_EXACT_MAX + 3,
		(int64_t)0x123456789abcdef1, INT64_MAX - 1, INT64_MAX, INT64_MIN + 1, INT64_MIN,
		(int64_t)0xfedcba9876543210u,
	};
	char want[32];

	for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
		int64_t v = vals[i], got = 7;
		uint64_t u = 7;
		bool exact = v >= -TRACE_EXACT_MAX && v <= TRACE_EXACT_MAX;
		json_t *j = json_int64(v), *back = through_text(j);

		snprintf(want, sizeof want, "%lld", (long long)v);
		if (exact)
			ok(json_is_integer(j) && json_integer_value(j) == v &&
			    (int64_t)(double)json_integer_value(j) == v,
			    "%s is a number, and exact in a double", want);
		else
			ok(json_is_string(j) && strcmp(json_string_value(j), want) == 0,
			    "%s (beyond 2^53) is the string of its digits", want);
		ok(json_int64_get(back, &got) == 0 && got == v, "%s reads back from the text", want);
		ok(json_uint64_get(back, &u) == 0 && u == (uint64_t)v, "%s reads back as unsigned bits", want);
		json_decref(j);
		json_decref(back);
		/* as an older dios wrote it: a number of any magnitude */
		j = json_integer(v);
		ok(json_int64_get(j, &got) == 0 && got == v, "%s as a plain number (an older trace) reads", want);
		back = json_int64(v);
		ok(json_same(j, back) && json_same(back, j), "%s: the number and the new form are the same", want);
		json_decref(j);
		json_decref(back);
	}

	/* unsigned values: the bits, as a signed value */
	json_t *j = json_uint64(UINT64_MAX);
	ok(json_is_integer(j) && json_integer_value(j) == -1, "2^64-1 is written -1");
	json_decref(j);
	j = json_uint64((uint64_t)1 << 63);
	is_str(json_string_value(j), "-9223372036854775808", "2^63 is written \"-9223372036854775808\"");
	uint64_t u = 0;
	ok(json_uint64_get(j, &u) == 0 && u == (uint64_t)1 << 63, "and reads back as 2^63");
	json_decref(j);
	j = json_uint64(((uint64_t)1 << 53) + 1);
	is_str(json_string_value(j), "9007199254740993", "2^53+1 is written \"9007199254740993\"");
	json_decref(j);

	/* what is not an integer of the trace */
	static const char *const bad_texts[] = {
		"\"12\"", "\"9007199254740992\"", "\"-9007199254740992\"", "\"0x20000000000001\"",
		"\"+9007199254740993\"", "\"09007199254740993\"", "\" 9007199254740993\"",
		"\"9007199254740993 \"", "\"9223372036854775808\"", "\"-9223372036854775809\"",
		"\"18446744073709551615\"", "\"99999999999999999999\"", "\"\"", "\"-\"",
		"\"9007199254740993\\u0000\"", "1.5", "1.0", "1e16", "-0.0", "true", "null", "[1]",
		"{\"value\":1}",
	};
	for (size_t i = 0; i < sizeof bad_texts / sizeof *bad_texts; i++) {
		json_t *b = json_loads(bad_texts[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		int64_t x = 42;
		ok(b && json_int64_get(b, &x) == -EINVAL && x == 42 && !json_is_int64(b),
		    "%s is not an integer of the trace", bad_texts[i]);
		json_decref(b);
	}
	int64_t x = 42;
	is_int(json_int64_get(NULL, &x), -ENOENT, "a missing member is -ENOENT");
	json_t *o = json_pack("{s:s, s:i, s:f}", "big", "-9007199254740993", "small", 5, "real", 2.0);
	ok(json_int64_or(o, "big", 0) == -TRACE_EXACT_MAX - 1 && json_int64_or(o, "small", 0) == 5 &&
	    json_int64_or(o, "real", 9) == 9 && json_int64_or(o, "none", 9) == 9 &&
	    json_int64_or(NULL, "big", 9) == 9, "json_int64_or: either form, else the default");
	json_decref(o);

	/* json_same: integers by value wherever they are nested */
	json_t *a = json_loads("{\"a\":[1,9007199254740993,{\"b\":-9223372036854775808}],\"s\":\"x\"}", 0, NULL);
	json_t *b = json_loads("{\"s\":\"x\",\"a\":[1,\"9007199254740993\",{\"b\":\"-9223372036854775808\"}]}", 0, NULL);
	json_t *c = json_loads("{\"s\":\"x\",\"a\":[1,\"9007199254740994\",{\"b\":\"-9223372036854775808\"}]}", 0, NULL);
	ok(a && b && json_same(a, b) && json_same(b, a), "json_same: old numbers match new strings, nested");
	ok(c && !json_same(a, c) && !json_same(b, c), "json_same: a different value differs");
	json_decref(a);
	json_decref(b);
	json_decref(c);
	a = json_integer(5);
	b = json_string("5");
	ok(!json_same(a, b), "json_same: 5 and \"5\" differ (a string is not a small integer)");
	ok(!json_same(a, NULL) && !json_same(NULL, NULL), "json_same: NULL is never the same (as json_equal)");
	json_decref(a);
	json_decref(b);

	/* structs: a u64 field beyond 2^63, a signed one below -2^53 */
	struct stat st = { .st_ino = ((uint64_t)1 << 63) + 5, .st_size = -TRACE_EXACT_MAX - 7 }, st2;
	json_t *e = st_encode(&st_stat, &st), *t = through_text(e);
	ok(json_is_string(json_object_get(e, "ino")) && json_is_string(json_object_get(e, "size")),
	    "stat: ino 2^63+5 and size -(2^53+7) are strings");
	ok(t && st_decode(&st_stat, t, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_size == st.st_size,
	    "stat: and decode to the same values");
	json_object_set_new(t, "ino", json_integer((json_int_t)st.st_ino));
	ok(st_decode(&st_stat, t, &st2) == 0 && st2.st_ino == st.st_ino, "stat: an older trace's number decodes too");
	json_object_set_new(t, "ino", json_real(1e19));
	is_int(st_decode(&st_stat, t, &st2), -EINVAL, "stat: a rounded real (1e+19) is refused");
	json_decref(e);
	json_decref(t);
}

static size_t
build_control(void *buf)
{
	struct msghdr mh = { .msg_control = buf, .msg_controllen = sizeof ctl_src.b };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int fds[2] = { 7, 9 };

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(cm), fds, sizeof fds);
	cm = CMSG_NXTHDR(&mh, cm);
	cm->cmsg_level = 41;
	cm->cmsg_type = 50;
	cm->cmsg_len = CMSG_LEN(3);
	memcpy(CMSG_DATA(cm), "xyz", 3);
	return CMSG_SPACE(sizeof fds) + CMSG_LEN(3);
}

static void
family_round_trips(pid_t tid)
{
	struct call c = { 0 };
	int fds[8];
	bool cloexec = false;

	/* epoll_event is packed: data right after the 4 bytes of events */
	struct epoll_event ee = { .events = 5, .data.u64 = 0x1122334455667788ull };
	json_t *j = st_encode(&st_epoll_event, &ee);
	ok(json_int64_or(j, "events", 0) == 5 && json_int64_or(j, "data", 0) == 0x1122334455667788ll,
	    "epoll_event: events and the unaligned 64-bit data");
	json_decref(j);

	/* recvmsg: capacities in, received name, data and SCM_RIGHTS out */
	c.nr = SYS_recvmsg;
	c.sc = sc_by_name("recvmsg");
	c.a[0] = 5;
	c.a[1] = (uint64_t)(uintptr_t)&msg_src;
	c.a[2] = MSG_CMSG_CLOEXEC;
	is_int(capture_entry(tid, &c), 0, "recvmsg: entry captured");
	ok(json_int64_or(json_object_get(c.args, "msg"), "size", 0) == 12 &&
	    json_int64_or(json_object_get(c.args, "msg"), "namelen", 0) == 16,
	    "recvmsg: the capacities are its inputs");
	c.ret = 10;
	is_int(capture_exit(tid, &c), 0, "recvmsg: outputs captured");
	json_t *out = through_text(c.out);
	const json_t *m = json_object_get(out, "msg");
	void *b;
	size_t n;
	ok(json_get_bytes(json_object_get(m, "data"), &b, &n) == 0 && n == 10 &&
	    memcmp(b, "abcdefgh", 8) == 0, "recvmsg: data gathered up to the result");
	free(b);
	ok(json_array_size(json_object_get(m, "control")) == 2, "recvmsg: two control messages");
	json_t *ev = json_pack("{s:i, s:O}", "ret", 10, "out", out);
	is_int(c.sc->fam->newfds(&c, ev, fds, 8, &cloexec), 2, "recvmsg: two descriptors received");
	ok(fds[0] == 7 && fds[1] == 9 && cloexec, "recvmsg: their numbers, and MSG_CMSG_CLOEXEC");
	json_decref(ev);
	c.a[1] = (uint64_t)(uintptr_t)&msg_dst;
	is_int(inject_out(tid, &c, out, 10), 0, "recvmsg: outputs injected into another msghdr");
	struct msghdr got;
	char gn[16], gc[sizeof ctl_src.b], ga[4], gb[8];
	ok(mem_read(tid, (uint64_t)(uintptr_t)&msg_dst, &got, sizeof got) == 0 &&
	    got.msg_namelen == msg_src.msg_namelen && got.msg_controllen == msg_src.msg_controllen &&
	    got.msg_flags == msg_src.msg_flags, "recvmsg: namelen, controllen and flags written");
	ok(mem_read(tid, (uint64_t)(uintptr_t)name_dst, gn, sizeof gn) == 0 &&
	    memcmp(gn, name_src, sizeof gn) == 0, "recvmsg: the name arrives");
	ok(mem_read(tid, (uint64_t)(uintptr_t)dst_a, ga, 4) == 0 &&
	    mem_read(tid, (uint64_t)(uintptr_t)dst_b, gb, 6) == 0 &&
	    memcmp(ga, "abcd", 4) == 0 && memcmp(gb, "efghij", 6) == 0,
	    "recvmsg: the data is scattered across the iovecs");
	ok(mem_read(tid, (uint64_t)(uintptr_t)ctl_dst.b, gc, msg_src.msg_controllen) == 0 &&
	    memcmp(gc, ctl_src.b, msg_src.msg_controllen) == 0,
	    "recvmsg: the control messages are rebuilt byte for byte");
	json_decref(out);
	call_reset(&c);

	/* ioctl SIOCGIFCONF: the capacity in, the list and its length out */
	c.nr = SYS_ioctl;
	c.sc = sc_by_name("ioctl");
	c.a[0] = 3;
	c.a[1] = SIOCGIFCONF;
	c.a[2] = (uint64_t)(uintptr_t)&ifc_src;
	is_int(capture_entry(tid, &c), 0, "SIOCGIFCONF: entry captured");
	ok(json_int64_or(json_object_get(c.args, "arg"), "len", 0) == 80, "SIOCGIFCONF: the capacity is an input");
	ok(!call_changes_fds(&c), "SIOCGIFCONF: makes no descriptor");
	c.ret = 0;
	is_int(capture_exit(tid, &c), 0, "SIOCGIFCONF: outputs captured");
	out = through_text(c.out);
	ok(json_array_size(json_object_get(json_object_get(out, "arg"), "ifs")) == 2,
	    "SIOCGIFCONF: two interfaces");
	c.a[2] = (uint64_t)(uintptr_t)&ifc_dst;
	is_int(inject_out(tid, &c, out, 0), 0, "SIOCGIFCONF: injected into a larger list");
	struct ifconf gic;
	struct ifreq gif[3];
	ok(mem_read(tid, (uint64_t)(uintptr_t)&ifc_dst, &gic, sizeof gic) == 0 && gic.ifc_len == 80 &&
	    mem_read(tid, (uint64_t)(uintptr_t)ifr_dst, gif, sizeof gif) == 0 &&
	    memcmp(gif, ifr_src, sizeof ifr_src) == 0, "SIOCGIFCONF: the length and the list arrive");
	c.a[2] = (uint64_t)(uintptr_t)&ifc_small;
	is_int(inject_out(tid, &c, out, 0), -EINVAL, "SIOCGIFCONF: a list longer than the program's is refused");
	json_decref(out);
	call_reset(&c);

	/* ioctl TIOCGPTPEER: a new descriptor */
	c.nr = SYS_ioctl;
	c.sc = sc_by_name("ioctl");
	c.a[0] = 3;
	c.a[1] = _IO('T', 0x41);
	c.a[2] = O_RDWR | O_NOCTTY | O_CLOEXEC;
	is_int(capture_entry(tid, &c), 0, "TIOCGPTPEER: entry captured");
	ok(call_changes_fds(&c), "TIOCGPTPEER: makes a descriptor");
	ev = json_pack("{s:i}", "ret", 6);
	cloexec = false;
	is_int(c.sc->fam->newfds(&c, ev, fds, 8, &cloexec), 1, "TIOCGPTPEER: one descriptor");
	ok(fds[0] == 6 && cloexec, "TIOCGPTPEER: the result, close-on-exec from its flags");
	json_decref(ev);
	call_reset(&c);
	c.nr = SYS_ioctl;
	c.sc = sc_by_name("ioctl");
	c.a[1] = TCGETS;
	ok(!call_changes_fds(&c), "TCGETS: makes no descriptor");
	call_reset(&c);

	/* nanosleep interrupted: the time left is an output all the same */
	c.nr = SYS_nanosleep;
	c.sc = sc_by_name("nanosleep");
	c.a[0] = (uint64_t)(uintptr_t)&ts_in;
	c.a[1] = (uint64_t)(uintptr_t)&rem_src;
	is_int(capture_entry(tid, &c), 0, "nanosleep: entry captured");
	c.ret = -516;	/* ERESTART_RESTARTBLOCK */
	is_int(capture_exit(tid, &c), 0, "nanosleep interrupted: outputs captured");
	out = through_text(c.out);
	ok(json_int64_or(json_object_get(out, "rem"), "nsec", 0) == 900000000,
	    "nanosleep interrupted: the time left is kept");
	c.a[1] = (uint64_t)(uintptr_t)&rem_dst;
	is_int(inject_out(tid, &c, out, -516), 0, "nanosleep interrupted: the time left injected");
	struct timespec grem;
	ok(mem_read(tid, (uint64_t)(uintptr_t)&rem_dst, &grem, sizeof grem) == 0 &&
	    grem.tv_sec == 1 && grem.tv_nsec == 900000000, "nanosleep interrupted: the time left arrives");
	json_decref(out);
	json_decref(c.out);
	c.out = NULL;
	c.ret = -EFAULT;
	is_int(capture_exit(tid, &c), 0, "nanosleep failed: nothing captured");
	ok(c.out == NULL, "nanosleep failed: no outputs");
	call_reset(&c);

	/* poll: fds and events in, revents out */
	c.nr = SYS_poll;
	c.sc = sc_by_name("poll");
	c.a[0] = (uint64_t)(uintptr_t)pfd_src;
	c.a[1] = 2;
	c.a[2] = 100;
	is_int(capture_entry(tid, &c), 0, "poll: entry captured");
	ok(json_array_size(json_object_get(c.args, "fds")) == 2 &&
	    json_int64_or(json_array_get(json_object_get(c.args, "fds"), 1), "fd", 0) == 4,
	    "poll: the descriptors are inputs");
	c.ret = 1;
	is_int(capture_exit(tid, &c), 0, "poll: outputs captured");
	out = through_text(c.out);
	c.a[0] = (uint64_t)(uintptr_t)pfd_dst;
	is_int(inject_out(tid, &c, out, 1), 0, "poll: revents injected");
	struct pollfd gp[2];
	ok(mem_read(tid, (uint64_t)(uintptr_t)pfd_dst, gp, sizeof gp) == 0 &&
	    gp[0].revents == (POLLIN | POLLHUP) && gp[1].revents == 0, "poll: revents arrive");
	json_decref(out);
	call_reset(&c);
}

int
main(void)
{
	pid_t tid = 0;
	struct call c = { 0 };
	pid_t pid;
	int st;

	for (size_t i = 0; i < sizeof in_bytes; i++)
		in_bytes[i] = (unsigned char)(i * 7);
	in_bytes[5] = 0;		/* an embedded NUL */
	for (size_t i = 0; i < sizeof out_src; i++)
		out_src[i] = (unsigned char)(255 - i);
	memcpy(iov_a, "abcdefg", 7);
	memcpy(iov_b, "\x80\x81hijklm", 9);
	memcpy(iov_c, "nopqr", 5);
	iov_in[0] = (struct iovec){ iov_a, sizeof iov_a };
	iov_in[1] = (struct iovec){ iov_b, sizeof iov_b };
	iov_in[2] = (struct iovec){ iov_c, sizeof iov_c };
	iov_out[0] = (struct iovec){ iov_o1, sizeof iov_o1 };
	iov_out[1] = (struct iovec){ iov_o2, sizeof iov_o2 };
	iov_out[2] = (struct iovec){ iov_o3, sizeof iov_o3 };
	ts_out = (struct timespec){ 0, 0 };
	memcpy(data_b + 4, "ijkl", 4);
	iov_src[0] = (struct iovec){ data_a, sizeof data_a };
	iov_src[1] = (struct iovec){ data_b, sizeof data_b };
	iov_dst[0] = (struct iovec){ dst_a, sizeof dst_a };
	iov_dst[1] = (struct iovec){ dst_b, sizeof dst_b };
	msg_src = (struct msghdr){ .msg_name = name_src, .msg_namelen = sizeof name_src,
	    .msg_iov = iov_src, .msg_iovlen = 2, .msg_control = ctl_src.b,
	    .msg_controllen = build_control(ctl_src.b), .msg_flags = MSG_CTRUNC };
	msg_dst = (struct msghdr){ .msg_name = name_dst, .msg_namelen = sizeof name_dst,
	    .msg_iov = iov_dst, .msg_iovlen = 2, .msg_control = ctl_dst.b,
	    .msg_controllen = sizeof ctl_dst.b };
	pfd_dst[0] = (struct pollfd){ 3, POLLIN, 0 };
	pfd_dst[1] = (struct pollfd){ 4, POLLOUT, 0x7fff };

	if ((pid = fork()) < 0)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		for (;;)
			pause();
	}
	tid = pid;

	/* inputs: FD, PATH (UTF-8), IN (binary with NUL), UINT, IN_STRUCT, FLAGS */
	c.sc = &row;
	c.a[0] = (uint64_t)-100;	/* AT_FDCWD, as the kernel passes it */
	c.a[1] = (uint64_t)(uintptr_t)path_in;
	c.a[2] = (uint64_t)(uintptr_t)in_bytes;
	c.a[3] = sizeof in_bytes;
	c.a[4] = (uint64_t)(uintptr_t)&ts_in;
	c.a[5] = 02000000 | 0100;	/* O_CLOEXEC|O_CREAT, upper bits garbage below */
	c.a[5] |= 0xdead00000000ull;
	is_int(capture_entry(tid, &c), 0, "inputs captured from the child");
	json_t *args = through_text(c.args);
	ok(args != NULL, "inputs survive the text form");
	is_int((int)json_int64_or(args, "fd", 0), -100, "FD is a signed int");
	is_str(json_string_value(json_object_get(args, "path")), path_in, "PATH is a string");
	void *b;
	size_t n;
	ok(json_get_bytes(json_object_get(args, "buf"), &b, &n) == 0 && n == sizeof in_bytes &&
	    memcmp(b, in_bytes, n) == 0, "IN bytes (with a NUL, not UTF-8) kept exactly");
	free(b);
	is_int((int)json_int64_or(args, "count", 0), (int)sizeof in_bytes, "UINT kept");
	ok(json_int64_or(json_object_get(args, "ts"), "sec", 0) == 12 &&
	    json_int64_or(json_object_get(args, "ts"), "nsec", 0) == 345678901, "IN_STRUCT as named fields");
	is_int((int)json_int64_or(args, "flags", 0), 02000100, "FLAGS read as the kernel does (32 bits)");
	const char *which = NULL;
	is_int(args_compare(&row, args, c.args, &which), 0, "recorded and actual inputs match");
	json_object_set_new(args, "path", json_string("other"));
	ok(args_compare(&row, args, c.args, &which) == 1 && which && strcmp(which, "path") == 0,
	    "a changed path is found and named");
	json_decref(args);

	/* a non-UTF-8 path becomes bytes */
	c.a[1] = (uint64_t)(uintptr_t)path_bin;
	is_int(capture_entry(tid, &c), 0, "non-UTF-8 path captured");
	ok(json_is_object(json_object_get(c.args, "path")) &&
	    json_object_get(json_object_get(c.args, "path"), "b64"), "non-UTF-8 PATH stored as b64");
	c.a[1] = 0;
	is_int(capture_entry(tid, &c), 0, "NULL path captured");
	ok(json_is_null(json_object_get(c.args, "path")), "NULL PATH is null");
	call_reset(&c);

	/* IOV_IN, PTR (not compared), INOUT_STRUCT */
	static int64_t off = 4096;
	c.sc = &row_iov;
	c.a[0] = (uint64_t)(uintptr_t)iov_in;
	c.a[1] = 3;
	c.a[2] = 0x1234;
	c.a[3] = (uint64_t)(uintptr_t)&off;
	c.a[4] = 0xffffffffu;		/* int -1, upper half zero */
	c.a[5] = (uint64_t)-5;
	is_int(capture_entry(tid, &c), 0, "iovec inputs captured");
	ok(json_int64_or(c.args, "pid", 0) == -1, "INT32 -1 is -1, whatever the upper half");
	ok(json_int64_or(c.args, "pos", 0) == -5, "INT keeps 64 bits (-5)");
	c.a[4] = 0xdead00000007ull;
	c.a[5] = 1ull << 40;
	is_int(capture_entry(tid, &c), 0, "captured again");
	ok(json_int64_or(c.args, "pid", 0) == 7, "INT32 drops the upper half");
	ok(json_int64_or(c.args, "pos", 0) == (json_int_t)1 << 40, "INT keeps 2^40");
	c.a[4] = 0xffffffffu;
	c.a[5] = (uint64_t)-5;
	is_int(capture_entry(tid, &c), 0, "captured once more");
	ok(json_get_bytes(json_object_get(c.args, "iov"), &b, &n) == 0 && n == 21 &&
	    memcmp(b, "abcdefg\x80\x81hijklm\0nopqr", 21) == 0, "IOV_IN gathered in order");
	free(b);
	json_t *other = json_deep_copy(c.args);
	json_object_set_new(other, "addr", json_integer(0x9999));
	is_int(args_compare(&row_iov, other, c.args, &which), 0, "PTR arguments are not compared");
	json_object_set_new(other, "pid", json_integer(4294967295));
	is_int(args_compare(&row_iov, other, c.args, &which), 0,
	    "an INT32 of an older trace (4294967295) matches -1");
	json_object_set_new(other, "pos", json_integer(4294967291));
	is_int(args_compare(&row_iov, other, c.args, &which), 1, "an INT compares all 64 bits");
	json_decref(other);
	c.a[5] = ((uint64_t)1 << 60) + 1;
	is_int(capture_entry(tid, &c), 0, "captured with an INT beyond 2^53");
	is_str(json_string_value(json_object_get(c.args, "pos")), "1152921504606846977",
	    "INT 2^60+1 is the string of its digits");
	other = through_text(c.args);
	is_int(args_compare(&row_iov, other, c.args, &which), 0, "and matches itself through the text");
	json_object_set_new(other, "pos", json_integer((json_int_t)c.a[5]));
	is_int(args_compare(&row_iov, other, c.args, &which), 0, "an older trace's number matches it");
	json_object_set_new(other, "pos", json_integer((json_int_t)c.a[5] - 1));
	ok(args_compare(&row_iov, other, c.args, &which) == 1 && strcmp(which, "pos") == 0,
	    "one less (as a double rounds it) does not");
	json_object_set_new(other, "pos", json_real((double)c.a[5]));
	is_int(args_compare(&row_iov, other, c.args, &which), 1, "nor does the double nearest to it");
	json_decref(other);
	c.a[5] = (uint64_t)-5;
	is_int(capture_entry(tid, &c), 0, "captured with -5 again");
	is_int((int)json_int64_or(json_object_get(c.args, "off"), "value", 0), 4096, "INOUT_STRUCT read at entry");
	call_reset(&c);

	/* outputs: OUT (filled up to ret), OUT_STRUCT, IOV_OUT; then inject elsewhere */
	c.sc = &row_out;
	c.a[0] = (uint64_t)(uintptr_t)out_src;
	c.a[1] = sizeof out_src;
	c.a[2] = (uint64_t)(uintptr_t)&ts_in;
	c.a[3] = (uint64_t)(uintptr_t)iov_in;
	c.a[4] = 3;
	c.a[5] = 0644;
	c.ret = 17;
	is_int(capture_entry(tid, &c), 0, "entry of an output call");
	is_int((int)json_int64_or(c.args, "mode", 0), 0644, "MODE kept");
	is_int(capture_exit(tid, &c), 0, "outputs captured");
	json_t *out = through_text(c.out);
	ok(json_get_bytes(json_object_get(out, "buf"), &b, &n) == 0 && n == 17 &&
	    memcmp(b, out_src, 17) == 0, "OUT holds exactly ret bytes");
	free(b);
	ok(json_get_bytes(json_object_get(out, "iov"), &b, &n) == 0 && n == 17, "IOV_OUT holds ret bytes");
	free(b);
	/* inject into other buffers of the child, then read them back */
	c.a[0] = (uint64_t)(uintptr_t)out_dst;
	c.a[2] = (uint64_t)(uintptr_t)&ts_out;
	c.a[3] = (uint64_t)(uintptr_t)iov_out;
	is_int(inject_out(tid, &c, out, 17), 0, "outputs injected");
	unsigned char got[300];
	struct timespec ts;
	char io1[7], io2[9], io3[5];
	ok(mem_read(pid, (uint64_t)(uintptr_t)out_dst, got, 17) == 0 && memcmp(got, out_src, 17) == 0,
	    "OUT bytes arrive in the task");
	ok(mem_read(pid, (uint64_t)(uintptr_t)&ts_out, &ts, sizeof ts) == 0 &&
	    ts.tv_sec == 12 && ts.tv_nsec == 345678901, "OUT_STRUCT arrives in the task");
	ok(mem_read(pid, (uint64_t)(uintptr_t)iov_o1, io1, 7) == 0 &&
	    mem_read(pid, (uint64_t)(uintptr_t)iov_o2, io2, 9) == 0 &&
	    mem_read(pid, (uint64_t)(uintptr_t)iov_o3, io3, 5) == 0 &&
	    memcmp(io1, "abcdefg", 7) == 0 && memcmp(io2, "\x80\x81hijklm", 9) == 0 &&
	    memcmp(io3, "n", 1) == 0, "IOV_OUT scattered across the task's buffers");
	/* an edited trace asking more than the buffer holds is refused */
	c.a[1] = 4;
	is_int(inject_out(tid, &c, out, 17), -EINVAL, "OUT larger than the buffer is refused");
	json_decref(out);
	call_reset(&c);

	/* events: ret and err */
	c.sc = &row;
	c.nr = -1;
	c.args = json_object();
	c.ret = -2;
	json_t *ev = event_new(7, 42, &c);
	int okk;
	is_str(json_string_value(json_object_get(ev, "err")), "ENOENT", "errors stored by name");
	is_int((int)event_result(ev, &okk), -2, "and read back as -errno");
	json_decref(ev);
	c.ret = (long)(((uint64_t)1 << 60) + 3);
	ev = event_new(TRACE_EXACT_MAX + 1, 42, &c);
	json_t *evt = through_text(ev);
	is_str(json_string_value(json_object_get(evt, "ret")), "1152921504606846979",
	    "a result beyond 2^53 is a string");
	ok(event_result(evt, &okk) == c.ret && okk, "and reads back");
	is_str(json_string_value(json_object_get(evt, "seq")), "9007199254740993", "so is a seq beyond 2^53");
	json_object_set_new(evt, "ret", json_integer(c.ret));
	ok(event_result(evt, &okk) == c.ret && okk, "an older trace's number for it reads too");
	json_decref(evt);
	json_decref(ev);
	call_reset(&c);

	/* futex: the arguments its command ignores are not compared (glibc
	 * leaves junk in r9 for a FUTEX_WAKE), those it uses are */
	const struct sc_desc *fx = sc_by_name("futex");
	const char *w2 = NULL;
	json_t *fa = json_pack("{s:i, s:i, s:i, s:I}", "op", 129, "val", 1, "timeout", 0, "val3", (json_int_t)140737488348512);
	json_t *fb = json_pack("{s:i, s:i, s:i, s:I}", "op", 129, "val", 1, "timeout", 7, "val3", (json_int_t)140737488348400);
	is_int(args_compare(fx, fa, fb, &w2), 0, "FUTEX_WAKE_PRIVATE: timeout and val3 are not compared");
	json_object_set_new(fb, "val", json_integer(2));
	ok(args_compare(fx, fa, fb, &w2) == 1 && w2 && strcmp(w2, "val") == 0, "FUTEX_WAKE_PRIVATE: val is");
	json_object_set_new(fa, "op", json_integer(137));	/* FUTEX_WAIT_BITSET_PRIVATE */
	json_object_set_new(fb, "op", json_integer(137));
	json_object_set_new(fb, "val", json_integer(1));
	json_object_set_new(fb, "timeout", json_integer(0));
	ok(args_compare(fx, fa, fb, &w2) == 1 && w2 && strcmp(w2, "val3") == 0,
	    "FUTEX_WAIT_BITSET: val3 (the bitset) is compared");
	json_decref(fa);
	json_decref(fb);

	struct_round_trips();
	number_round_trips();
	family_round_trips(tid);

	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return done_testing();
}
