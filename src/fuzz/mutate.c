/* mutate.c: the mutation operators and mutated traces (mutate.h). */
#include "config.h"
#include "sys/rng.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz/errtab.h"
#include "fuzz/mutate.h"
#include "sys/capture.h"
#include "sys/systable.h"
#include "sys/xlat.h"
#include "trace/blobline.h"
#include "trace/bytes.h"
#include "trace/io.h"
#include "trace/number.h"

static const char *const op_names[MO__N] = { "error", "short", "eintr", "flip", "clock", "dirs", "stat",
	"bytes" };

const char *
mut_op_name(enum mut_op op)
{
	return op < MO__N ? op_names[op] : "?";
}

int
mut_parse_ops(const char *list, unsigned *mask, char *err, size_t errlen)
{
	char bad[256];
	int e = xlat_parse_names(list, op_names, MO__N, mask, bad, sizeof bad);

	if (e == -EINVAL && bad[0])
		snprintf(err, errlen, "unknown mutation '%s' (expected error, short, eintr, flip, "
		    "clock, dirs, stat, bytes or all, separated by commas)", bad);
	else if (e == -EINVAL)
		snprintf(err, errlen, "no mutation given (expected error, short, eintr, flip, clock, dirs, "
		    "stat, bytes or all)");
	return e;
}

uint64_t
mut_rand(uint64_t *s)
{
	return splitmix64(s);
}

static bool
is(const char *s, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return true;
	return false;
}

static const char *const reads[] = { "read", "pread64", "readv", "preadv", "preadv2", "recvfrom", NULL };
static const char *const writes[] = { "write", "pwrite64", "writev", "pwritev", "pwritev2", "sendto", NULL };
/* Calls a signal can interrupt with EINTR (signal(7)). */
static const char *const interruptible[] = {
	"read", "readv", "write", "writev", "recvfrom", "sendto", "recvmsg", "sendmsg", "accept",
	"accept4", "connect", "wait4", "waitid", "poll", "ppoll", "select", "pselect6", "epoll_wait",
	"epoll_pwait", "nanosleep", "clock_nanosleep", "flock", "pause",
	"rt_sigsuspend", "rt_sigtimedwait", "msgrcv", "msgsnd", "semop", "close", NULL,
};
/* Calls whose failure the replay cannot stand for, or that are dios's
 * own (the serial schedule's futexes). */
static const char *const never[] = { "futex", "exit", "exit_group", "rt_sigreturn", "execve",
	"execveat", NULL };

static const char *
data_key(const char *sys)
{
	return strstr(sys, "readv") ? "iov" : "buf";
}

static const char *const stats[] = { "stat", "lstat", "fstat", "newfstatat", "statx", NULL };

/* The stat buffer of a stat event's outputs (the object with a size and
 * times), or NULL. */
static json_t *
stat_buf(json_t *out)
{
	const char *k;
	json_t *v;

	json_object_foreach(out, k, v)
		if (json_is_object(v) && json_object_get(v, "size") && json_object_get(v, "mtime_sec"))
			return v;
	return NULL;
}

static bool
is_clock(const char *sys)
{
	return !strcmp(sys, "clock_gettime") || !strcmp(sys, "gettimeofday") || !strcmp(sys, "time");
}

/* A word of the dictionary: printable, no space, 2 bytes or more. */
static void
dict_words(struct mut_dict *d, const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && d->n < 64) {
		while (i < n && !(p[i] > 0x20 && p[i] < 0x7f))
			i++;
		size_t b = i;
		while (i < n && p[i] > 0x20 && p[i] < 0x7f)
			i++;
		size_t len = i - b;
		if (len < 2 || len >= MUT_TOKEN_MAX)
			continue;
		bool seen = false;
		for (size_t k = 0; k < d->n && !seen; k++)
			seen = d->len[k] == len && !memcmp(d->tok[k], p + b, len);
		if (!seen) {
			memcpy(d->tok[d->n], p + b, len);
			d->len[d->n++] = (unsigned char)len;
		}
	}
}

