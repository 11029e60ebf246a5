// SPDX-License-Identifier: GPL-2.0
/* loader, attach, blocklist and steer against the real kernel (root): pins
 * created and reused, mismatched and old-version pins discarded, XDP and TC
 * attached to a veth, updated in place, removed idempotently; blocklist add,
 * remove, list, count and bulk load into the dense prefix tables; the
 * proxy's listeners and steering flags. Uses its own pin
 * directory and veth pair, removed at the end. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>

#include "kernel/attach.h"
#include "kernel/blocklist.h"
#include "kernel/config.h"
#include "kernel/loader.h"
#include "kernel/steer.h"
#include "log/log.h"

struct env {
	char pin_dir[64];
	char ifname[16];
	char peer[16];
};

static char *pin(const struct env *e, const char *name)
{
	static char path[160];

	snprintf(path, sizeof(path), "%s/%s", e->pin_dir, name);
	return path;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup(void **state)
{
	static struct env e;
	char cmd[128];

	snprintf(e.pin_dir, sizeof(e.pin_dir), "/sys/fs/bpf/ew-test-loader-%d", getpid());
	snprintf(e.ifname, sizeof(e.ifname), "ewt%d", getpid() % 100000);
	snprintf(e.peer, sizeof(e.peer), "ewt%dp", getpid() % 100000);
	setenv("EDGEWARD_PIN_DIR", e.pin_dir, 1);
	snprintf(cmd, sizeof(cmd), "ip link add %s type veth peer name %s && ip link set %s up",
		 e.ifname, e.peer, e.ifname);
	if (system(cmd))
		return -1;
	*state = &e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "ip link del %s", e->ifname);
	if (system(cmd))
		fprintf(stderr, "couldn't delete %s\n", e->ifname);
	nftw(e->pin_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static __u32 value_size(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	close(fd);
	return info.value_size;
}

static void add_text(const struct blocklist *bl, const char *text, __u32 rule_id)
{
	struct ew_block_rule rule = {.rule_id = rule_id};
	struct prefix_error err;
	struct ew_prefix p;

	assert_int_equal(prefix_parse(text, strlen(text), 1, &p, &err), 0);
	assert_int_equal(blocklist_add(bl, &p, &rule), 0);
}

static size_t count4(void)
{
	struct blocklist bl;
	size_t n4, n6;

	assert_int_equal(blocklist_open(&bl), 0);
	assert_int_equal(blocklist_count(&bl, &n4, &n6), 0);
	blocklist_close(&bl);
	return n4;
}

static void pins_created_and_reused(void **state)
{
	static const char *const maps[] = {
		EW_MAP_PTCLASS,	 "ew_pt4c8_v1", "ew_pt6c20_v1", EW_MAP_FLOWS,  EW_MAP_COUNTERS,
		EW_MAP_RULEHITS, EW_MAP_CONFIG, EW_MAP_PORTS,	EW_MAP_MIRROR, EW_MAP_PROXY};
	struct env *e = *state;
	struct blocklist bl;

	assert_int_equal(loader_maps_pin(), 0);
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		assert_int_equal(access(pin(e, maps[i]), F_OK), 0);
	assert_int_equal(blocklist_open(&bl), 0);
	add_text(&bl, "192.0.2.0/24", 3);
	blocklist_close(&bl);
	assert_int_equal(loader_maps_pin(), 0);
	assert_int_equal(count4(), 1);
}

static void mismatched_pins_discarded(void **state)
{
	struct env *e = *state;
	struct loader *l;
	int fd;

	assert_int_equal(unlink(pin(e, EW_MAP_PORTS)), 0);
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ew_ports_v1", 4, 4, 16, NULL);
	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_pin(fd, pin(e, EW_MAP_PORTS)), 0);
	assert_int_equal(bpf_obj_pin(fd, pin(e, "ew_block4_v0")), 0);
	assert_int_equal(bpf_obj_pin(fd, pin(e, "ew_block4_v1")), 0); /* retired names */
	assert_int_equal(bpf_obj_pin(fd, pin(e, "ew_pfx4_v1")), 0);
	assert_int_equal(bpf_obj_pin(fd, pin(e, "ew_config_v1")), 0); /* now ew_config_v2 */
	close(fd);
	l = loader_load();
	assert_non_null(l);
	assert_int_equal(value_size(pin(e, EW_MAP_PORTS)), sizeof(struct ew_port_tag));
	assert_int_equal(access(pin(e, "ew_block4_v0"), F_OK), -1);
	assert_int_equal(access(pin(e, "ew_block4_v1"), F_OK), -1);
	assert_int_equal(access(pin(e, "ew_pfx4_v1"), F_OK), -1);
	assert_int_equal(access(pin(e, "ew_config_v1"), F_OK), -1);
	assert_int_equal(value_size(pin(e, EW_MAP_CONFIG)), sizeof(struct ew_config));
	assert_int_equal(count4(), 1); /* the blocklist survived */
	loader_free(l);
}

