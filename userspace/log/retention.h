/* SPDX-License-Identifier: GPL-2.0 */
/* retention: deletes old rotated event-log files (and sealed evidence) past
 * their age, except those marked preserved. A case is preserved by its
 * file: a responder (or `edgeward log preserve`) puts a marker NAME.preserve
 * beside it, naming who and why, and the file stays, whole, so its lines
 * can still be verified in their chain. Never touches the live file. */
#ifndef EW_RETENTION_H
#define EW_RETENTION_H

#include <stdint.h>

struct retention_stats {
	unsigned seen;	    /* candidate files */
	unsigned deleted;
	unsigned preserved; /* old enough, kept by a marker */
	unsigned errors;    /* could not be deleted */
};

/* Files in the directory of path whose names start with its base name and
 * a dot (the rotated ones: PATH.<time>, PATH.1, PATH.2.gz ...), last
 * modified more than age_ns before now_ns (0: the clock), are deleted
 * unless preserved. Returns 0 or -errno (directory unreadable). */
int retention_apply(const char *path, uint64_t age_ns, uint64_t now_ns,
		    struct retention_stats *st);

/* The same over the files in dir whose names end in suffix (evidence:
 * ".sealed"). */
int retention_apply_dir(const char *dir, const char *suffix, uint64_t age_ns, uint64_t now_ns,
			struct retention_stats *st);

/* Marks file preserved: writes FILE.preserve (0600) holding who and why.
 * Returns 0 or -errno. */
int retention_preserve(const char *file, const char *who, const char *why);

#endif
