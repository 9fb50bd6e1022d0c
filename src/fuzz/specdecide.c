/* specdecide.c: deciding for a call (spec.h): the seed and the counts of
 * a spec spec.c built, and which of its rules, if any, a call matches and
 * what it does to it.
 */
#include "config.h"
#include "sys/rng.h"
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <time.h>
#include "fuzz/spec.h"
#include "fuzz/spec_impl.h"
#include "sys/xlat.h"

static uint64_t
next(uint64_t *s)
{
	return splitmix64(s);
}

uint64_t
spec_seed(const struct spec *s)
{
	return s->seed;
}

void
spec_seed_set(struct spec *s, uint64_t seed)
{
	while (seed == 0) {
		uint32_t s32;
		if (getrandom(&s32, sizeof s32, 0) != sizeof s32)
			s32 = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
		seed = s32;
	}
	s->seed = seed;
	s->rng = seed ^ 0x696e6a656374ULL;	/* "inject" */
	for (size_t i = 0; i < s->n; i++)
		s->rules[i].matched = s->rules[i].applied = 0;
}

bool
spec_random(const struct spec *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->rules[i].has_prob)
			return true;
	return false;
}

size_t
spec_rules(const struct spec *s)
{
	return s->n;
}

uint64_t
spec_applied(const struct spec *s, size_t i)
{
	return i < s->n ? s->rules[i].applied : 0;
}

json_t *
spec_json(const struct spec *s)
{
	json_t *rules = json_array();

	for (size_t i = 0; i < s->n; i++)
		json_array_append(rules, s->rules[i].json);
	return json_pack("{s:I, s:o}", "seed", (json_int_t)s->seed, "rules", rules);
}

static bool
glob(const char *pat, const char *s)
{
	return s && fnmatch(pat, s, 0) == 0;
}

static bool
path_matches(const struct rule *r, const struct spec_call *q)
{
	const struct sc_desc *sc = q->sc;
	char full[8192];

	if (q->args == NULL)
		return false;
	for (int i = 0; i < sc->nargs; i++) {
		if (sc->args[i].kind != A_PATH)
			continue;
		const char *p = json_string_value(json_object_get(q->args, sc->args[i].name));
		if (p == NULL)
			continue;
		if (glob(r->path, p))
			return true;
		if (r->path[0] != '/' || p[0] == '/')
			continue;
		/* An absolute glob and a relative path: from the directory
		 * it is relative to (the dirfd before it, or the cwd). */
		const char *base = NULL;
		if (i > 0 && sc->args[i - 1].kind == A_FD && (int)q->a[i - 1] != AT_FDCWD)
			base = q->fd_path ? q->fd_path(q->arg, (int)q->a[i - 1]) : NULL;
		else
			base = q->cwd ? q->cwd(q->arg) : NULL;
		if (base == NULL || base[0] != '/')
			continue;
		while (p[0] == '.' && p[1] == '/')
			p += 2;
		snprintf(full, sizeof full, "%s%s%s", base, base[1] ? "/" : "", p);
		if (glob(r->path, full))
			return true;
	}
	return false;
}

static bool
fdpath_matches(const struct rule *r, const struct spec_call *q)
{
	for (int i = 0; i < q->sc->nargs; i++)
		if (q->sc->args[i].kind == A_FD) {
			int fd = (int)q->a[i];
			return fd >= 0 && q->fd_path && glob(r->fdpath, q->fd_path(q->arg, fd));
		}
	return false;
}

/* Flag names "A|B" all among the names xlat renders v with. */
static bool
flags_have(enum xlat_id x, uint64_t v, const char *want)
{
	char have[512], w[SPEC_MAX_TEXT + 1], *save = NULL, *tok;

	xlat_render(x, v, have, sizeof have);
	snprintf(w, sizeof w, "%s", want);
	for (tok = strtok_r(w, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		size_t n = strlen(tok);
		const char *p = have;
		bool found = false;
		while ((p = strstr(p, tok)) != NULL) {
			if ((p == have || p[-1] == '|') && (p[n] == '|' || p[n] == '\0')) {
				found = true;
				break;
			}
			p += n;
		}
		if (!found)
			return false;
	}
	return true;
}

static bool
args_match(const struct rule *r, const struct spec_call *q)
{
	for (int k = 0; k < r->nargs; k++) {
		const struct argpred *ap = &r->args[k];
		int i = spec_arg_index(q->sc, ap->name);
		if (i < 0)
			return false;
		const struct arg_desc *ad = &q->sc->args[i];
		uint64_t v = q->a[i];
		if (ad->kind == A_PATH) {
			const char *s = q->args ? json_string_value(json_object_get(q->args, ad->name)) : NULL;
			if (!glob(ap->value, s))
				return false;
		} else if (ap->is_num) {
			bool eq;
			if (ad->kind == A_FD || ad->kind == A_INT32)
				eq = (int64_t)(int32_t)v == ap->num || (uint32_t)v == (uint64_t)ap->num;
			else if (ad->kind == A_FLAGS || ad->kind == A_MODE)
				eq = (uint32_t)v == (uint64_t)ap->num;
			else
				eq = v == (uint64_t)ap->num;
			if (!eq)
				return false;
		} else if (ad->kind == A_FLAGS || (ad->kind == A_INT32 && ad->xlat != X_NONE)) {
			if (!flags_have(ad->xlat, ad->kind == A_INT32 ? (uint64_t)(uint32_t)v : v, ap->value))
				return false;
		} else
			return false;
	}
	return true;
}

static bool
rule_matches(const struct rule *r, const struct spec_call *q)
{
	if (r->calls) {
		if (q->sc < sc_table || q->sc >= sc_table + sc_count || !r->calls[q->sc - sc_table])
			return false;
	}
	if (r->ntids) {
		int i;
		for (i = 0; i < r->ntids && r->tids[i] != q->tid; i++)
			;
		if (i == r->ntids)
			return false;
	}
	if (r->process) {
		const char *exe = q->exe ? q->exe(q->arg) : NULL, *base;
		if (exe == NULL)
			return false;
		base = strrchr(exe, '/');
		if (!glob(r->process, strchr(r->process, '/') ? exe : base ? base + 1 : exe))
			return false;
	}
	if (r->path && !path_matches(r, q))
		return false;
	if (r->fdpath && !fdpath_matches(r, q))
		return false;
	return args_match(r, q);
}

unsigned
spec_decide(struct spec *s, const struct spec_call *q, struct perturb_act *act)
{
	if (q->sc == NULL)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		struct rule *r = &s->rules[i];
		if (!rule_matches(r, q))
			continue;
		uint64_t n = ++r->matched;
		if (n < r->first || n > r->last || (n - r->first) % r->step != 0)
			continue;
		if (r->has_prob && !((double)(next(&s->rng) >> 11) * 0x1.0p-53 < r->prob))
			continue;
		act->error = r->error;
		act->retval_set = r->retval_set;
		act->retval = r->retval;
		act->signal = r->signal;
		act->delay_enter_us = r->delay_enter_us;
		act->delay_exit_us = r->delay_exit_us;
		if (r->has_short) {
			int li = sc_len_arg(q->sc);
			uint64_t len = li >= 0 ? q->a[li] : 0;
			act->count = r->short_half ? len / 2 : r->shortn;
		}
		act->why = r->why;
		r->applied++;
		return (unsigned)i + 1;
	}
	return 0;
}
