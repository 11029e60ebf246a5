// SPDX-License-Identifier: GPL-2.0
/* Diagnostics: one line per message, "edgeward: " for errors, a level tag
 * otherwise, to stderr. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* The one piece of process-wide state outside main.c: the verbosity the
 * user chose, read by every stage. */
static enum ew_log_level max_level = EW_LOG_INFO;

void log_set_level(enum ew_log_level level)
{
	max_level = level;
}

enum ew_log_level log_get_level(void)
{
	return max_level;
}

void log_msg(enum ew_log_level level, const char *fmt, ...)
{
	static const char *const tag[] = { "edgeward: ", "edgeward: warning: ",
					   "edgeward: ", "edgeward: debug: " };
	va_list ap;

	if (level > max_level)
		return;
	fputs(tag[level], stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
