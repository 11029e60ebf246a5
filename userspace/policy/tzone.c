// SPDX-License-Identifier: GPL-2.0
/* tzone: TZif files (RFC 8536) and POSIX TZ rules, read and evaluated
 * without the C library's time zone state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tzone.h"

#define TZIF_MAX_BYTES (1u << 20)
#define TZIF_MAX_TIMES 100000
#define TZ_DAY	       86400

/* ---- calendar (H. Hinnant's civil date algorithms) -------------------------------- */

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t year_of_days(int64_t z)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10); /* months Jan, Feb belong to the next */
}

static int weekday(int64_t days) /* 1970-01-01 was a Thursday */
{
	return (int)(((days % 7) + 11) % 7);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
	static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : md[m - 1];
}

/* The day (since the epoch) rule w names in year y. */
static int64_t rule_day(const struct tz_when *w, int64_t y)
{
	int64_t jan1 = days_from_civil(y, 1, 1), first;
	int day;

	if (w->form == 'J')
		return jan1 + w->day - 1 + (leap(y) && w->day >= 60);
	if (w->form == 'n')
		return jan1 + w->day;
	first = days_from_civil(y, w->month, 1);
	day = 1 + (w->day - weekday(first) + 7) % 7 + (w->week - 1) * 7;
	while (day > month_days(y, w->month))
		day -= 7;
	return first + day - 1;
}

/* ---- POSIX TZ strings ---------------------------------------------------------------- */

static int tz_name(const char **s)
{
	const char *p = *s;

	if (*p == '<') {
		const char *e = strchr(p, '>');

		if (!e || e - p < 4)
			return -EINVAL;
		*s = e + 1;
		return 0;
	}
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		p++;
	if (p - *s < 3)
		return -EINVAL;
	*s = p;
	return 0;
}

/* [+-]h[h[h]][:mm[:ss]] as seconds; hours up to 167 (RFC 8536). */
static int tz_hms(const char **s, int *secs)
{
	const char *p = *s;
	int sign = 1, part[3] = {0, 0, 0}, n = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (; n < 3; n++) {
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 3)
			part[n] = part[n] * 10 + (*p++ - '0'), digits++;
		if (!digits || (n && (digits != 2 || part[n] > 59)))
			return -EINVAL;
		if (*p != ':')
			break;
		p++;
	}
	if (part[0] > 167)
		return -EINVAL;
	*secs = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	*s = p;
	return 0;
}

static int tz_number(const char **s, int lo, int hi, int *v)
{
	int n = 0, digits = 0;

	while (**s >= '0' && **s <= '9' && digits < 4)
		n = n * 10 + (*(*s)++ - '0'), digits++;
	if (!digits || n < lo || n > hi)
		return -EINVAL;
	*v = n;
	return 0;
}

static int tz_when(const char **s, struct tz_when *w)
{
	int err;

	w->secs = 7200; /* 02:00 unless told */
	if (**s == 'M') {
		(*s)++;
		w->form = 'M';
		err = tz_number(s, 1, 12, &w->month);
		err = err ?: (*(*s)++ == '.' ? 0 : -EINVAL);
		err = err ?: tz_number(s, 1, 5, &w->week);
		err = err ?: (*(*s)++ == '.' ? 0 : -EINVAL);
		err = err ?: tz_number(s, 0, 6, &w->day);
	} else if (**s == 'J') {
		(*s)++;
		w->form = 'J';
		err = tz_number(s, 1, 365, &w->day);
	} else {
		w->form = 'n';
		err = tz_number(s, 0, 365, &w->day);
	}
	if (!err && **s == '/') {
		(*s)++;
		err = tz_hms(s, &w->secs);
	}
	return err;
}

int tz_posix_parse(const char *s, struct tz_posix *p)
{
	int off;

	memset(p, 0, sizeof(*p));
	if (tz_name(&s) || tz_hms(&s, &off))
		return -EINVAL;
	p->std_off = p->dst_off = -off;
	if (!*s)
		return 0;
	if (tz_name(&s))
		return -EINVAL;
	p->dst = true;
	p->dst_off = p->std_off + 3600;
	if (*s && *s != ',') {
		if (tz_hms(&s, &off))
			return -EINVAL;
		p->dst_off = -off;
	}
	if (!*s) { /* no rule: the US rules, as POSIX leaves it to us */
		p->start = (struct tz_when){'M', 3, 2, 0, 7200};
		p->end = (struct tz_when){'M', 11, 1, 0, 7200};
		return 0;
	}
	if (*s++ != ',' || tz_when(&s, &p->start) || *s++ != ',' || tz_when(&s, &p->end) || *s)
		return -EINVAL;
	return 0;
}

int32_t tz_posix_offset(const struct tz_posix *p, int64_t t)
{
	int64_t y, start, end;

	if (!p->dst)
		return p->std_off;
	y = year_of_days(floordiv(t + p->std_off, TZ_DAY));
	start = rule_day(&p->start, y) * TZ_DAY + p->start.secs - p->std_off;
	end = rule_day(&p->end, y) * TZ_DAY + p->end.secs - p->dst_off;
	if (start < end)
		return t >= start && t < end ? p->dst_off : p->std_off;
	return t >= end && t < start ? p->std_off : p->dst_off; /* southern summer */
}