void
mut_dict_learn(struct mut_dict *d, const json_t *ev)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const char *path = json_string_value(json_object_get(json_object_get(ev, "args"), "path"));
	void *p;
	size_t n;

	if (sys == NULL || d->n >= 64)
		return;
	if (path)
		dict_words(d, (const unsigned char *)path, strlen(path));
	if (is(sys, reads) && json_get_bytes(json_object_get(json_object_get(ev, "out"), data_key(sys)), &p, &n) == 0) {
		dict_words(d, p, n < 4096 ? n : 4096);
		free(p);
	}
}

bool
mut_applies(enum mut_op op, const json_t *ev)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	int ok;
	long ret = event_result(ev, &ok);

	if (sys == NULL || !ok || json_object_get(ev, "unknown") || is(sys, never))
		return false;
	switch (op) {
	case MO_ERROR: {
		/* Replay runs the descriptor-table calls for real: of those only
		 * close can fail and still have done its work (close(2)). */
		const struct sc_desc *sc = sc_by_name(sys);
		if (sc == NULL || ret < 0)
			return false;
		if (!strcmp(sys, "fcntl")) {
			int64_t cmd = json_int64_or(json_object_get(ev, "args"), "cmd", -1);
			return cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC;
		}
		return !(sc->flags & SC_RUN_REAL) || !strcmp(sys, "close");
	}
	case MO_SHORT:
		return ret > 1 && (is(sys, reads) || is(sys, writes));
	case MO_EINTR:
		return ret >= 0 && is(sys, interruptible);
	case MO_FLIP:
		return ret > 0 && is(sys, reads) &&
		    json_object_get(json_object_get(ev, "out"), data_key(sys)) != NULL;
	case MO_CLOCK:
		return ret >= 0 && is_clock(sys);
	case MO_DIRS:
		return ret > 0 && !strcmp(sys, "getdents64");
	case MO_STAT:
		return ret == 0 && is(sys, stats) && stat_buf(json_object_get(ev, "out")) != NULL;
	case MO_BYTES:
		return ret > 0 && is(sys, reads) &&
		    json_bytes_len(json_object_get(json_object_get(ev, "out"), data_key(sys))) > 0;
	default:
		return false;
	}
}

bool
mut_choose(enum mut_op op, const json_t *ev, uint64_t *rng, const struct mut_dict *d, struct mutation *m)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	int ok;
	long ret = event_result(ev, &ok);

	if (!mut_applies(op, ev))
		return false;
	memset(m, 0, sizeof *m);
	m->seq = (uint64_t)json_int64_or(ev, "seq", 0);
	m->op = op;
	snprintf(m->sys, sizeof m->sys, "%s", sys);
	switch (op) {
	case MO_ERROR: {
		const struct errtab_row *row = errtab_find(sc_by_name(sys));
		size_t n = 0;
		while (row->fuzz[n])
			n++;
		if (n == 0)
			return false;
		m->err = row->fuzz[mut_rand(rng) % n];
		break;
	}
	case MO_EINTR:
		m->err = EINTR;
		break;
	case MO_SHORT:
		m->arg = 1 + mut_rand(rng) % (uint64_t)(ret - 1);
		break;
	case MO_FLIP: {
		ssize_t n = json_bytes_len(json_object_get(json_object_get(ev, "out"), data_key(sys)));
		if (n <= 0)
			return false;
		m->arg = mut_rand(rng) % ((uint64_t)n * 8);
		break;
	}
	case MO_CLOCK:
		m->arg = mut_rand(rng) % 3;
		break;
	case MO_DIRS:
		m->arg = mut_rand(rng) | 1;
		break;
	case MO_STAT:
		m->arg = mut_rand(rng) % 4;
		break;
	case MO_BYTES: {
		ssize_t n = json_bytes_len(json_object_get(json_object_get(ev, "out"), data_key(sys)));
		uint64_t what = mut_rand(rng) % (d && d->n ? MB__N : MB_TOKEN);
		if (n <= 0)
			return false;
		m->arg = what | ((mut_rand(rng) % (uint64_t)n) << 8);
		if (what == MB_TOKEN) {
			size_t k = (size_t)(mut_rand(rng) % d->n);
			memcpy(m->tok, d->tok[k], d->len[k]);
			m->ntok = d->len[k];
		}
		break;
	}
	default:
		return false;
	}
	return true;
}