static int note_iface(const char *ifname, void *ctx)
{
	strcpy(ctx, ifname);
	return 0;
}

static void attach_lifecycle(void **state)
{
	struct env *e = *state;
	char xdp[96], tc[96], seen[16] = "";
	struct loader *l = loader_load();
	bool xdp_new, tc_new;

	assert_non_null(l);
	assert_int_equal(attach_xdp(loader_xdp_fd(l), e->ifname, ATTACH_XDP_AUTO, &xdp_new), 0);
	assert_int_equal(attach_tc(loader_tc_fd(l), e->ifname, &tc_new), 0);
	assert_true(xdp_new && tc_new);
	attach_describe(e->ifname, xdp, tc, sizeof(xdp));
	assert_memory_equal(xdp, "native (prog ", 13);
	assert_memory_equal(tc, "ingress (prog ", 14);
	assert_int_equal(attach_foreach_iface(note_iface, seen), 0);
	assert_string_equal(seen, e->ifname);

	/* A second run updates in place. */
	assert_int_equal(attach_xdp(loader_xdp_fd(l), e->ifname, ATTACH_XDP_AUTO, &xdp_new), 0);
	assert_int_equal(attach_tc(loader_tc_fd(l), e->ifname, &tc_new), 0);
	assert_false(xdp_new || tc_new);
	loader_free(l); /* the pins keep both attached */
	attach_describe(e->ifname, xdp, tc, sizeof(xdp));
	assert_memory_equal(xdp, "native (prog ", 13);

	assert_int_equal(attach_xdp_remove(e->ifname), 1);
	assert_int_equal(attach_tc_remove(e->ifname), 1);
	attach_describe(e->ifname, xdp, tc, sizeof(xdp));
	assert_string_equal(xdp, "none");
	assert_string_equal(tc, "none");
	assert_int_equal(attach_xdp_remove(e->ifname), 0);
	assert_int_equal(attach_tc_remove(e->ifname), 0);
	seen[0] = '\0';
	assert_int_equal(attach_foreach_iface(note_iface, seen), 0);
	assert_string_equal(seen, "");
}

/* The steering flags as the programs read them (a map lookup, not the
 * mapping steer.c writes through). */
static __u32 steer_flags_now(const struct env *e)
{
	struct ew_config c;
	__u32 zero = 0;
	int fd = bpf_obj_get(pin(e, EW_MAP_CONFIG));

	assert_true(fd >= 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &zero, &c), 0);
	close(fd);
	return c.steer_flags;
}

/* kernel/steer.h against the pinned maps: listeners registered (the map
 * answers with their cookie) and unregistered, refused when not
 * listening; the flags flip one bit each, and the heartbeat written
 * through config.c leaves them alone. */
static void steer_api(void **state)
{
	struct env *e = *state;
	struct steer *s;
	struct config *c;
	__u32 idx = EW_PROXY_IPV6;
	__u64 cookie;
	int l4, l6, fd, other;

	assert_int_equal(loader_maps_pin(), 0);
	s = steer_open();
	assert_non_null(s);
	c = config_open();
	assert_non_null(c);
	assert_int_equal(steer_listen(AF_UNIX, NULL, 0, 8), -EAFNOSUPPORT);
	l4 = steer_listen(AF_INET, NULL, 0, 8);
	l6 = steer_listen(AF_INET6, NULL, 0, 8);
	assert_true(l4 >= 0 && l6 >= 0);
	assert_int_equal(steer_register(s, l4), 0);
	assert_int_equal(steer_register(s, l6), 0);
	fd = bpf_obj_get(pin(e, EW_MAP_PROXY));
	assert_true(fd >= 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &idx, &cookie), 0);
	assert_true(cookie != 0);
	assert_int_equal(steer_unregister(s, AF_INET6), 0);
	assert_int_equal(steer_unregister(s, AF_INET6), -ENOENT);
	assert_int_equal(bpf_map_lookup_elem(fd, &idx, &cookie), -ENOENT);
	other = socket(AF_INET6, SOCK_STREAM, 0); /* not listening */
	assert_true(steer_register(s, other) < 0);
	close(other);
	close(fd);

	config_flags(c, 0, ~0u);
	steer_set_enabled(s, true);
	steer_set_accepting(s, true);
	assert_int_equal(steer_flags_now(e), EW_STEER_ON | EW_STEER_ACCEPT);
	config_beat(c, 42);
	steer_set_accepting(s, false);
	assert_int_equal(steer_flags_now(e), EW_STEER_ON);
	steer_set_enabled(s, false);
	assert_int_equal(steer_flags_now(e), 0);
	close(l4);
	close(l6);
	config_close(c);
	steer_close(s);
}

