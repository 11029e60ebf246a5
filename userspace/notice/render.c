// SPDX-License-Identifier: GPL-2.0
/* render: a template's runs copied, its placeholders filled in
 * HTML-escaped (notice.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "notice_int.h"
#include "util/html.h"

static const char *const kind_names[] = {
	[NOTICE_BLOCK] = "block",
	[NOTICE_WARN] = "warn",
	[NOTICE_ACKED] = "acked",
};

/* The pieces of t into buf; -ENOSPC when they do not fit with a NUL. */
static int fill(const struct tmpl *t, const char *const *val, char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < t->npieces; i++) {
		const struct piece *p = &t->pieces[i];
		size_t k;

		if (p->ph < 0) {
			k = p->len;
			if (n + k < size)
				memcpy(buf + n, t->text + p->off, k);
		} else {
			k = html_escape(val[p->ph] ? val[p->ph] : "", buf + n, size - n);
		}
		if (n + k >= size)
			return -ENOSPC;
		n += k;
	}
	buf[n] = '\0';
	return (int)n;
}

int notice_render(const struct notice_set *s, enum notice_kind k, const char *accept,
		  const struct notice_vars *v, char *buf, size_t size, int *status)
{
	const char *name = v->tmpl && *v->tmpl ? v->tmpl : kind_names[k];
	const char *lang = notice_lang_choose(s, name, accept, v->lang);
	char st[8];
	const char *val[PH_MAX] = {
		[PH_RULE] = v->rule,	   [PH_CATEGORY] = v->category,
		[PH_CONTACT] = v->contact, [PH_HOST] = v->host,
		[PH_URL] = v->url,	   [PH_LAW] = v->law,
		[PH_ACK_URL] = v->ack_url, [PH_TOKEN] = v->token,
		[PH_REF] = v->ref,	   [PH_TIME] = v->time,
		[PH_LANG] = lang,	   [PH_STATUS] = st,
	};

	*status = k != NOTICE_BLOCK ? 200 : v->status == 403 ? 403 : 451;
	snprintf(st, sizeof(st), "%d", *status);
	if (!lang)
		return -ENOENT;
	if (!size)
		return -ENOSPC;
	return fill(tmpl_find(s, name, lang), val, buf, size);
}