/* out's bytes member key with fn applied to its decoded bytes. */
static int
change_bytes(json_t *out, const char *key, size_t keep, int64_t flip)
{
	void *p;
	size_t n;
	json_t *b = json_object_get(out, key);

	if (b == NULL || json_get_bytes(b, &p, &n) < 0)
		return -EINVAL;
	if (keep < n)
		n = keep;
	if (flip >= 0 && (uint64_t)flip / 8 < n)
		((unsigned char *)p)[flip / 8] ^= (unsigned char)(1u << (flip % 8));
	json_object_set_new(out, key, json_bytes(p, n));
	free(p);
	return 0;
}

/* MO_BYTES: the data at key of out changed at one place (m->arg). */
static int
change_at(json_t *out, const char *key, const struct mutation *m)
{
	static const unsigned char values[MB_VALUES] = { 0x00, 0xff, 0x7f, 0x80, 0x01, ' ', '\n', '%' };
	static const uint32_t ints[4] = { 0, 0xffffffffu, 0x7fffffffu, 0x80000000u };
	void *p;
	size_t n;
	json_t *b = json_object_get(out, key);

	if (b == NULL || json_get_bytes(b, &p, &n) < 0)
		return -EINVAL;
	unsigned char *c = p;
	size_t at = (size_t)(m->arg >> 8), what = (size_t)(m->arg & 0xff);
	if (at < n) {
		if (what < MB_VALUES)
			c[at] = values[what];
		else if (what < MB_ZERO16) {
			uint32_t v = ints[what - MB_INT32];
			for (size_t i = 0; i < 4 && at + i < n; i++)
				c[at + i] = (unsigned char)(v >> (8 * i));
		} else if (what == MB_ZERO16)
			memset(c + at, 0, n - at < 16 ? n - at : 16);
		else if (what == MB_TOKEN)
			memcpy(c + at, m->tok, n - at < m->ntok ? n - at : m->ntok);
	}
	json_object_set_new(out, key, json_bytes(p, n));
	free(p);
	return 0;
}

/* getdents64's records in another order (as chaos does: each record's
 * d_off stays in its place). */
static int
shuffle_dirents(json_t *out, uint64_t seed)
{
	void *p;
	size_t n, off = 0, nrec = 0;
	json_t *b = json_object_get(out, "dirp");
	enum { MAXREC = 4096 };
	size_t at[MAXREC];

	if (b == NULL || json_get_bytes(b, &p, &n) < 0)
		return -EINVAL;
	unsigned char *buf = p, *o = malloc(n ? n : 1);
	int64_t *doff = malloc(MAXREC * sizeof *doff);
	int e = -EINVAL;
	if (o == NULL || doff == NULL)
		goto done;
	while (off + 19 <= n && nrec < MAXREC) {
		unsigned short reclen;
		memcpy(&reclen, buf + off + 16, sizeof reclen);
		if (reclen < 19 || off + reclen > n)
			goto done;
		memcpy(&doff[nrec], buf + off + 8, sizeof doff[nrec]);
		at[nrec++] = off;
		off += reclen;
	}
	if (off != n || nrec < 2)
		goto done;
	for (size_t i = nrec - 1; i > 0; i--) {
		size_t j = (size_t)(mut_rand(&seed) % (i + 1)), x = at[i];
		at[i] = at[j];
		at[j] = x;
	}
	off = 0;
	for (size_t i = 0; i < nrec; i++) {
		unsigned short reclen;
		memcpy(&reclen, buf + at[i] + 16, sizeof reclen);
		memcpy(o + off, buf + at[i], reclen);
		memcpy(o + off + 8, &doff[i], sizeof doff[i]);
		off += reclen;
	}
	json_object_set_new(out, "dirp", json_bytes(o, n));
	e = 0;
done:
	free(p);
	free(o);
	free(doff);
	return e;
}

