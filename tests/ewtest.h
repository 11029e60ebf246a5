/* SPDX-License-Identifier: GPL-2.0 */
/* What the cmocka tests share with tests/oracle/ewtest.py: where the
 * repository and the shared test data are, whatever the working directory,
 * and skips that tests/run.sh reports instead of counting them as passes.
 * Header-only; include it after <cmocka.h>.
 *
 *   test data   $EW_TESTDATA, else <repository>/../shared/testdata; it is
 *               there when it holds pcaps/expected.json (ewtest.py's test)
 *   repository  the nearest directory above this binary holding
 *               tests/run.sh, else $EW_ROOT (tests/run.sh exports it)
 *
 * A test that cannot run calls ewtest_skip(why) (or ewtest_data(), which
 * skips when there is no test data); main returns ewtest_run(tests), which
 * is 1 if any test failed, else 77 if any was skipped, with a last line
 * saying how many and why, else 0. */
#ifndef EW_TESTS_EWTEST_H
#define EW_TESTS_EWTEST_H

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EWTEST_SKIP 77	/* tests/run.sh: skipped */

struct ewtest_skips {
	int n;			/* tests skipped */
	int other;		/* a later skip gave another reason */
	char why[512];		/* the first reason */
};

/* The run's skips (one per test binary). */
static inline struct ewtest_skips *ewtest_skips(void)
{
	static struct ewtest_skips s;

	return &s;
}

/* 1 if dir holds tests/run.sh. */
static inline int ewtest_is_root(const char *dir)
{
	char p[PATH_MAX + 16];

	snprintf(p, sizeof(p), "%s/tests/run.sh", dir);
	return access(p, R_OK) == 0;
}

/* The repository's top directory (see the top of this file), or NULL. */
static inline const char *ewtest_root(void)
{
	static char root[PATH_MAX];
	const char *env = getenv("EW_ROOT");
	char *slash;
	ssize_t n;

	if (root[0])
		return root;
	n = readlink("/proc/self/exe", root, sizeof(root) - 1);
	root[n > 0 ? n : 0] = '\0';
	while ((slash = strrchr(root, '/')) && slash != root) {
		*slash = '\0';
		if (ewtest_is_root(root))
			return root;
	}
	root[0] = '\0';
	if (env && *env && ewtest_is_root(env) && strlen(env) < sizeof(root)) {
		strcpy(root, env);
		return root;
	}
	return NULL;
}

/* The test data directory, whether or not it is there; NULL when neither
 * EW_TESTDATA nor the repository is found. */
static inline const char *ewtest_data_dir(void)
{
	static char dir[PATH_MAX + 32];
	const char *env = getenv("EW_TESTDATA");
	const char *root = ewtest_root();
	char *slash;

	if (env && *env)
		return env;
	if (!root)
		return NULL;
	snprintf(dir, sizeof(dir), "%s", root);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';		/* <root>/.. */
	else
		strcpy(dir, "");
	strcat(dir, "/shared/testdata");
	return dir;
}

/* 1 if the test data is there: the same test as ewtest.py's. */
static inline int ewtest_have_data(void)
{
	const char *dir = ewtest_data_dir();
	char p[PATH_MAX + 64];

	if (!dir)
		return 0;
	snprintf(p, sizeof(p), "%s/pcaps/expected.json", dir);
	return access(p, R_OK) == 0;
}

/* Paths handed out by ewtest_data and ewtest_repo: each call takes the next
 * of these buffers, so a few paths can be in use at once. */
#define EWTEST_PATHS 8

static inline char *ewtest_path_buf(void)
{
	static char buf[EWTEST_PATHS][PATH_MAX + 64];
	static unsigned next;

	return buf[next++ % EWTEST_PATHS];
}

/* Notes a skip of test `test`; prints why. */
static inline void ewtest_note_skip(const char *test, const char *fmt, ...)
{
	struct ewtest_skips *s = ewtest_skips();
	char why[sizeof(s->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	print_message("%s: skipped: %s\n", test, why);
	if (!s->n++)
		strcpy(s->why, why);
	else if (strcmp(s->why, why))
		s->other = 1;
}

/* Skips the calling test, saying why (printf format). */
#define ewtest_skip(...)                                   \
	do {                                               \
		ewtest_note_skip(__func__, __VA_ARGS__);   \
		_skip(__FILE__, __LINE__);                 \
	} while (0)

/* Any other skip would go uncounted: use ewtest_skip. */
#undef skip
#define skip() ewtest_skip("no reason given")

/* <test data>/rel for test `test`, which is skipped when there is no test
 * data and fails when the data is there without rel. */
static inline const char *ewtest_data_(const char *test, const char *rel)
{
	char *p = ewtest_path_buf();

	if (!ewtest_data_dir()) {
		ewtest_note_skip(test, "no test data: no repository (tests/run.sh) above this "
				 "binary (set EW_TESTDATA or EW_ROOT)");
		_skip(__FILE__, __LINE__);
	}
	if (!ewtest_have_data()) {
		ewtest_note_skip(test, "no test data at %s (set EW_TESTDATA)", ewtest_data_dir());
		_skip(__FILE__, __LINE__);
	}
	snprintf(p, PATH_MAX + 64, "%s/%s", ewtest_data_dir(), rel);
	if (access(p, R_OK))
		fail_msg("%s: %s is missing from the test data", test, p);
	return p;
}
#define ewtest_data(rel) ewtest_data_(__func__, rel)

/* <repository>/rel (policies/..., the committed samples), from any working
 * directory. */
static inline const char *ewtest_repo(const char *rel)
{
	char *p = ewtest_path_buf();

	if (!ewtest_root())
		fail_msg("no repository (tests/run.sh) above this test binary; set EW_ROOT");
	snprintf(p, PATH_MAX + 64, "%s/%s", ewtest_root(), rel);
	return p;
}

/* main's exit status after running `total` tests of which `failed` failed
 * (cmocka_run_group_tests' result): see the top of this file. */
static inline int ewtest_exit(int failed, size_t total)
{
	const struct ewtest_skips *s = ewtest_skips();

	if (failed)
		return 1;	/* not the count: 77 failures must not read as a skip */
	if (!s->n)
		return 0;
	printf("skipped %d of %zu tests: %s%s\n", s->n, total, s->why,
	       s->other ? " (and other reasons, above)" : "");
	fflush(stdout);
	return EWTEST_SKIP;
}

#define ewtest_run(tests) \
	ewtest_exit(cmocka_run_group_tests(tests, NULL, NULL), sizeof(tests) / sizeof((tests)[0]))

#endif
