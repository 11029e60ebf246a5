// SPDX-License-Identifier: GPL-2.0
/* verify: the chain, HMACs and completeness of signed event logs
 * (verify.h). Streams the files in chain order, keeping the line being
 * judged and the one after it, which tells an edit from an insertion and
 * a deletion from a swap. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "jsonval.h"
#include "log/logmac.h"
#include "logread.h"
#include "verify.h"

#define HMAC_TAIL 76 /* ,"hmac":"<64 hex>"}} */

struct vline {
	bool have, torn, sig, mac_ok, checkpoint;
	uint64_t seq, no, lost;
	uint8_t prev[LOGMAC_LEN], hash[LOGMAC_LEN];
	char reason[16], key_id[LOGMAC_ID_HEX + 1];
};

struct vfile {
	const char *path;
	uint64_t first_seq;
};

struct vstate {
	struct logmac *mac;
	char our_id[LOGMAC_ID_HEX + 1];
	struct verify_result *r;
	bool started;
	uint64_t expect;
	uint8_t prev[LOGMAC_LEN];
	const char *prev_file;
	uint64_t prev_no;
	struct vline last;
};

const char *verify_problem_name(enum verify_problem p)
{
	static const char *const names[] = {
		[VERIFY_OK] = "intact",
		[VERIFY_EDITED] = "edited line",
		[VERIFY_INSERTED] = "inserted line",
		[VERIFY_DELETED] = "deleted lines",
		[VERIFY_REORDERED] = "reordered lines",
		[VERIFY_TRUNCATED] = "truncated tail",
		[VERIFY_MISSING_FILE] = "missing file",
		[VERIFY_WRONG_KEY] = "wrong key",
		[VERIFY_UNSIGNED] = "unsigned line",
		[VERIFY_UNREADABLE] = "unreadable file",
	};

	return names[p];
}