json_t *
mut_apply(const struct mutation *m, const json_t *ev, const json_t *before)
{
	json_t *c, *out;

	if (m->op == MO_CLOCK && m->arg == 2 && before == NULL)
		return NULL;	/* no reading before this one */
	if ((c = json_deep_copy(ev)) == NULL)
		return NULL;
	out = json_object_get(c, "out");
	switch (m->op) {
	case MO_ERROR: case MO_EINTR: {
		const char *en = errno_name(m->err);
		json_object_del(c, "ret");
		json_object_del(c, "out");
		json_object_del(c, "map");
		json_object_set_new(c, "err", json_string(en ? en : "EIO"));
		break;
	}
	case MO_SHORT:
		json_object_set_new(c, "ret", json_int64((int64_t)m->arg));
		if (out && is(m->sys, reads))
			change_bytes(out, data_key(m->sys), (size_t)m->arg, -1);
		break;
	case MO_FLIP:
		if (out)
			change_bytes(out, data_key(m->sys), SIZE_MAX, (int64_t)m->arg);
		break;
	case MO_CLOCK: {
		const char *tk = !strcmp(m->sys, "clock_gettime") ? "tp" : "tv";
		json_t *tp = json_object_get(out, tk);
		if (m->arg == 2) {
			/* the same as the reading before */
			json_t *was = json_object_get(json_object_get(before, "out"), tk);
			if (tp && was)
				json_object_set_new(out, tk, json_deep_copy(was));
			if (!strcmp(m->sys, "time"))
				json_object_set(c, "ret", json_object_get(before, "ret"));
			break;
		}
		int64_t d = m->arg ? 3600 : -10;
		if (tp)
			json_object_set_new(tp, "sec", json_int64(json_int64_or(tp, "sec", 0) + d));
		if (!strcmp(m->sys, "time"))
			json_object_set_new(c, "ret", json_int64(json_int64_or(c, "ret", 0) + d));
		break;
	}
	case MO_STAT: {
		json_t *sb = stat_buf(out);
		int64_t size = json_int64_or(sb, "size", 0);
		if (sb == NULL)
			break;
		if (m->arg < 3)
			json_object_set_new(sb, "size", json_int64(m->arg == 0 ? 0 : m->arg == 1 ? 2 * size + 1 : size / 2));
		else {
			static const char *const times[] = { "atime_sec", "mtime_sec", "ctime_sec", NULL };
			for (int i = 0; times[i]; i++)
				if (json_object_get(sb, times[i]))
					json_object_set_new(sb, times[i], json_int64(json_int64_or(sb, times[i], 0) - 3600));
		}
		break;
	}
	case MO_BYTES:
		if (out)
			change_at(out, data_key(m->sys), m);
		break;
	case MO_DIRS:
		if (out)
			shuffle_dirents(out, m->arg);
		break;
	default:
		break;
	}
	return c;
}

json_t *
mut_to_json(const struct mutation *m)
{
	json_t *j = json_pack("{s:o, s:s, s:s}", "seq", json_uint64(m->seq), "sys", m->sys, "op",
	    mut_op_name(m->op));

	if (j == NULL)
		return NULL;
	if (m->nth) {
		json_object_set_new(j, "tid", json_int64(m->tid));
		json_object_set_new(j, "nth", json_uint64(m->nth));
	}
	if (m->op == MO_ERROR || m->op == MO_EINTR)
		json_object_set_new(j, "err", json_string(errno_name(m->err) ? errno_name(m->err) : "?"));
	else
		json_object_set_new(j, "arg", json_uint64(m->arg));
	if (m->ntok)
		json_object_set_new(j, "tok", json_bytes(m->tok, m->ntok));
	return j;
}

int
mut_from_json(const json_t *j, struct mutation *m)
{
	const char *op = json_string_value(json_object_get(j, "op"));
	const char *sys = json_string_value(json_object_get(j, "sys"));
	int i;

	memset(m, 0, sizeof *m);
	if (op == NULL || sys == NULL || json_uint64_get(json_object_get(j, "seq"), &m->seq) < 0)
		return -EINVAL;
	for (i = 0; i < MO__N && strcmp(op, op_names[i]) != 0; i++)
		;
	if (i == MO__N)
		return -EINVAL;
	m->op = (enum mut_op)i;
	if (strlen(sys) >= sizeof m->sys)
		return -EINVAL;
	snprintf(m->sys, sizeof m->sys, "%s", sys);
	json_t *tid = json_object_get(j, "tid"), *nth = json_object_get(j, "nth");
	if (tid || nth) {
		if (!json_is_integer(tid) || json_uint64_get(nth, &m->nth) < 0 || m->nth == 0)
			return -EINVAL;
		m->tid = json_integer_value(tid);
	}
	if (m->op == MO_ERROR || m->op == MO_EINTR) {
		const char *en = json_string_value(json_object_get(j, "err"));
		if (en == NULL || (m->err = errno_from_name(en)) <= 0)
			return -EINVAL;
	} else if (json_uint64_get(json_object_get(j, "arg"), &m->arg) < 0)
		return -EINVAL;
	json_t *tok = json_object_get(j, "tok");
	if (tok) {
		void *p;
		size_t n;
		if (json_get_bytes(tok, &p, &n) < 0)
			return -EINVAL;
		if (n == 0 || n >= MUT_TOKEN_MAX) {
			free(p);
			return -EINVAL;
		}
		memcpy(m->tok, p, n);
		m->ntok = n;
		free(p);
	}
	return 0;
}

