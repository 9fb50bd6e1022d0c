/* fuzz-trace-tool.c: what dios-trace does with each event of a trace that
 * may have been edited by hand must never crash or leak: rendering
 * (render_event_opts with descriptor paths), following descriptors
 * (fdpaths), selecting (tracesel), and the parsers of -e trace= and
 * --ignore.  A fixed-seed loop over events built from the syscall table
 * with every member replaced by values of random types and sizes, and over
 * mutations of valid option strings.  Prints TAP.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "trace/bytes.h"
#include "inspect/fdpaths.h"
#include "inspect/render.h"
#include "sys/systable.h"
#include "inspect/diff.h"
#include "inspect/select.h"

static unsigned long long rng = 0x2545F4914F6CDD1DULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned)(rng % n) : 0;
}

static json_t *
random_value(int depth)
{
	static const char *const strs[] = { "", "/", "a.txt", "/dev/urandom", "..", "\xff\xfe",
	    "SIGINT", "ENOENT", "E99999", "ERESTARTSYS" };
	static const long long nums[] = { 0, 1, 3, -1, -100, 1 << 20, (1 << 20) + 1, 2147483647,
	    -2147483648LL, 9223372036854775807LL, 524288, 64 };
	char buf[64];

	switch (rnd(depth > 2 ? 5 : 8)) {
	case 0: return json_integer(nums[rnd(sizeof nums / sizeof *nums)]);
	case 1: return json_integer((json_int_t)rng);
	case 2: return json_string(strs[rnd(sizeof strs / sizeof *strs)]);
	case 3: return json_null();
	case 4:
		for (size_t i = 0; i < sizeof buf; i++)
			buf[i] = (char)rnd(256);
		return json_bytes(buf, rnd(sizeof buf));
	case 5: {
		json_t *o = json_object();
		json_object_set_new(o, rnd(2) ? "b64" : "text", json_string(rnd(2) ? "!!" : "QUJD"));
		return o;
	}
	case 6: {
		json_t *a = json_array();
		for (unsigned i = rnd(10); i > 0; i--)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (unsigned i = rnd(4); i > 0; i--) {
			snprintf(buf, sizeof buf, rnd(2) ? "sec" : "k%u", rnd(5));
			json_object_set_new(o, buf, random_value(depth + 1));
		}
		return o;
	}
	}
}

static json_t *
random_event(unsigned long seq)
{
	const struct sc_desc *sc = &sc_table[rnd((unsigned)sc_count)];
	json_t *ev = json_object(), *args = json_object(), *out = json_object();

	json_object_set_new(ev, "seq", rnd(20) ? json_integer((json_int_t)seq) : random_value(0));
	json_object_set_new(ev, "tid", rnd(20) ? json_integer(100 + rnd(3)) : random_value(0));
	switch (rnd(12)) {
	case 0:
		json_object_set_new(ev, "event", json_string(rnd(2) ? "signal" : "rdtscp"));
		json_object_set_new(ev, rnd(2) ? "sig" : "value", random_value(0));
		json_object_set_new(ev, "aux", random_value(0));
		json_decref(args);
		json_decref(out);
		return ev;
	case 1:
		json_object_set_new(ev, "sys", json_string("syscall_999"));
		json_object_set_new(ev, "unknown", json_true());
		json_object_set_new(args, "raw", random_value(0));
		break;
	default:
		json_object_set_new(ev, "sys", json_string(sc->name));
		for (int i = 0; i < sc->nargs; i++) {
			json_t *v;
			if (rnd(3) == 0)
				v = random_value(0);
			else if (sc->args[i].kind == A_PATH)
				v = json_string(rnd(2) ? "x" : "/dev/urandom");
			else
				v = json_integer(rnd(2) ? (json_int_t)rnd(8) : -100);
			json_object_set_new(rnd(4) ? args : out, sc->args[i].name, v);
		}
		if (rnd(8) == 0)
			json_object_set_new(args, "how", random_value(0));
		break;
	}
	if (rnd(20)) {
		json_object_set_new(ev, "args", args);
	} else {
		json_object_set_new(ev, "args", random_value(0));
		json_decref(args);
	}
	json_object_set_new(ev, "out", out);
	if (rnd(3))
		json_object_set_new(ev, "ret", rnd(4) ? json_integer(rnd(8)) : random_value(0));
	else
		json_object_set_new(ev, "err", rnd(2) ? json_string("EBADF") : random_value(0));
	return ev;
}

static const char *const specs[] = {
	"trace=file", "trace=!fd,read", "file,%clock", "trace=", "trace=!", "x=y", ",,,",
	"trace=rdtsc,rdtscp,openat", "trace=nosuch", "%%", "trace=,file,",
};
static const char *const kinds[] = {
	"", "time", "time,random,ids", ",", "time,,other", "nope", "only-a,only-b,end", "timex",
};

/* s with a few bytes changed, dropped or repeated, into buf. */
static void
mutate(const char *s, char *buf, size_t n)
{
	size_t len = strlen(s) < n - 8 ? strlen(s) : n - 8;

	memcpy(buf, s, len);
	for (unsigned i = rnd(3); i > 0 && len; i--)
		buf[rnd((unsigned)len)] = ",!%=a\xff"[rnd(6)];
	if (rnd(4) == 0 && len)
		len = rnd((unsigned)len);
	buf[len] = '\0';
}

