// SPDX-License-Identifier: GPL-2.0
/* The ICAP head (RFC 3507 4.3): request line, the fields the server acts
 * on, and the Encapsulated list that says where the HTTP header blocks
 * and the body sit in what follows. Part of the ICAP message parser. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "icapint.h"

int icap_fail(struct icap_err *e, int status, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void icap_quote(char *out, size_t outsz, const uint8_t *p, size_t n)
{
	size_t o = 0, cut = n > 48 ? 48 : n;

	for (size_t i = 0; i < cut && o + 8 < outsz; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", p[i]);
	}
	if (cut < n && o + 4 < outsz)
		o += (size_t)snprintf(out + o, outsz - o, "...");
	out[o < outsz ? o : outsz - 1] = '\0';
}

/* One line of p[*pos..len) without its CR LF (or LF); *pos moves past it. */
static const uint8_t *next_line(const uint8_t *p, size_t len, size_t *pos, size_t *n)
{
	const uint8_t *s = p + *pos, *nl = memchr(s, '\n', len - *pos);
	size_t k = nl ? (size_t)(nl - s) : len - *pos;

	*pos += nl ? k + 1 : k;
	if (k && s[k - 1] == '\r')
		k--;
	*n = k;
	return s;
}

static const char *const methods[] = {
	[ICAP_OPTIONS] = "OPTIONS",
	[ICAP_REQMOD] = "REQMOD",
	[ICAP_RESPMOD] = "RESPMOD",
};

const char *icap_method_name(enum icap_method m)
{
	return methods[m];
}

/* The last path segment of an icap:// URI, without a query. */
static void service_of(const char *uri, char *out, size_t outsz)
{
	const char *path = strstr(uri, "://"), *end, *seg;
	size_t n;

	path = path ? strchr(path + 3, '/') : strchr(uri, '/');
	out[0] = '\0';
	if (!path)
		return;
	end = path + strcspn(path, "?#");
	seg = end;
	while (seg > path && seg[-1] != '/')
		seg--;
	n = (size_t)(end - seg);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, seg, n);
	out[n] = '\0';
}

static int request_line(const uint8_t *l, size_t n, struct icap_msg *m, struct icap_err *e)
{
	const uint8_t *sp1 = memchr(l, ' ', n), *sp2;
	char q[200];
	size_t ul;
	int i;

	sp2 = sp1 ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l)) : NULL;
	icap_quote(q, sizeof(q), l, n);
	if (!sp1 || !sp2 || sp2 == sp1 + 1)
		return icap_fail(e, 400, "bad request line '%s' (expected METHOD URI ICAP/1.0)", q);
	for (i = 0; i < 3; i++)
		if ((size_t)(sp1 - l) == strlen(methods[i]) && !memcmp(l, methods[i], (size_t)(sp1 - l)))
			break;
	if (i == 3)
		return icap_fail(e, 501, "unknown method in '%s' (expected OPTIONS, REQMOD, RESPMOD)",
				 q);
	if ((size_t)(l + n - sp2 - 1) != 8 || memcmp(sp2 + 1, "ICAP/1.0", 8))
		return icap_fail(e, 505, "unsupported version in '%s' (expected ICAP/1.0)", q);
	m->method = (enum icap_method)i;
	ul = (size_t)(sp2 - sp1 - 1);
	if (ul >= sizeof(m->uri))
		return icap_fail(e, 400, "URI longer than %zu bytes in '%s'", sizeof(m->uri) - 1, q);
	memcpy(m->uri, sp1 + 1, ul);
	m->uri[ul] = '\0';
	if (memchr(m->uri, '\0', ul))
		return icap_fail(e, 400, "NUL byte in the URI of '%s'", q);
	service_of(m->uri, m->service, sizeof(m->service));
	return 0;
}

