// SPDX-License-Identifier: GPL-2.0
/* Blocklist files: one prefix per line, '#' comments, every bad line
 * reported in compiler format; parsed (by prefix.c) into a batch that
 * blocklist.c loads. The same parser serves `edgeward block --file` and a
 * fuzz target. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blocklist.h"

static int batch_push(struct blocklist_batch *b, const struct ew_prefix *p,
		      const struct ew_block_rule *rule)
{
	struct ptable_entry e = ptable_entry_make(p, rule->rule_id, (uint8_t)rule->flags);

	return ptable_list_push(p->family == 6 ? &b->v6 : &b->v4, &e);
}

void blocklist_batch_free(struct blocklist_batch *b)
{
	ptable_list_free(&b->v4);
	ptable_list_free(&b->v6);
}

static void note(struct blocklist_errors *errs, const struct prefix_error *e)
{
	if (errs->n < errs->max)
		errs->errs[errs->n] = *e;
	errs->n++;
}

/* One line: blanks, a prefix, blanks, an optional comment. Returns 1 with
 * *p filled, 0 for a line without a prefix, -EINVAL with e filled. */
static int parse_line(const char *line, size_t len, struct ew_prefix *p, struct prefix_error *e)
{
	size_t i = 0, start, end;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	start = i;
	while (i < len && !isspace((unsigned char)line[i]) && line[i] != '#')
		i++;
	end = i;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i < len && line[i] != '#') {
		e->col = (unsigned int)i + 1;
		snprintf(e->msg, sizeof(e->msg),
			 "unexpected '%.*s' after the prefix (one prefix per line)",
			 (int)(len - i > 32 ? 32 : len - i), line + i);
		return -EINVAL;
	}
	if (prefix_parse(line + start, end - start, (unsigned int)start + 1, p, e))
		return -EINVAL;
	return 1;
}

int blocklist_parse(FILE *f, const char *name, const struct ew_block_rule *rule,
		    struct blocklist_batch *b, struct blocklist_errors *errs)
{
	struct prefix_error e = {.file = name};
	struct ew_prefix p;
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	int rc, err = 0;

	errs->n = 0;
	while (!err && (len = getline(&line, &size, f)) >= 0) {
		e.line++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		rc = parse_line(line, (size_t)len, &p, &e);
		if (rc < 0)
			note(errs, &e);
		else if (rc > 0)
			err = batch_push(b, &p, rule);
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	return err ? err : errs->n ? -EINVAL : 0;
}
