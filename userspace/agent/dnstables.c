// SPDX-License-Identifier: GPL-2.0
/* dnstables: the policy compiled into the kernel's domain tables
 * (dnstables.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dnstables.h"
#include "log/log.h"

uint32_t dnstables_group(const struct policy *p, unsigned g)
{
	return g == policy_default_group(p) ? 0 : g + 1;
}

/* s cut to at most max bytes, not inside a UTF-8 sequence, into out. */
static void cut_utf8(const char *s, size_t max, char *out)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s ? s : "", n);
	out[n] = '\0';
}

void dnstables_rule(const struct policy *p, const struct policy_rule *r,
		    struct domains_rule *out, char *text)
{
	uint8_t a[16];

	memset(out, 0, sizeof(*out));
	out->rule_id = r->index;
	if (r->action == POLICY_ALLOW || r->action == POLICY_MONITOR || r->dns == POLICY_DNS_PASS) {
		out->kind = EW_DNS_PASS;
		return;
	}
	out->kind = r->dns == POLICY_DNS_NOTICE ? EW_DNS_NOTICE : EW_DNS_NXDOMAIN;
	out->ede = (uint8_t)r->ede;
	cut_utf8(r->contact, EW_DNS_TEXT_MAX, text);
	out->text = text[0] ? text : NULL;
	if (out->kind != EW_DNS_NOTICE)
		return;
	if ((out->has_v4 = policy_notice_server(p, false, a)))
		memcpy(out->addr4, a + 12, 4);
	if ((out->has_v6 = policy_notice_server(p, true, a)))
		memcpy(out->addr6, a, 16);
	/* no address at all: nothing to point at, the name does not exist */
	out->other = out->has_v4 || out->has_v6 ? EW_DNS_NODATA : EW_DNS_NXDOMAIN;
}

struct build {
	const struct policy *p;
	struct domains *d;
};

static int group_cb(void *ctx, const struct policy_prefix *pfx, unsigned g)
{
	struct build *b = ctx;

	return domains_group(b->d, pfx->addr, pfx->len, dnstables_group(b->p, g));
}

static int name_cb(void *ctx, unsigned g, const char *name, const struct policy_rule *r)
{
	struct build *b = ctx;
	char text[EW_DNS_TEXT_MAX + 1];
	struct domains_rule dr;

	dnstables_rule(b->p, r, &dr, text);
	return domains_set(b->d, dnstables_group(b->p, g), name, &dr);
}

struct domains *dnstables_build(const struct policy *p, int64_t now, char *err, size_t errlen)
{
	struct build b = {.p = p, .d = domains_new()};
	struct policy_dns_ops ops = {.group = group_cb, .name = name_cb, .ctx = &b};
	int rc = b.d ? 0 : -errno;

	if (!rc && p)
		rc = policy_dns(p, now, &ops);
	if (!rc)
		return b.d;
	snprintf(err, errlen, "couldn't compile the policy's DNS answers: %s",
		 b.d && domains_error(b.d)[0] ? domains_error(b.d) : strerror(-rc));
	domains_free(b.d);
	errno = -rc;
	return NULL;
}

/* ---- the agent's tables ------------------------------------------------------------ */

int dnstables_prepare(struct dnstables *t, const struct policy *p, int64_t now, char *err,
		      size_t errlen)
{
	domains_free(t->staged);
	t->staged = NULL;
	t->next = p ? policy_dns_next(p, now) : 0;
	if (!p && !t->written)
		return 0;
	t->staged = dnstables_build(p, now, err, errlen);
	return t->staged ? 0 : -errno;
}

int dnstables_commit(struct dnstables *t)
{
	int err;

	if (!t->staged)
		return 0;
	err = domains_commit(t->staged);
	if (err) {
		t->failures++;
		ew_err("couldn't write the policy's DNS answers to the kernel: %s",
		       domains_error(t->staged));
	} else {
		t->commits++;
		t->written = true;
		ew_info("DNS answers: %zu names in the kernel's tables", domains_names(t->staged));
	}
	domains_free(t->staged);
	t->staged = NULL;
	return err;
}

void dnstables_tick(struct dnstables *t, const struct policy *p, int64_t now)
{
	char err[320];

	if (!p || !t->next || now < t->next)
		return;
	if (dnstables_prepare(t, p, now, err, sizeof(err))) {
		t->failures++;
		ew_err("%s", err);
		t->next = now + 60; /* try again in a minute */
		return;
	}
	dnstables_commit(t);
}

void dnstables_free(struct dnstables *t)
{
	domains_free(t->staged);
	t->staged = NULL;
}