/* A decimal number in [0, max], whole string. */
static int decimal(const char *s, int64_t max, int64_t *v)
{
	char *end;
	long long x;

	if (*s < '0' || *s > '9' || strlen(s) > 18)
		return -EINVAL;
	x = strtoll(s, &end, 10);
	if (*end || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

static bool has_token(const char *v, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *s = v; *s;) {
		s += strspn(s, " \t,");
		if (!strncasecmp(s, tok, n) && (!s[n] || strchr(" \t,;", s[n])))
			return true;
		s += strcspn(s, ",");
	}
	return false;
}

static const char *const encap_names[] = {
	"req-hdr", "res-hdr", "req-body", "res-body", "null-body", "opt-body",
};

/* Which bodies each method may carry (bits: 1 << enum icap_body). */
static const unsigned body_ok[] = {
	[ICAP_OPTIONS] = 1u << ICAP_NULL_BODY | 1u << ICAP_OPT_BODY,
	[ICAP_REQMOD] = 1u << ICAP_NULL_BODY | 1u << ICAP_REQ_BODY,
	[ICAP_RESPMOD] = 1u << ICAP_NULL_BODY | 1u << ICAP_RES_BODY,
};

/* One "name=offset" entry, in order; the body entry must be the last. */
static int encap_entry(struct icap_msg *m, const char *ent, int64_t *last, struct icap_err *e)
{
	static const enum icap_body bodies[] = {ICAP_REQ_BODY, ICAP_RES_BODY, ICAP_NULL_BODY,
						ICAP_OPT_BODY};
	const char *eq = strchr(ent, '=');
	size_t nl = eq ? (size_t)(eq - ent) : 0;
	int64_t off;
	int k;

	for (k = 0; k < 6; k++)
		if (eq && nl == strlen(encap_names[k]) && !strncasecmp(ent, encap_names[k], nl))
			break;
	if (k == 6 || decimal(eq + 1, 1 << 30, &off))
		return icap_fail(e, 400, "bad Encapsulated entry '%s' (expected NAME=OFFSET)", ent);
	if (m->body_off >= 0)
		return icap_fail(e, 400, "Encapsulated entry '%s' after the body entry", ent);
	if (off < *last || (*last < 0 && off != 0) || (*last >= 0 && off == *last))
		return icap_fail(e, 400, "Encapsulated offset in '%s' out of order", ent);
	*last = off;
	if (k == 0 && m->req_hdr < 0 && m->res_hdr < 0)
		m->req_hdr = off;
	else if (k == 1 && m->res_hdr < 0 && m->method == ICAP_RESPMOD)
		m->res_hdr = off;
	else if (k >= 2 && (body_ok[m->method] & (1u << bodies[k - 2])))
		m->body = bodies[k - 2], m->body_off = off;
	else
		return icap_fail(e, 400, "Encapsulated entry '%s' not allowed in %s", ent,
				 methods[m->method]);
	return 0;
}

static int encapsulated(struct icap_msg *m, char *v, struct icap_err *e)
{
	int64_t last = -1;
	char *save = NULL, *ent;

	if (m->body_off >= 0 || m->req_hdr >= 0 || m->res_hdr >= 0)
		return icap_fail(e, 400, "more than one Encapsulated field");
	for (ent = strtok_r(v, ",", &save); ent; ent = strtok_r(NULL, ",", &save)) {
		ent += strspn(ent, " \t");
		ent[strcspn(ent, " \t")] = '\0';
		if (encap_entry(m, ent, &last, e))
			return -EINVAL;
	}
	if (m->body_off < 0)
		return icap_fail(e, 400, "Encapsulated has no body entry (req-body, res-body, "
					 "null-body or opt-body)");
	return 0;
}

static int field(struct icap_msg *m, const uint8_t *l, size_t n, struct icap_err *e)
{
	const uint8_t *colon = memchr(l, ':', n);
	char name[64], v[512], q[200];
	size_t nn, vn;

	icap_quote(q, sizeof(q), l, n);
	if (!colon || colon == l || (size_t)(colon - l) >= sizeof(name) || memchr(l, '\0', n))
		return icap_fail(e, 400, "bad header line '%s' (expected NAME: VALUE)", q);
	nn = (size_t)(colon - l);
	memcpy(name, l, nn);
	name[nn] = '\0';
	colon++;
	while (colon < l + n && (*colon == ' ' || *colon == '\t'))
		colon++;
	vn = (size_t)(l + n - colon);
	if (vn >= sizeof(v))
		return icap_fail(e, 400, "header value too long in '%s'", q);
	memcpy(v, colon, vn);
	while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	v[vn] = '\0';
	if (!strcasecmp(name, "Encapsulated"))
		return encapsulated(m, v, e);
	if (!strcasecmp(name, "Preview") && decimal(v, 1 << 30, &m->preview))
		return icap_fail(e, 400, "bad Preview '%s' (expected a byte count)", v);
	if (!strcasecmp(name, "Allow"))
		m->allow204 |= has_token(v, "204");
	else if (!strcasecmp(name, "Connection"))
		m->conn_close |= has_token(v, "close");
	else if (!strcasecmp(name, "X-Client-IP"))
		snprintf(m->client_ip, sizeof(m->client_ip), "%.*s",
			 (int)sizeof(m->client_ip) - 1, v);
	return 0;
}

int icaphead_parse(const uint8_t *p, size_t len, struct icap_msg *m, struct icap_err *e)
{
	const uint8_t *l;
	size_t pos = 0, n;

	memset(m, 0, sizeof(*m));
	m->preview = m->req_hdr = m->res_hdr = m->body_off = -1;
	l = next_line(p, len, &pos, &n);
	if (request_line(l, n, m, e))
		return -EINVAL;
	while (pos < len) {
		l = next_line(p, len, &pos, &n);
		if (!n)
			break;
		if (l[0] == ' ' || l[0] == '\t')
			return icap_fail(e, 400, "folded header line (obsolete, refused)");
		if (field(m, l, n, e))
			return -EINVAL;
	}
	if (m->body_off < 0) {
		if (m->method != ICAP_OPTIONS)
			return icap_fail(e, 400, "%s without an Encapsulated field",
					 methods[m->method]);
		m->body = ICAP_NULL_BODY;
		m->body_off = 0;
	}
	return 0;
}
