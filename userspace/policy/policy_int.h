/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of the policy stage shared by its files: polparse.c (the file,
 * its sections, groups), pollists.c (lists), polrules.c (rules),
 * polcheck.c (rules that can never match, shadowed rules), poldecide.c
 * (decisions) and poltag.c (what the kernel tags). Not an interface:
 * other stages use policy.h. */
#ifndef EW_POLICY_INT_H
#define EW_POLICY_INT_H

#include "cidrset.h"
#include "config/yamltree.h"
#include "domset.h"
#include "object/hash.h"
#include "policy.h"
#include "strmap.h"
#include "tzone.h"
#include "urlset.h"

#define POLICY_ZONES_MAX 16
#define POLICY_PORTS_MAX 32 /* per kind of inspection */

enum plist_kind {
	PL_MD5, /* the first three equal enum list_kind */
	PL_SHA1,
	PL_SHA256,
	PL_PDQ,
	PL_HASHXML,
	PL_IP,
	PL_DOMAIN,
	PL_URL,
	PL_KIND_MAX
};

struct plist {
	const char *name;     /* in the document */
	enum plist_kind kind;
	const struct ynode *node;
	size_t entries;
	unsigned threshold;   /* PDQ */
	bool dihedral;	      /* PDQ: the 8 dihedral hashes of each image */
	bool failed;	      /* had errors (reported): not "empty" */
};

struct pgroup {
	const char *name;
	const struct ynode *node;
	size_t prefixes;
	bool no_history; /* keeps no history of its members (privacy.h) */
};

/* Conditions of a rule (bits of prule.conds). */
enum pcond {
	C_GROUP,
	C_HASH,
	C_PDQ,
	C_IP,
	C_DOMAIN,
	C_URL,
	C_APP,
	C_CATEGORY,
	C_TYPE,
	C_TIME,
	C_AT,
	C_MAX
};

/* An application condition: nDPI's "TLS.YouTube" (both ids, exact) or
 * "YouTube" (either id). */
struct papp {
	uint16_t master, app;
	bool exact;
};

/* A time window: from..to minutes of local time on the days set, in zone
 * zone; to < from runs past midnight into the next day. */
struct pwindow {
	uint8_t days; /* bit d: day d, 0 Sunday */
	uint16_t from, to;
	unsigned zone;
};

struct prule {
	struct policy_rule pub;
	const struct ynode *node;     /* the rule's mapping (line, col) */
	const struct ynode *cnode[C_MAX]; /* each condition's value */
	unsigned conds;		      /* 1 << C_*: conditions given */
	unsigned at;		      /* 1 << POLICY_AT_*: where it can match */
	uint64_t groups;
	struct polbits lists[C_MAX];  /* C_HASH .. C_URL: the lists named */
	struct polbits cats;	      /* C_CATEGORY: nDPI category ids */
	uint64_t types;		      /* C_TYPE: bit i = sniff_type_names()[i] */
	struct papp *apps;
	size_t napps;
	struct pwindow *win;
	size_t nwin;
};

struct policy {
	struct ydoc doc;	  /* strings of lists, groups, rules point into it */
	char *base;		  /* folder list paths are relative to */
	struct policy_opts opts;
	struct diag *d;		  /* while compiling */
	struct plist list[POLICY_LISTS_MAX];
	unsigned nlists;
	struct strmap list_ix;	  /* name -> index in list[] */
	struct pgroup group[POLICY_GROUPS_MAX];
	unsigned ngroups, dflt;
	struct prule *rule;
	unsigned nrules;
	struct policy_rule def;	  /* the defaults section: action settings */
	int def_zone;		  /* defaults.timezone, -1: UTC when needed */
	struct tzone zone[POLICY_ZONES_MAX];
	unsigned nzones;
	struct bitpool bits;	  /* list bitmaps of the tables below */
	struct domset dom;
	struct urlset url;
	struct cidrset ip;	  /* IP lists, value: bitmap of the lists holding it */
	struct cidrset clients;	  /* group prefixes, value: the group */
	struct hashdb *db;	  /* exact lists, opts.lists */
	struct pdqdb *pdb;	  /* PDQ lists */
	struct policy_port port[POLICY_INSPECT_APP][POLICY_PORTS_MAX];
	size_t nports[POLICY_INSPECT_APP];
	uint8_t notice4[16], notice6[16];
	bool has_notice4, has_notice6;
	const char *line_src;	  /* policy_read_lines: the line being read */
	size_t line_len;
	struct hash_ctx vh;	  /* the version: text and list files */
	char version[65];
};