static void generic_forced(void **state)
{
	struct env *e = *state;
	struct loader *l = loader_load();
	char xdp[96], tc[96];
	bool created;

	assert_non_null(l);
	assert_int_equal(attach_xdp(loader_xdp_fd(l), e->ifname, ATTACH_XDP_GENERIC, &created), 0);
	attach_describe(e->ifname, xdp, tc, sizeof(xdp));
	assert_memory_equal(xdp, "generic (prog ", 14);
	assert_string_equal(tc, "none");
	assert_int_equal(attach_xdp_remove(e->ifname), 1);
	assert_int_equal(attach_xdp(loader_xdp_fd(l), "ewt-nosuch", ATTACH_XDP_AUTO, &created),
			 -ENODEV);
	loader_free(l);
}

static int collect(const struct ew_prefix *p, const struct ew_block_rule *r, void *ctx)
{
	char buf[64], *out = ctx;

	sprintf(out + strlen(out), "%s:%u:%u ", prefix_str(p, buf, sizeof(buf)), r->rule_id,
		r->flags);
	return 0;
}

static void blocklist_ops(void **state)
{
	struct ew_block_rule src = {.rule_id = 5, .flags = EW_MATCH_SRC};
	struct prefix_error err;
	struct ew_prefix p;
	struct blocklist bl;
	char listing[256] = "";

	(void)state;
	assert_int_equal(blocklist_open(&bl), 0);
	assert_int_equal(prefix_parse("10.0.0.0/8", 10, 1, &p, &err), 0);
	assert_int_equal(blocklist_add(&bl, &p, &src), 0);
	add_text(&bl, "2001:db8::/32", 6);
	assert_int_equal(blocklist_foreach(&bl, collect, listing), 0);
	/* Table order is the hash's business: check each entry and the total. */
	assert_non_null(strstr(listing, "192.0.2.0/24:3:0 "));
	assert_non_null(strstr(listing, "10.0.0.0/8:5:1 "));
	assert_non_null(strstr(listing, "2001:db8::/32:6:0 "));
	assert_int_equal(strlen(listing),
			 strlen("192.0.2.0/24:3:0 10.0.0.0/8:5:1 2001:db8::/32:6:0 "));
	assert_int_equal(blocklist_remove(&bl, &p), 0);
	assert_int_equal(blocklist_remove(&bl, &p), -ENOENT);
	blocklist_close(&bl);
	assert_int_equal(count4(), 1);
}

/* n prefixes 10.<i>.<j>.0/24 starting at first, as a list file in memory. */
static void bulk(int first, int n)
{
	struct ew_block_rule rule = {.rule_id = 9};
	struct prefix_error shown[1];
	struct blocklist_errors errs = {.errs = shown, .max = 1};
	struct blocklist_batch b = {};
	struct blocklist bl;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	for (int i = first; i < first + n; i++)
		fprintf(f, "10.%d.%d.0/24\n", i >> 8, i & 255);
	fclose(f);
	f = fmemopen(text, len, "r");
	assert_int_equal(blocklist_parse(f, "mem", &rule, &b, &errs), 0);
	fclose(f);
	assert_int_equal(b.v4.n, (size_t)n);
	assert_int_equal(blocklist_open(&bl), 0);
	assert_int_equal(blocklist_load(&bl, &b), 0);
	blocklist_close(&bl);
	blocklist_batch_free(&b);
	free(text);
}

/* Whether XDP probes IPv4 /len: its bit in the pinned table's head. */
static int in_use4(__u32 len)
{
	struct blocklist bl;
	__u64 lens[3];

	assert_int_equal(blocklist_open(&bl), 0);
	assert_int_equal(blocklist_lengths(&bl, 4, lens), 0);
	blocklist_close(&bl);
	return (int)((lens[0] >> len) & 1);
}

static void bulk_load(void **state)
{
	size_t before = count4();

	(void)state;
	bulk(0, 50000);
	assert_int_equal(count4(), before + 50000);
	bulk(50000, 10000);
	assert_int_equal(count4(), before + 60000);
	bulk(0, 100); /* reloading replaces, no duplicates */
	assert_int_equal(count4(), before + 60000);
	assert_int_equal(in_use4(24), 1);
	assert_int_equal(in_use4(25), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pins_created_and_reused),
		cmocka_unit_test(mismatched_pins_discarded),
		cmocka_unit_test(attach_lifecycle),
		cmocka_unit_test(generic_forced),
		cmocka_unit_test(steer_api),
		cmocka_unit_test(blocklist_ops),
		cmocka_unit_test(bulk_load),
	};

	if (geteuid() != 0) {
		printf("skipped: needs root (BPF maps, veth)\n");
		return 77;
	}
	log_set_level(EW_LOG_WARN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
