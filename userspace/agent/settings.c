// SPDX-License-Identifier: GPL-2.0
/* settings: what the agent runs with, built at start and on every reload
 * (settings.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "settings.h"

static int app_id(void *ctx, const char *name)
{
	return dpi_app_id(ctx, name);
}

static int category_id(void *ctx, const char *name)
{
	return dpi_category_id(ctx, name);
}

/* A group that keeps no history wants pseudonyms: its block events
 * carry only them (log/privacy.h). Returns 0 or -EINVAL, said to mf. */
static int no_history_keyed(const struct runconf *c, const struct policy *p, FILE *mf)
{
	for (unsigned g = 0; p && !c->privacy.pseudonym_key && g < policy_groups(p); g++)
		if (policy_group_no_history(p, g)) {
			fprintf(mf, "%s: group '%s' keeps no history: the config needs "
				    "privacy: pseudonym_key\n",
				c->policy, policy_group_name(p, g));
			return -EINVAL;
		}
	return 0;
}

int agent_policy_load(const char *path, struct listset *ls, struct dpi **names,
		      struct apolicy **gen, FILE *mf)
{
	struct policy_names pn = {app_id, category_id, NULL};
	struct diag *d = calloc(1, sizeof(*d));
	int rc = 0;

	if (!d)
		return -ENOMEM;
	if (path && !*names && !(*names = dpi_new()))
		ew_warn("nDPI did not start (%s): rules on applications cannot load",
			strerror(errno));
	pn.ctx = *names;
	*gen = apolicy_new(path, ls, *names ? &pn : NULL, d);
	if (!*gen)
		rc = errno ? -errno : -EINVAL;
	if (mf)
		diag_print(d, mf);
	if (rc && mf)
		fprintf(mf, "%s: invalid policy\n", path);
	free(d);
	return rc;
}

int agent_settings(const struct agent_opts *o, struct dpi **names, struct runconf *c,
		   struct apolicy **gen, bool *policy_failed, char *err, size_t errlen)
{
	struct diag d = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	int rc;

	*gen = NULL;
	*policy_failed = false;
	runconf_default(c);
	rc = o->settings(c, o->ctx, &d);
	if (!rc)
		rc = runconf_check(c, o->config_path ? o->config_path : "settings", &d);
	if (mf)
		diag_print(&d, mf);
	if (!rc && mf)
		rc = listset_load(&c->lists, "run", mf);
	if (!rc && mf)
		*policy_failed = (rc = agent_policy_load(c->policy, &c->lists, names, gen, mf)) != 0;
	if (!rc && mf && (rc = no_history_keyed(c, (*gen)->p, mf))) {
		*policy_failed = true;
		apolicy_free(*gen);
		*gen = NULL;
	}
	if (mf)
		fclose(mf);
	if (buf && buf[0] && (rc || strstr(buf, "warning")))
		fputs(buf, stderr);
	if (rc && buf)
		snprintf(err, errlen, "%s", buf);
	else if (rc)
		snprintf(err, errlen, "%s", strerror(-rc));
	free(buf);
	return rc;
}