json_t *
mut_event_at(const char *path, uint64_t seq, char *err, size_t errlen)
{
	struct trace_reader *r = NULL;
	json_t *line, *found = NULL;
	int e;

	if ((e = trace_reader_open(&r, path)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
		return NULL;
	}
	while (found == NULL && (e = trace_read(r, &line)) > 0) {
		if (json_object_get(line, "sys") && (uint64_t)json_int64_or(line, "seq", -1) == seq)
			found = line;
		else
			json_decref(line);
	}
	if (found == NULL)
		snprintf(err, errlen, "%s: no event %llu", path, (unsigned long long)seq);
	trace_reader_close(r);
	return found;
}

/* --- plans ------------------------------------------------------------------ */

struct counter {
	int64_t vtid;
	char sys[32];		/* "" : a free slot */
	uint64_t n;
};

struct mut_calls {
	struct counter *slot;	/* open addressing, a power of two */
	size_t nslot, used;
};

struct mut_plan {
	struct mutation *m;
	bool *applied;
	size_t n, napplied;
	json_t *clocks;		/* "vtid sys clockid" -> the last reading answered */
	struct mut_calls *calls;
};

void
mut_plan_free(struct mut_plan *p)
{
	if (p == NULL)
		return;
	free(p->m);
	free(p->applied);
	mut_calls_free(p->calls);
	json_decref(p->clocks);
	free(p);
}

int
mut_plan_load(const char *path, struct mut_plan **out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *a = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	struct mut_plan *p;
	size_t i;
	json_t *x;

	*out = NULL;
	if (a == NULL) {
		snprintf(err, errlen, "%s: %s", path, access(path, F_OK) < 0 ? strerror(errno) : je.text);
		return -EINVAL;
	}
	if (!json_is_array(a)) {
		snprintf(err, errlen, "%s: expected an array of mutations", path);
		json_decref(a);
		return -EINVAL;
	}
	if ((p = calloc(1, sizeof *p)) == NULL || (p->m = calloc(json_array_size(a) + 1, sizeof *p->m)) == NULL ||
	    (p->applied = calloc(json_array_size(a) + 1, sizeof *p->applied)) == NULL ||
	    (p->calls = mut_calls_new()) == NULL || (p->clocks = json_object()) == NULL) {
		mut_plan_free(p);
		json_decref(a);
		return -ENOMEM;
	}
	json_array_foreach(a, i, x) {
		if (mut_from_json(x, &p->m[i]) < 0 || p->m[i].nth == 0) {
			snprintf(err, errlen, "%s: mutation %zu: expected {\"tid\", \"nth\", \"sys\", \"op\", "
			    "\"err\" or \"arg\"} (dios-fuzz(1))", path, i + 1);
			mut_plan_free(p);
			json_decref(a);
			return -EINVAL;
		}
		p->n++;
	}
	json_decref(a);
	*out = p;
	return 0;
}

int
mut_plan_write(const char *path, const struct mutation *m, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, mut_to_json(&m[i]));
	int e = a && json_dump_file(a, path, JSON_COMPACT) == 0 ? 0 : -EIO;
	json_decref(a);
	return e;
}

json_t *
mut_plan_json(const struct mut_plan *p)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < p->n; i++)
		json_array_append_new(a, mut_to_json(&p->m[i]));
	return a;
}

size_t
mut_plan_applied(const struct mut_plan *p)
{
	return p ? p->napplied : 0;
}

