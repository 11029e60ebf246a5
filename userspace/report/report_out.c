// SPDX-License-Identifier: GPL-2.0
/* report_out: a report as JSON, CSV or Markdown (report.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log/eventjson.h"
#include "report_int.h"

/* ---- JSON -------------------------------------------------------------------------- */

static void jstr(FILE *out, struct ej_writer *w, const char *s, size_t n)
{
	ej_begin(w);
	w->len = 0;
	ej_escape(w, s, n);
	fwrite(w->buf, 1, w->len, out);
}

static void json_tally(FILE *out, struct ej_writer *w, struct report *r, int d, bool top)
{
	size_t n;
	struct tally *t = rep_tally(r, d, top || d < D_DAY, &n);

	fprintf(out, ",\n  \"%s%s\": %s", top ? "top_" : "by_", rep_dim_name(d, top),
		top ? "[" : "{");
	for (size_t i = 0, shown = 0; t && i < n && (!top || shown < r->c.top); i++) {
		if (top && !strcmp(t[i].key, "none"))
			continue;
		fprintf(out, "%s%s", shown++ ? ", " : "", top ? "{\"host\": " : "");
		jstr(out, w, t[i].key, t[i].keylen);
		fprintf(out, top ? ", \"cases\": %llu}" : ": %llu", (unsigned long long)t[i].n);
	}
	fprintf(out, "%s", top ? "]" : "}");
	free(t);
}

static void json_case(FILE *out, struct ej_writer *w, const struct rcase *k, bool first)
{
	fprintf(out, "%s\n    {", first ? "" : ",");
	for (int f = 0; f < F_MAX; f++) {
		fprintf(out, "%s\"%s\": ", f ? ", " : "", rep_field_name(f));
		jstr(out, w, k->f[f], strlen(k->f[f]));
	}
	fprintf(out, "}");
}

static void write_json(struct report *r, FILE *out)
{
	const struct cases *cs = rep_chosen(r);
	struct ej_writer w;

	ej_init(&w, NULL);
	fprintf(out, "{\n  \"from\": ");
	jstr(out, &w, r->c.from, strlen(r->c.from));
	fprintf(out, ",\n  \"to\": ");
	jstr(out, &w, r->c.to, strlen(r->c.to));
	fprintf(out, ",\n  \"cases_are\": \"%s\",\n  \"total_cases\": %llu,\n  "
		     "\"distinct_hashes\": %llu",
		r->blocks.n ? "block events" : "matched objects", (unsigned long long)cs->n,
		(unsigned long long)report_distinct_hashes(r));
	for (int d = 0; d < D_HOST; d++)
		json_tally(out, &w, r, d, false);
	json_tally(out, &w, r, D_HOST, true);
	fprintf(out, ",\n  \"cases\": [");
	for (size_t i = 0; i < cs->n; i++)
		json_case(out, &w, &cs->v[i], !i);
	fprintf(out, "\n  ]\n}\n");
	ej_free(&w);
}

/* ---- CSV and Markdown ------------------------------------------------------------------ */

static void csv_field(FILE *out, const char *s, size_t n)
{
	bool quote = strcspn(s, ",\"\r\n") < n;

	if (!quote) {
		fwrite(s, 1, n, out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', out);
		fputc(s[i], out);
	}
	fputc('"', out);
}

/* Markdown table cells: pipes and line breaks would break the table. */
static void md_field(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '|')
			fputs("\\|", out);
		else
			fputc(s[i] == '\n' || s[i] == '\r' ? ' ' : s[i], out);
}

static void rows(struct report *r, FILE *out, bool md, int d, bool top)
{
	void (*field)(FILE *, const char *, size_t) = md ? md_field : csv_field;
	size_t n;
	struct tally *t = rep_tally(r, d, top || d < D_DAY, &n);
	const char *name = rep_dim_name(d, top);

	if (md)
		fprintf(out, "\n## Cases per %s\n\n| %s | cases |\n|---|---:|\n", name, name);
	for (size_t i = 0, shown = 0; t && i < n && (!top || shown < r->c.top); i++) {
		if (top && !strcmp(t[i].key, "none"))
			continue;
		shown++;
		fprintf(out, md ? "| " : "%s,", name);
		field(out, t[i].key, t[i].keylen);
		fprintf(out, md ? " | %llu |\n" : ",%llu\n", (unsigned long long)t[i].n);
	}
	free(t);
}

static void appendix(struct report *r, FILE *out, bool md)
{
	void (*field)(FILE *, const char *, size_t) = md ? md_field : csv_field;
	const struct cases *cs = rep_chosen(r);

	fprintf(out, md ? "\n## Appendix: every case\n\n|" : "\n");
	for (int f = 0; f < F_MAX; f++)
		fprintf(out, md ? " %s |" : "%s%s", md || !f ? "" : ",", rep_field_name(f));
	if (md) {
		fprintf(out, "\n|");
		for (int f = 0; f < F_MAX; f++)
			fprintf(out, "---|");
	}
	fputc('\n', out);
	for (size_t i = 0; i < cs->n; i++) {
		for (int f = 0; f < F_MAX; f++) {
			fprintf(out, md ? (f ? " " : "| ") : (f ? "," : ""));
			field(out, cs->v[i].f[f], strlen(cs->v[i].f[f]));
			if (md)
				fprintf(out, " |");
		}
		fputc('\n', out);
	}
}

static void write_table(struct report *r, FILE *out, bool md)
{
	const char *what = r->blocks.n ? "block events" : "matched objects";
	unsigned long long total = rep_chosen(r)->n, distinct = report_distinct_hashes(r);

	if (md)
		fprintf(out, "# edgeward report %s to %s\n\nCases are %s.\n\n"
			     "- total cases: %llu\n- distinct hashes: %llu\n",
			r->c.from, r->c.to, what, total, distinct);
	else
		fprintf(out, "dimension,value,cases\ntotal,%s,%llu\ndistinct_hashes,%s,%llu\n",
			what, total, what, distinct);
	for (int d = 0; d < D_HOST; d++)
		rows(r, out, md, d, false);
	rows(r, out, md, D_HOST, true);
	appendix(r, out, md);
}

int report_write(struct report *r, FILE *out, enum report_format f)
{
	if (f == REPORT_JSON)
		write_json(r, out);
	else
		write_table(r, out, f == REPORT_MD);
	return ferror(out) ? -EIO : 0;
}
