/* SPDX-License-Identifier: GPL-2.0 */
/* exporter: serves the metrics for Prometheus to scrape (libmicrohttpd,
 * one thread of its own): GET /metrics answers the text last published,
 * anything else 404. The owner publishes a fresh text when its counters
 * move (the agent: once a second), so a scrape never touches the
 * pipeline's state. Listens where told, a local address by default. */
#ifndef EW_EXPORTER_H
#define EW_EXPORTER_H

#include <stddef.h>
#include <stdint.h>

struct exporter;

/* Listens on addr ("127.0.0.1:9464", "[::1]:9464"; host names are not
 * resolved). Returns NULL with errno set and msg filled. */
struct exporter *exporter_start(const char *addr, char *msg, size_t msglen);

/* Replaces the text served (copied). */
void exporter_publish(struct exporter *x, const char *text, size_t len);

/* Scrapes answered so far. */
uint64_t exporter_scrapes(struct exporter *x);

void exporter_stop(struct exporter *x);

#endif
