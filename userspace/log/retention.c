// SPDX-License-Identifier: GPL-2.0
/* retention: age-based deletion of rotated logs and evidence, with
 * per-file preservation markers (retention.h). */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "retention.h"

#define SEC	  1000000000ull
#define MARK	  ".preserve"
#define MARK_LEN  (sizeof(MARK) - 1)

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* name.preserve, or for name.gz also the marker of the name before
 * compression (logrotate compresses after a marker may have been made). */
static bool preserved(int dfd, const char *name)
{
	char m[1024];
	size_t n = strlen(name);

	snprintf(m, sizeof(m), "%s" MARK, name);
	if (!faccessat(dfd, m, F_OK, 0))
		return true;
	if (n > 3 && ends_with(name, ".gz")) {
		snprintf(m, sizeof(m), "%.*s" MARK, (int)(n - 3), name);
		return !faccessat(dfd, m, F_OK, 0);
	}
	return false;
}

static void one(int dfd, const char *name, uint64_t cutoff, struct retention_stats *st)
{
	struct stat sb;

	if (ends_with(name, MARK) || fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISREG(sb.st_mode))
		return;
	st->seen++;
	if ((uint64_t)sb.st_mtim.tv_sec * SEC + (uint64_t)sb.st_mtim.tv_nsec >= cutoff)
		return;
	if (preserved(dfd, name))
		st->preserved++;
	else if (unlinkat(dfd, name, 0))
		st->errors++;
	else
		st->deleted++;
}

static int sweep(const char *dir, const char *prefix, const char *suffix, uint64_t age_ns,
		 uint64_t now_ns, struct retention_stats *st)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct timespec t;
	uint64_t cutoff;

	memset(st, 0, sizeof(*st));
	if (!d)
		return -errno;
	if (!now_ns) {
		clock_gettime(CLOCK_REALTIME, &t);
		now_ns = (uint64_t)t.tv_sec * SEC + (uint64_t)t.tv_nsec;
	}
	cutoff = now_ns > age_ns ? now_ns - age_ns : 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && (!prefix || !strncmp(e->d_name, prefix, strlen(prefix))) &&
		    (!suffix || ends_with(e->d_name, suffix)))
			one(dirfd(d), e->d_name, cutoff, st);
	closedir(d);
	return 0;
}

int retention_apply(const char *path, uint64_t age_ns, uint64_t now_ns,
		    struct retention_stats *st)
{
	const char *slash = strrchr(path, '/');
	char dir[4096], prefix[1024];

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
	else
		strcpy(dir, ".");
	snprintf(prefix, sizeof(prefix), "%s.", slash ? slash + 1 : path);
	return sweep(dir, prefix, NULL, age_ns, now_ns, st);
}

int retention_apply_dir(const char *dir, const char *suffix, uint64_t age_ns, uint64_t now_ns,
			struct retention_stats *st)
{
	return sweep(dir, NULL, suffix, age_ns, now_ns, st);
}

int retention_preserve(const char *file, const char *who, const char *why)
{
	char m[4096];
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	FILE *f;
	int fd;

	if (access(file, F_OK))
		return -errno;
	snprintf(m, sizeof(m), "%s" MARK, file);
	fd = open(m, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "preserved %s by %s: %s\n", stamp, who, why);
	return fclose(f) ? -errno : 0;
}