static int bad(struct verify_result *r, enum verify_problem p, const char *file, uint64_t line,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int bad(struct verify_result *r, enum verify_problem p, const char *file, uint64_t line,
	       const char *fmt, ...)
{
	va_list ap;

	r->problem = p;
	r->file = file;
	r->line = line;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return 1;
}

/* ---- one line ------------------------------------------------------------------------ */

/* The fields of the log's own events (checkpoint, log) the checks use. */
static void own_event(struct vline *v, const char *s, size_t n)
{
	struct jdoc d = {0};
	struct jerr e;
	const char *str;

	v->checkpoint = n > 21 && !memcmp(s, "{\"event\":\"checkpoint\"", 21);
	if ((!v->checkpoint && (n < 14 || memcmp(s, "{\"event\":\"log\"", 14))) ||
	    jdoc_parse(&d, s, n, &e)) {
		jdoc_free(&d);
		return;
	}
	if ((str = jv_str(jv_get(d.root, "key_id"))))
		snprintf(v->key_id, sizeof(v->key_id), "%s", str);
	if ((str = jv_str(jv_get(d.root, "reason"))))
		snprintf(v->reason, sizeof(v->reason), "%s", str);
	jv_u64(jv_get(d.root, "lost"), &v->lost);
	jdoc_free(&d);
}

/* Parses the integrity member at the end of s[0..n). */
static void parse(struct vstate *vs, struct vline *v, const char *s, size_t n)
{
	static const char seqk[] = "\"integrity\":{\"seq\":";
	uint8_t want[LOGMAC_LEN], mac[LOGMAC_LEN];
	size_t sl = n - HMAC_TAIL;
	const char *k;

	if (vs->mac)
		logmac_digest(vs->mac, s, n, v->hash);
	else
		logmac_sha256(s, n, v->hash);
	if (n < HMAC_TAIL + 95 || memcmp(s + sl, ",\"hmac\":\"", 9) ||
	    memcmp(s + n - 3, "\"}}", 3) || memcmp(s + sl - 74, ",\"prev\":\"", 9) ||
	    hex_decode(s + sl + 9, LOGMAC_LEN, want) ||
	    hex_decode(s + sl - 65, LOGMAC_LEN, v->prev))
		return;
	/* "integrity":{"seq":N just before ,"prev": (N has at most 20 digits) */
	k = sl - 74 >= 40 ? s + sl - 74 - 40 : s;
	k = memmem(k, (size_t)(s + sl - 74 - k), seqk, sizeof(seqk) - 1);
	if (!k)
		return;
	v->seq = strtoull(k + sizeof(seqk) - 1, NULL, 10);
	v->sig = true;
	v->mac_ok = vs->mac && !logmac_hmac(vs->mac, s, sl, mac) && !memcmp(mac, want, LOGMAC_LEN);
	own_event(v, s, n);
}

/* Reads the next line of r into v (v->have false at the end). */
static int next_line(struct vstate *vs, struct logread *r, struct vline *v)
{
	const char *s;
	long n;

	memset(v, 0, sizeof(*v));
	n = logread_next(r, &s, &v->torn);
	if (n == -1)
		return 0;
	if (n < 0)
		return bad(vs->r, VERIFY_UNREADABLE, r->path, r->line + 1, "%s",
			   n == -EFBIG ? "a line longer than any event" : "corrupt or unreadable data");
	v->have = true;
	v->no = r->line;
	parse(vs, v, s, (size_t)n);
	return 0;
}

/* ---- the checks ------------------------------------------------------------------------ */

static bool chains_to(const struct vline *v, const uint8_t *hash)
{
	return v->have && v->sig && !memcmp(v->prev, hash, LOGMAC_LEN);
}

/* A line whose HMAC does not verify: which of wrong key, insertion, edit. */
static int unverified(struct vstate *vs, const char *f, const struct vline *c,
		      const struct vline *n)
{
	struct verify_result *r = vs->r;

	if (c->key_id[0] && strcmp(c->key_id, vs->our_id))
		return bad(r, VERIFY_WRONG_KEY, f, c->no, "signed with key id %s, not with the key "
			   "given (key id %s)", c->key_id, vs->our_id);
	if (n->have && n->sig && !n->mac_ok && chains_to(n, c->hash))
		return bad(r, VERIFY_WRONG_KEY, f, c->no, "no line verifies under the key given "
			   "(key id %s) and the chain is intact", vs->our_id);
	if (vs->started && chains_to(n, vs->prev))
		return bad(r, VERIFY_INSERTED, f, c->no, "inserted line: its HMAC does not "
			   "verify and the chain goes around it");
	return bad(r, VERIFY_EDITED, f, c->no, "edited line: its HMAC does not verify (the "
		   "line was changed after it was written)");
}

/* seq and prev of a line that is authentic (or the chain only, no key). */
static int in_place(struct vstate *vs, const char *f, const struct vline *c,
		    const struct vline *n)
{
	struct verify_result *r = vs->r;

	if (!vs->started)
		return 0;
	if (c->seq > vs->expect && c->no == 1)
		return bad(r, VERIFY_MISSING_FILE, f, 1, "missing file: this file starts at seq "
			   "%llu but the file before it in the chain (%s) ends at seq %llu",
			   (unsigned long long)c->seq, vs->prev_file,
			   (unsigned long long)(vs->expect - 1));
	if (c->seq > vs->expect && n->have && n->sig && n->seq == vs->expect)
		return bad(r, VERIFY_REORDERED, f, c->no, "reordered lines: seq %llu comes before "
			   "seq %llu", (unsigned long long)c->seq, (unsigned long long)vs->expect);
	if (c->seq > vs->expect)
		return bad(r, VERIFY_DELETED, f, c->no, "deleted lines: seq jumps from %llu to "
			   "%llu (%llu lines missing)", (unsigned long long)(vs->expect - 1),
			   (unsigned long long)c->seq, (unsigned long long)(c->seq - vs->expect));
	if (c->seq < vs->expect)
		return bad(r, VERIFY_REORDERED, f, c->no, "reordered lines: seq %llu comes after "
			   "seq %llu", (unsigned long long)c->seq, (unsigned long long)(vs->expect - 1));
	if (memcmp(c->prev, vs->prev, LOGMAC_LEN))
		return bad(r, VERIFY_EDITED, vs->prev_file, vs->prev_no, "edited line: the next "
			   "line chains to a different hash of it");
	return 0;
}

static int check(struct vstate *vs, const char *f, const struct vline *c, const struct vline *n)
{
	struct verify_result *r = vs->r;
	int rc;

	if (c->torn)
		return bad(r, VERIFY_TRUNCATED, f, c->no, "truncated tail: the last line is cut "
			   "short (no newline)");
	if (!c->sig && vs->started && chains_to(n, vs->prev))
		return bad(r, VERIFY_INSERTED, f, c->no, "inserted line: it has no integrity "
			   "member and the chain goes around it");
	if (!c->sig)
		return bad(r, VERIFY_UNSIGNED, f, c->no, "line without an integrity member (not "
			   "written by a signed event log, or edited)");
	if (vs->mac && !c->mac_ok)
		return unverified(vs, f, c, n);
	if ((rc = in_place(vs, f, c, n)))
		return rc;
	if (!vs->started)
		r->first_seq = c->seq;
	vs->started = true;
	vs->expect = c->seq + 1;
	memcpy(vs->prev, c->hash, LOGMAC_LEN);
	vs->prev_file = f;
	vs->prev_no = c->no;
	vs->last = *c;
	r->lines++;
	r->checkpoints += c->checkpoint;
	return 0;
}

/* ---- files ---------------------------------------------------------------------------- */

static int walk(struct vstate *vs, const char *path)
{
	struct vline v[2];
	struct logread r;
	char msg[512];
	int rc, i = 0;

	if (logread_open(&r, path, msg, sizeof(msg)))
		return bad(vs->r, VERIFY_UNREADABLE, path, 0, "%s", msg);
	rc = next_line(vs, &r, &v[0]);
	if (!rc && !v[0].have)
		rc = bad(vs->r, VERIFY_TRUNCATED, path, 0, "truncated tail: the file is empty");
	if (!rc)
		rc = next_line(vs, &r, &v[1]);
	while (!rc && v[i].have) {
		rc = check(vs, path, &v[i], &v[!i]);
		if (!rc)
			rc = next_line(vs, &r, &v[i]);
		i = !i;
	}
	logread_close(&r);
	return rc;
}

static int first_seq(struct vstate *vs, struct vfile *f)
{
	struct vline v;
	struct logread r;
	char msg[512];
	int rc;

	if (logread_open(&r, f->path, msg, sizeof(msg)))
		return bad(vs->r, VERIFY_UNREADABLE, f->path, 0, "%s", msg);
	rc = next_line(vs, &r, &v);
	logread_close(&r);
	if (!rc && !v.have)
		return bad(vs->r, VERIFY_TRUNCATED, f->path, 0, "truncated tail: the file is empty");
	if (!rc && !v.sig)
		return bad(vs->r, VERIFY_UNSIGNED, f->path, 1, "line without an integrity member "
			   "(not written by a signed event log, or edited)");
	f->first_seq = v.seq;
	return rc;
}

static int by_seq(const void *a, const void *b)
{
	const struct vfile *x = a, *y = b;

	return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

/* The end: the last line is a checkpoint, and not one that hands over
 * to a file after it. */
static int tail(struct vstate *vs, const char *f)
{
	const struct vline *l = &vs->last;

	vs->r->last_seq = l->seq;
	vs->r->lost = l->lost;
	if (!l->checkpoint)
		return bad(vs->r, VERIFY_TRUNCATED, f, l->no, "truncated tail: no checkpoint after "
			   "the last events (seq %llu): lines may have been cut off the end",
			   (unsigned long long)l->seq);
	if (!strcmp(l->reason, "rotate") || !strcmp(l->reason, "reopen"))
		return bad(vs->r, VERIFY_MISSING_FILE, f, l->no, "missing file: the chain goes on "
			   "in a file after this one (checkpoint \"%s\"), which was not given",
			   l->reason);
	return 0;
}

int verify_files(const char *const *paths, int n, const uint8_t *key, size_t keylen,
		 struct verify_result *r)
{
	struct vfile *f = calloc((size_t)n, sizeof(*f));
	struct vstate vs = {.r = r};
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (!f || (key && !(vs.mac = logmac_new(key, keylen)))) {
		free(f);
		return -ENOMEM;
	}
	if (vs.mac)
		logmac_key_id(vs.mac, vs.our_id);
	for (int i = 0; i < n && !rc; i++) {
		f[i].path = paths[i];
		rc = first_seq(&vs, &f[i]);
	}
	if (!rc)
		qsort(f, (size_t)n, sizeof(*f), by_seq);
	for (int i = 0; i < n && !rc; i++, r->files++)
		rc = walk(&vs, f[i].path);
	if (!rc && n)
		rc = tail(&vs, f[n - 1].path);
	if (!rc && !key)
		snprintf(r->why, sizeof(r->why), "chain intact; no key given, so the HMACs were "
			 "not checked (anyone can recompute a chain)");
	logmac_free(vs.mac);
	free(f);
	return rc;
}