/* ---- TZif -------------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
	char version;
	uint32_t isut, isstd, leap, times, types, chars;
};

static int header(const uint8_t *p, size_t len, struct tzif_hdr *h)
{
	if (len < 44 || memcmp(p, "TZif", 4))
		return -EINVAL;
	h->version = (char)p[4];
	h->isut = be32(p + 20), h->isstd = be32(p + 24), h->leap = be32(p + 28);
	h->times = be32(p + 32), h->types = be32(p + 36), h->chars = be32(p + 40);
	if (h->times > TZIF_MAX_TIMES || !h->types || h->types > 256 || h->chars > 65536 ||
	    h->leap > 65536 || (h->isut && h->isut != h->types) ||
	    (h->isstd && h->isstd != h->types))
		return -EINVAL;
	return 0;
}

static size_t block_len(const struct tzif_hdr *h, size_t tsize)
{
	return h->times * (tsize + 1) + h->types * 6 + h->chars + h->leap * (tsize + 4) +
	       h->isstd + h->isut;
}

/* The transitions and types of one data block (times of tsize bytes). */
static int block(struct tzone *z, const struct tzif_hdr *h, const uint8_t *p, size_t tsize)
{
	const uint8_t *ix = p + h->times * tsize, *tt = ix + h->times;

	z->n = h->times;
	z->ntypes = h->types;
	z->trans = calloc(z->n + 1, sizeof(*z->trans));
	z->idx = calloc(z->n + 1, 1);
	z->off = calloc(z->ntypes, sizeof(*z->off));
	if (!z->trans || !z->idx || !z->off)
		return -ENOMEM;
	for (size_t i = 0; i < z->n; i++) {
		z->trans[i] = tsize == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
		z->idx[i] = ix[i];
		if (ix[i] >= h->types || (i && z->trans[i] <= z->trans[i - 1]))
			return -EINVAL;
	}
	for (size_t i = 0; i < z->ntypes; i++)
		z->off[i] = (int32_t)be32(tt + i * 6);
	return 0;
}

/* The footer "\nTZ\n" after the v2 block, if it holds a rule we read. */
static void footer(struct tzone *z, const uint8_t *p, size_t len)
{
	char tz[128];
	const uint8_t *nl;

	if (len < 2 || p[0] != '\n' || !(nl = memchr(p + 1, '\n', len - 1)) ||
	    (size_t)(nl - p - 1) >= sizeof(tz) || nl == p + 1)
		return;
	memcpy(tz, p + 1, (size_t)(nl - p - 1));
	tz[nl - p - 1] = '\0';
	z->has_rule = !tz_posix_parse(tz, &z->rule);
}

int tzone_parse(struct tzone *z, const char *name, const uint8_t *data, size_t len,
		const char **why)
{
	struct tzif_hdr h;
	size_t v1, v2;
	int err;

	memset(z, 0, sizeof(*z));
	snprintf(z->name, sizeof(z->name), "%s", name);
	*why = "not a TZif time zone file";
	if (header(data, len, &h) || (v1 = 44 + block_len(&h, 4)) > len)
		return -EINVAL;
	if (h.version < '2')
		return block(z, &h, data + 44, 4);
	if (header(data + v1, len - v1, &h) || (v2 = v1 + 44 + block_len(&h, 8)) > len)
		return -EINVAL;
	if ((err = block(z, &h, data + v1 + 44, 8)))
		return err;
	footer(z, data + v2, len - v2);
	return 0;
}

static bool name_ok(const char *name)
{
	if (!*name || *name == '/' || strstr(name, "..") || strlen(name) >= 64)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_-+/", *p)))
			return false;
	return true;
}

int tzone_load(struct tzone *z, const char *dir, const char *name, const char **why)
{
	char path[512];
	uint8_t *buf = NULL;
	size_t n = 0;
	FILE *f;
	int err;

	memset(z, 0, sizeof(*z));
	if (!name_ok(name)) {
		*why = "not a time zone name (such as Asia/Kolkata or UTC)";
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : TZONE_DIR, name);
	f = fopen(path, "rb");
	if (!f) {
		err = -errno;
		*why = err == -ENOENT ? "no such time zone in the tz database"
				      : "couldn't read the time zone file";
		return err;
	}
	buf = malloc(TZIF_MAX_BYTES);
	if (buf)
		n = fread(buf, 1, TZIF_MAX_BYTES, f);
	fclose(f);
	if (!buf) {
		*why = "out of memory";
		return -ENOMEM;
	}
	err = tzone_parse(z, name, buf, n, why);
	free(buf);
	return err;
}

int32_t tzone_offset(const struct tzone *z, int64_t t)
{
	size_t lo = 0, hi = z->n;

	if (!z->n || t >= z->trans[z->n - 1]) {
		if (z->has_rule)
			return tz_posix_offset(&z->rule, t);
		return z->n ? z->off[z->idx[z->n - 1]] : z->off ? z->off[0] : 0;
	}
	if (t < z->trans[0])
		return z->off[0];
	while (hi - lo > 1) { /* trans[lo] <= t < trans[hi] */
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[z->idx[lo]];
}

void tzone_local(const struct tzone *z, int64_t t, int *wday, int *minute)
{
	int64_t local = t + tzone_offset(z, t), days = floordiv(local, TZ_DAY);

	*wday = weekday(days);
	*minute = (int)((local - days * TZ_DAY) / 60);
}

void tzone_free(struct tzone *z)
{
	free(z->trans);
	free(z->idx);
	free(z->off);
	memset(z, 0, sizeof(*z));
}
