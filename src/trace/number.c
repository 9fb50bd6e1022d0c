/* number.c: the integers of the trace, as numbers or decimal strings
 * (number.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "trace/number.h"

json_t *
json_int64(int64_t v)
{
	char buf[24];

	if (v >= -TRACE_EXACT_MAX && v <= TRACE_EXACT_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	return json_string(buf);
}

json_t *
json_uint64(uint64_t v)
{
	return json_int64((int64_t)v);
}

/* The decimal string s[0..n) as written by json_int64 for a value beyond
 * 2^53: '-' or not, then 16 to 19 digits, the first not 0. */
static int
parse_decimal(const char *s, size_t n, int64_t *v)
{
	bool neg = n > 0 && s[0] == '-';
	uint64_t m = 0;
	size_t i = neg;

	if (n - i < 16 || n - i > 19 || s[i] < '1' || s[i] > '9')
		return -EINVAL;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		m = m * 10 + (uint64_t)(s[i] - '0');	/* 19 digits fit in 64 bits */
	}
	if (m <= (uint64_t)TRACE_EXACT_MAX || m > (uint64_t)INT64_MAX + neg)
		return -EINVAL;
	*v = neg ? (int64_t)(0 - m) : (int64_t)m;
	return 0;
}

int
json_int64_get(const json_t *j, int64_t *v)
{
	if (j == NULL)
		return -ENOENT;
	if (json_is_integer(j)) {
		*v = (int64_t)json_integer_value(j);
		return 0;
	}
	if (json_is_string(j))
		return parse_decimal(json_string_value(j), json_string_length(j), v);
	return -EINVAL;
}

int
json_uint64_get(const json_t *j, uint64_t *v)
{
	int64_t x;
	int e = json_int64_get(j, &x);

	if (e == 0)
		*v = (uint64_t)x;
	return e;
}

bool
json_is_int64(const json_t *j)
{
	int64_t x;

	return json_int64_get(j, &x) == 0;
}

int64_t
json_int64_or(const json_t *obj, const char *key, int64_t dflt)
{
	int64_t x;

	return json_int64_get(json_object_get(obj, key), &x) == 0 ? x : dflt;
}

bool
json_same(const json_t *a, const json_t *b)
{
	int64_t x, y;

	if (a == NULL || b == NULL)
		return false;		/* as json_equal */
	if (json_int64_get(a, &x) == 0 && json_int64_get(b, &y) == 0)
		return x == y;
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_object(a)) {
		const char *key;
		json_t *v;

		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, key, v)
			if (!json_same(v, json_object_get(b, key)))
				return false;
		return true;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_same(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	return json_equal(a, b);
}