struct mut_calls *
mut_calls_new(void)
{
	struct mut_calls *c = calloc(1, sizeof *c);

	if (c && (c->slot = calloc(64, sizeof *c->slot)) == NULL) {
		free(c);
		return NULL;
	}
	if (c)
		c->nslot = 64;
	return c;
}

void
mut_calls_free(struct mut_calls *c)
{
	if (c)
		free(c->slot);
	free(c);
}

static size_t
slot_of(const struct counter *s, size_t nslot, int64_t vtid, const char *sys)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)vtid;
	for (const char *c = sys; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	size_t i = (size_t)h & (nslot - 1);
	while (s[i].sys[0] && (s[i].vtid != vtid || strcmp(s[i].sys, sys)))
		i = (i + 1) & (nslot - 1);
	return i;
}

uint64_t
mut_calls_next(const struct mut_calls *c, int64_t vtid, const char *sys)
{
	if (sys == NULL || strlen(sys) >= sizeof c->slot[0].sys)
		return 0;
	size_t i = slot_of(c->slot, c->nslot, vtid, sys);
	return (c->slot[i].sys[0] ? c->slot[i].n : 0) + 1;
}

uint64_t
mut_calls_count(struct mut_calls *c, int64_t vtid, const char *sys)
{
	if (sys == NULL || strlen(sys) >= sizeof c->slot[0].sys)
		return 0;
	if (2 * (c->used + 1) > c->nslot) {
		size_t n2 = 2 * c->nslot;
		struct counter *s2 = calloc(n2, sizeof *s2);
		if (s2 == NULL)
			return 0;
		for (size_t i = 0; i < c->nslot; i++)
			if (c->slot[i].sys[0])
				s2[slot_of(s2, n2, c->slot[i].vtid, c->slot[i].sys)] = c->slot[i];
		free(c->slot);
		c->slot = s2;
		c->nslot = n2;
	}
	size_t i = slot_of(c->slot, c->nslot, vtid, sys);
	if (!c->slot[i].sys[0]) {
		c->slot[i].vtid = vtid;
		snprintf(c->slot[i].sys, sizeof c->slot[i].sys, "%s", sys);
		c->used++;
	}
	return ++c->slot[i].n;
}

static bool
is_eintr(const struct mutation *m)
{
	return m->op == MO_EINTR || (m->op == MO_ERROR && m->err == EINTR);
}

bool
mut_plan_next_eintr(const struct mut_plan *p, int64_t vtid, const char *sys)
{
	uint64_t next = p ? mut_calls_next(p->calls, vtid, sys) : 0;

	if (next == 0)
		return false;
	for (size_t k = 0; k < p->n; k++)
		if (!p->applied[k] && p->m[k].tid == vtid && p->m[k].nth == next && !strcmp(p->m[k].sys, sys) &&
		    is_eintr(&p->m[k]))
			return true;
	return false;
}

json_t *
mut_plan_apply(struct mut_plan *p, int64_t vtid, const char *sys, const json_t *ev, bool may_interrupt)
{
	uint64_t nth = p ? mut_calls_count(p->calls, vtid, sys) : 0;

	if (nth == 0)
		return NULL;
	json_t *c = NULL;
	char ck[80] = "";
	if (ev && is_clock(sys))
		snprintf(ck, sizeof ck, "%lld %s %lld", (long long)vtid, sys,
		    (long long)json_int64_or(json_object_get(ev, "args"), "clockid", -1));
	for (size_t i = 0; i < p->n; i++) {
		const struct mutation *m = &p->m[i];
		if (p->applied[i] || m->tid != vtid || m->nth != nth || strcmp(m->sys, sys) != 0)
			continue;
		if (!may_interrupt && is_eintr(m))
			continue;	/* no handler to interrupt it: it cannot happen */
		const json_t *from = c ? c : ev;
		if (from == NULL || !mut_applies(m->op, from))
			continue;
		json_t *n = mut_apply(m, from, ck[0] ? json_object_get(p->clocks, ck) : NULL);
		if (n == NULL)
			continue;
		json_decref(c);
		c = n;
		p->applied[i] = true;
		p->napplied++;
	}
	if (ck[0])
		json_object_set(p->clocks, ck, c ? c : (json_t *)ev);	/* what the program read */
	return c;
}
