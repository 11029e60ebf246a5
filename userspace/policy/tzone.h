/* SPDX-License-Identifier: GPL-2.0 */
/* tzone: local time in a named time zone, for the time-of-day and
 * day-of-week conditions of policy rules, without the C library's TZ.
 *
 * localtime_r() knows one zone, the process's, chosen by the TZ
 * environment variable; switching zones means setenv("TZ") + tzset(),
 * which races with every other thread reading the environment or the
 * time (glibc has no localtime_rz). So each zone a policy names is loaded
 * once, when the policy is compiled, from the tz database's compiled file
 * (/usr/share/zoneinfo/NAME, RFC 8536 TZif, Debian's tzdata), and the
 * decisions compute with those rules: a binary search in the zone's
 * transitions, and past the last one the POSIX TZ rule in the file's
 * footer ("CET-1CEST,M3.5.0,M10.5.0/3"). Nothing global, nothing
 * locked; any number of threads read a loaded zone. */
#ifndef EW_TZONE_H
#define EW_TZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TZONE_DIR "/usr/share/zoneinfo"

/* When a POSIX rule switches: a date form and a time of day (seconds,
 * local, may be negative or past 24 h as RFC 8536 allows). */
struct tz_when {
	char form;	 /* 'M' (month.week.day), 'J' (Julian 1..365), 'n' (0..365) */
	int month, week, day;
	int secs;
};

/* A POSIX TZ string: standard and daylight offsets (seconds east of UTC)
 * and, with daylight time, when it starts and ends. */
struct tz_posix {
	int32_t std_off, dst_off;
	bool dst;
	struct tz_when start, end;
};

struct tzone {
	char name[64];
	int64_t *trans;	  /* transition times, ascending */
	uint8_t *idx;	  /* local time type after each */
	size_t n;
	int32_t *off;	  /* UTC offset of each type */
	size_t ntypes;
	bool has_rule;	  /* footer rule for times past the last transition */
	struct tz_posix rule;
};

/* Parses a POSIX TZ string. Returns 0 or -EINVAL. */
int tz_posix_parse(const char *s, struct tz_posix *p);

/* The UTC offset of p at time t (seconds since the epoch). */
int32_t tz_posix_offset(const struct tz_posix *p, int64_t t);

/* Loads zone name ("Asia/Kolkata", "UTC") from dir (TZONE_DIR when NULL).
 * Names are the tz database's: letters, digits, '_', '-', '+' and '/'
 * between them, no "..". Returns 0, or -EINVAL / -ENOENT / -errno with
 * *why ("no such time zone" ...). Free with tzone_free in every case. */
int tzone_load(struct tzone *z, const char *dir, const char *name, const char **why);

/* The same from a TZif image in memory (tests, fuzzing). */
int tzone_parse(struct tzone *z, const char *name, const uint8_t *data, size_t len,
		const char **why);

/* Seconds east of UTC in zone z at time t. */
int32_t tzone_offset(const struct tzone *z, int64_t t);

/* Local day of the week (0 Sunday .. 6 Saturday) and minute of the day
 * (0..1439) in z at time t. */
void tzone_local(const struct tzone *z, int64_t t, int *wday, int *minute);

void tzone_free(struct tzone *z);

#endif