/* polutil.c (calls no other file of the stage) */

/* The group of name, or -1. */
int policy_group_find(const struct policy *p, const char *name);

/* ymap_check that goes on past unknown keys: -EINVAL when n is no
 * mapping (nothing more to read), 1 when it had unknown keys (reported;
 * the known ones can still be read), 0 when all is well. */
int policy_keys(struct policy *p, const struct ynode *n, const char *what,
		const char *const *keys);

/* Checks that n is a name (letters, digits, '-', '_', '.'; 1..63 bytes)
 * and sets *s. Returns 0 or -EINVAL (reported as `what`). */
int policy_name(struct policy *p, const struct ynode *n, const char *what, const char **s);

/* The index of zone name (loaded on first use) or -1 with an error at n. */
int policy_zone(struct policy *p, const struct ynode *n, const char *name);

/* A path of the policy file made absolute from its folder, into out. */
void policy_path(const struct policy *p, const char *path, char *out, size_t outsz);

/* The action settings of a rule or the defaults section (notice,
 * contact, ede, http_status, acknowledge_for) from mapping n into r.
 * Returns 0 or -EINVAL. */
int policy_action_settings(struct policy *p, const struct ynode *n, struct policy_rule *r);

/* Reads a text list (one entry a line, '#' comments, blank lines; gzip or
 * not) at path (already resolved), calling fn with each entry (trimmed)
 * and where it is; fn reports its own errors. Returns 0, -EINVAL when fn
 * failed for some line, or -errno (reported at n). */
int policy_read_lines(struct policy *p, const struct ynode *n, const char *path,
		      int (*fn)(struct policy *p, const char *file, unsigned line, unsigned col,
				const char *s, size_t len, void *ctx),
		      void *ctx);

/* Reports a problem at a line of a list file: "file:line:col: text",
 * with the entry quoted by the caller. */
void policy_file_error(struct policy *p, const char *file, unsigned line, unsigned col,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Adds a file's bytes to the policy version. */
void policy_version_file(struct policy *p, const char *path);

/* A list of names n (one value or a YAML list) each checked by fn, which
 * reports its own errors; an empty list is an error. Returns 0 or
 * -EINVAL. */
int policy_each_name(struct policy *p, const struct ynode *n, const char *what,
		     int (*fn)(struct policy *p, const struct ynode *v, void *ctx), void *ctx);

/* pollists.c */

/* The lists section (the node of "lists"). Returns 0 or -EINVAL/-ENOMEM. */
int policy_lists(struct policy *p, const struct ynode *n);

/* The index of list name, or -1. */
int policy_list_find(const struct policy *p, const char *name);

const char *policy_list_kind_name(enum plist_kind k);

/* polrules.c */

/* The rules section. Returns 0 or -EINVAL/-ENOMEM. */
int policy_rules_parse(struct policy *p, const struct ynode *n);


/* polcheck.c */

/* Where each rule can match (prule.at), rules that can never match
 * (errors), rules an earlier one shadows (warnings). Returns 0 or
 * -EINVAL. */
int policy_check_rules(struct policy *p);

/* Points (1 << POLICY_AT_*) where condition c can be evaluated. */
unsigned policy_cond_points(enum pcond c);

/* True when every input rule b matches, a matches too (as far as the
 * conditions say: a sound, not a complete, test). */
bool policy_rule_covers(const struct policy *p, const struct prule *a, const struct prule *b);

/* poldns.c */

/* Warnings on what the DNS tables cannot enforce as the rules say. */
void policy_check_dns(struct policy *p);

/* poldecide.c */

/* True when time t falls in one of r's windows. */
bool policy_time_match(const struct policy *p, const struct prule *r, int64_t t);

#endif
