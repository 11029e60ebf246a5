// SPDX-License-Identifier: GPL-2.0
/* The list and PDQ options shared by the inspecting commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/listopts.h"
#include "log/log.h"

void listopts_init(struct listopts *o)
{
	memset(o, 0, sizeof(*o));
	o->ic.min_quality = IMGMATCH_DEF_MIN_QUALITY;
	o->ic.obj_cap = IMGMATCH_DEF_OBJ_CAP;
	o->ic.total_cap = IMGMATCH_DEF_TOTAL_CAP;
}

/* A whole decimal number in [lo, hi]. */
static int parse_num(const char *s, unsigned long long lo, unsigned long long hi,
		     unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || *end || *v < lo || *v > hi)
		return -EINVAL;
	return 0;
}

/* --pdq-min-quality and the buffer caps. */
static int number_option(struct listopts *o, const char *who, int c, const char *arg)
{
	unsigned long long v;

	if (c == 0x104) {
		if (parse_num(arg, 0, 101, &v)) {
			ew_err("%s: bad --pdq-min-quality '%s' (expected 0..101)", who, arg);
			return -EINVAL;
		}
		o->ic.min_quality = (int)v;
		return 0;
	}
	if (parse_num(arg, 1, IMGSANDBOX_DEF_MAX_INPUT, &v)) {
		ew_err("%s: bad %s '%s' (expected 1..%u bytes)", who,
		       c == 0x105 ? "--pdq-buffer-max" : "--pdq-buffer-total", arg,
		       IMGSANDBOX_DEF_MAX_INPUT);
		return -EINVAL;
	}
	if (c == 0x105)
		o->ic.obj_cap = v;
	else
		o->ic.total_cap = v;
	return 0;
}

int listopts_option(struct listopts *o, const char *who, int c, char *arg)
{
	static const enum listset_kind kinds[] = {LISTSET_HASH, LISTSET_PDQ, LISTSET_XML};
	char msg[512];

	switch (c) {
	case 0x100:
	case 0x101:
	case 0x102:
		if (listset_add(&o->ls, kinds[c - 0x100], arg, msg, sizeof(msg))) {
			ew_err("%s: %s", who, msg);
			return -EINVAL;
		}
		return 0;
	case 0x103:
		o->ic.log = true;
		return 0;
	case 0x104:
	case 0x105:
	case 0x106:
		return number_option(o, who, c, arg);
	default:
		return 1;
	}
}

int listopts_load(struct listopts *o, const char *who)
{
	int err = listset_load(&o->ls, who, stderr);

	o->ic.db = o->ls.pdb;
	return err;
}

void listopts_free(struct listopts *o)
{
	listset_free(&o->ls);
}
