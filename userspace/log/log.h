/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics to stderr with a prefixed level. Events (blocks, matches) are
 * not diagnostics: they go to the JSON Lines event log. */
#ifndef EW_LOG_H
#define EW_LOG_H

enum ew_log_level { EW_LOG_ERR, EW_LOG_WARN, EW_LOG_INFO, EW_LOG_DEBUG };

/* Messages above level are dropped. Default EW_LOG_INFO. */
void log_set_level(enum ew_log_level level);
enum ew_log_level log_get_level(void);
void log_msg(enum ew_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define ew_err(...)   log_msg(EW_LOG_ERR, __VA_ARGS__)
#define ew_warn(...)  log_msg(EW_LOG_WARN, __VA_ARGS__)
#define ew_info(...)  log_msg(EW_LOG_INFO, __VA_ARGS__)
#define ew_debug(...) log_msg(EW_LOG_DEBUG, __VA_ARGS__)

#endif
