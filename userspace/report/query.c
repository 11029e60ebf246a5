// SPDX-License-Identifier: GPL-2.0
/* query: event filters (query.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "logread.h"
#include "query.h"

#define SEC 1000000000ull

/* "YYYY-MM[-DD[THH:MM:SS[.frac]Z]]" into ns; *parts: 2 month, 3 day, 6 time. */
static int parse(const char *s, uint64_t *ns, int *parts)
{
	struct tm tm = {0};
	unsigned y, mo, d = 1, h = 0, mi = 0, se = 0;
	char frac[16] = "", z = 0;
	int n = 0, k;
	uint64_t f = 0;

	k = sscanf(s, "%4u-%2u%n", &y, &mo, &n);
	if (k != 2 || !n)
		return -EINVAL;
	*parts = 2;
	if (s[n] == '-' && sscanf(s + n, "-%2u%n", &d, &k) == 1)
		n += k, *parts = 3;
	if (*parts == 3 && s[n] == 'T') {
		if (sscanf(s + n, "T%2u:%2u:%2u%n", &h, &mi, &se, &k) != 3)
			return -EINVAL;
		n += k, *parts = 6;
		if (s[n] == '.' && sscanf(s + n, ".%9[0-9]%n", frac, &k) == 1)
			n += k;
		z = s[n++];
		if (z != 'Z')
			return -EINVAL;
	}
	if (s[n] || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	for (int i = 0; i < 9; i++)
		f = f * 10 + (uint64_t)(frac[i] && i < (int)strlen(frac) ? frac[i] - '0' : 0);
	tm.tm_year = (int)y - 1900, tm.tm_mon = (int)mo - 1, tm.tm_mday = (int)d;
	tm.tm_hour = (int)h, tm.tm_min = (int)mi, tm.tm_sec = (int)se;
	*ns = (uint64_t)timegm(&tm) * SEC + f;
	return 0;
}

int query_parse_time(const char *s, bool end, uint64_t *ns)
{
	struct tm tm;
	time_t t;
	int parts;

	if (parse(s, ns, &parts))
		return -EINVAL;
	if (!end || parts == 6)
		return 0;
	t = (time_t)(*ns / SEC);
	gmtime_r(&t, &tm);
	if (parts == 3)
		tm.tm_mday++;
	else
		tm.tm_mon++;
	*ns = (uint64_t)timegm(&tm) * SEC; /* the whole day or month is in */
	return 0;
}

uint64_t query_event_time(const struct jv *ev)
{
	const char *ts = jv_str(jv_get(ev, "ts"));
	uint64_t ns;
	int parts;

	return ts && !parse(ts, &ns, &parts) ? ns : 0;
}

static bool eq(const struct jv *ev, const char *key, const char *want)
{
	const char *v = jv_str(jv_path(ev, key));

	return v && !strcmp(v, want);
}

static bool host_match(const struct jv *ev, const char *want)
{
	const char *h = jv_str(jv_get(ev, "host"));
	size_t hn, wn = strlen(want);

	if (!h)
		return false;
	hn = strlen(h);
	return (hn == wn && !strcasecmp(h, want)) ||
	       (hn > wn && h[hn - wn - 1] == '.' && !strcasecmp(h + hn - wn, want));
}

static bool hash_match(const struct jv *ev, const char *want)
{
	static const char *const keys[] = {"hash", "md5", "sha1", "sha256", "pdq", NULL};

	for (int i = 0; keys[i]; i++) {
		const char *v = jv_str(jv_get(ev, keys[i]));

		if (v && !strcasecmp(v, want))
			return true;
	}
	return false;
}

bool query_match(const struct query *q, const struct jv *ev)
{
	uint64_t ts;

	if (q->from_ns || q->to_ns) {
		ts = query_event_time(ev);
		if (!ts || (q->from_ns && ts < q->from_ns) || (q->to_ns && ts >= q->to_ns))
			return false;
	}
	if ((q->event && !eq(ev, "event", q->event)) || (q->rule && !eq(ev, "rule", q->rule)) ||
	    (q->action && !eq(ev, "action", q->action)) ||
	    (q->category && !eq(ev, "category", q->category)) ||
	    (q->list && !eq(ev, "list", q->list)))
		return false;
	if ((q->hash && !hash_match(ev, q->hash)) || (q->host && !host_match(ev, q->host)))
		return false;
	return !q->subscriber || eq(ev, "flow.client", q->subscriber) ||
	       eq(ev, "subscriber.client", q->subscriber);
}

struct qfile {
	const char *path;
	uint64_t first_ts;
};

static int by_ts(const void *a, const void *b)
{
	const struct qfile *x = a, *y = b;

	if (x->first_ts != y->first_ts)
		return x->first_ts < y->first_ts ? -1 : 1;
	return strcmp(x->path, y->path);
}

static uint64_t first_ts(const char *path)
{
	struct logread r;
	struct jdoc d = {0};
	struct jerr e;
	const char *s;
	char msg[256];
	uint64_t ts = 0;
	bool torn;
	long n;

	if (logread_open(&r, path, msg, sizeof(msg)))
		return 0;
	if ((n = logread_next(&r, &s, &torn)) >= 0 && !jdoc_parse(&d, s, (size_t)n, &e))
		ts = query_event_time(d.root);
	jdoc_free(&d);
	logread_close(&r);
	return ts;
}

void query_sort_files(const char **paths, int n)
{
	struct qfile *f = calloc((size_t)n, sizeof(*f));

	if (!f)
		return; /* left as given */
	for (int i = 0; i < n; i++)
		f[i] = (struct qfile){.path = paths[i], .first_ts = first_ts(paths[i])};
	qsort(f, (size_t)n, sizeof(*f), by_ts);
	for (int i = 0; i < n; i++)
		paths[i] = f[i].path;
	free(f);
}