int
main(void)
{
	struct render_opts ro = { .with_result = true };
	struct fdpaths *fp = fdpaths_new(rnd(2) ? "/tmp" : "");
	struct tracesel sel;
	char line[16384], pbuf[4096], err[256], spec[64];
	unsigned long matched = 0, parsed = 0;
	unsigned mask;
	int bad = 0;

	printf("1..3\n");
	tracesel_init(&sel);
	tracesel_parse(&sel, "trace=file,rdtsc", err, sizeof err);
	ro.fds = fp;
	for (unsigned long i = 0; i < 50000; i++) {
		json_t *ev = random_event(i);
		ro.strsize = rnd(40);
		ro.with_result = rnd(4) != 0;
		render_event_opts(ev, &ro, line, rnd(10) ? sizeof line : 1 + rnd(40));
		if (strlen(line) >= sizeof line)
			bad = 1;
		fdpaths_result(fp, ev, pbuf, sizeof pbuf);
		fdpaths_update(fp, ev);
		matched += tracesel_match(&sel, ev);
		json_decref(ev);
		if (rnd(5000) == 0) {
			fdpaths_free(fp);
			fp = fdpaths_new(rnd(2) ? "/" : NULL);
			ro.fds = fp;
		}
	}
	printf("%s 1 - 50000 random events rendered and followed (%lu selected)\n", bad ? "not ok" : "ok",
	    matched);
	fdpaths_free(fp);
	tracesel_free(&sel);

	bad = 0;
	for (unsigned long i = 0; i < 30000; i++) {
		int e;
		mutate(specs[rnd(sizeof specs / sizeof *specs)], spec, sizeof spec);
		tracesel_init(&sel);
		e = tracesel_parse(&sel, spec, err, sizeof err);
		if (e != 0 && e != -EINVAL)
			bad = 1;
		parsed += e == 0;
		tracesel_free(&sel);
	}
	printf("%s 2 - 30000 -e trace= lists parsed or refused (%lu accepted)\n", bad ? "not ok" : "ok",
	    parsed);

	bad = 0;
	parsed = 0;
	for (unsigned long i = 0; i < 30000; i++) {
		int e;
		mutate(kinds[rnd(sizeof kinds / sizeof *kinds)], spec, sizeof spec);
		e = tracediff_parse_kinds(spec, &mask, err, sizeof err);
		if ((e != 0 && e != -EINVAL) || (e == 0 && mask >> DK__N))
			bad = 1;
		parsed += e == 0;
	}
	printf("%s 3 - 30000 --ignore lists parsed or refused (%lu accepted)\n", bad ? "not ok" : "ok",
	    parsed);
	return 0;
}
