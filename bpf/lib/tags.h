/* SPDX-License-Identifier: GPL-2.0 */
/* TC side of the policy's tags (include/ew_abi.h, "The policy's tags"):
 * whether a new flow's client, server and port are in one class of the
 * set in use. Four map lookups at most, only for packets of flows with
 * no verdict yet and only while a policy's set is in use. */
#ifndef EW_BPF_TAGS_H
#define EW_BPF_TAGS_H

#include "lib/maps.h"
#include "lib/parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct ew_tagsel);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_tagsel_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EW_TAGPORT_MAX);
	__type(key, struct ew_tagport_key);
	__type(value, struct ew_tagport);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_tagport_v1 SEC(".maps");

#define EW_TAG_LPM(name)						\
	struct {							\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);			\
		__uint(max_entries, EW_TAGPFX_MAX);			\
		__uint(map_flags, BPF_F_NO_PREALLOC);			\
		__type(key, struct ew_tagpfx_key);			\
		__type(value, __u32);					\
		__uint(pinning, LIBBPF_PIN_BY_NAME);			\
	} name SEC(".maps")

EW_TAG_LPM(ew_tagcli_v1);
EW_TAG_LPM(ew_tagsrv_v1);

/* The set in use + 1, and its flags; 0: no policy's tags. */
static __always_inline __u32 ew_tag_set(__u32 *flags)
{
	__u32 zero = 0;
	struct ew_tagsel *s = bpf_map_lookup_elem(&ew_tagsel_v1, &zero);

	if (!s)
		return 0;
	*flags = s->b;
	return s->a <= 2 ? s->a : 0;
}

static __always_inline __u32 ew_tag_lpm(void *map, __u32 set, const __u8 *addr)
{
	struct ew_tagpfx_key k = {.prefixlen = 8 + 128, .set = (__u8)set};
	__u32 *v;

	__builtin_memcpy(k.addr, addr, 16);
	v = bpf_map_lookup_elem(map, &k);
	return v ? *v : 0;
}

/* The classes of set (0 or 1) that hold p's client and server. */
static __always_inline __u32 ew_tag_classes(const struct ew_pkt *p, __u32 set)
{
	__u32 idx = 1 + set, cli;
	struct ew_tagsel *any = bpf_map_lookup_elem(&ew_tagsel_v1, &idx);

	if (!any)
		return 0;
	cli = any->a | ew_tag_lpm(&ew_tagcli_v1, set, p->src);
	if (!cli)
		return 0;
	return cli & (any->b | ew_tag_lpm(&ew_tagsrv_v1, set, p->dst));
}

/* The tag entry of p's server port in set, else the set's any-port one
 * (when it has some); NULL: none. */
static __always_inline struct ew_tagport *ew_tag_port(const struct ew_pkt *p, __u32 set,
						      __u32 flags)
{
	struct ew_tagport_key k = {.port = p->dport, .proto = p->proto, .set = (__u8)set};
	struct ew_tagport *t = bpf_map_lookup_elem(&ew_tagport_v1, &k);

	if (t || !(flags & EW_TAGSEL_ANYPORT))
		return t;
	k.port = 0;
	return bpf_map_lookup_elem(&ew_tagport_v1, &k);
}

/* Policy tagging of a new flow: its mirror budget when a class mirrors
 * it (*budget), or 0. */
static __always_inline int ew_tag_mirror(const struct ew_pkt *p, __u16 *budget)
{
	__u32 flags = 0, set = ew_tag_set(&flags);
	struct ew_tagport *t;

	if (!set)
		return 0;
	t = ew_tag_port(p, set - 1, flags);
	if (!t || !t->mirror || !(t->mirror & ew_tag_classes(p, set - 1)))
		return 0;
	*budget = t->budget;
	return 1;
}

/* Policy steering of a new flow on an inline port (port flags: its
 * ew_port_tag's): a port the policy steers (EW_PORT_LIMITED) when a
 * class steers p; any other inline port whenever a policy's set is in
 * use (a floor port: every flow). Without a set: none (EW_STEER_ALL
 * decides then). */
static __always_inline int ew_tag_steer(const struct ew_pkt *p, __u16 port_flags)
{
	__u32 flags = 0, set = ew_tag_set(&flags);
	struct ew_tagport *t;

	if (!set)
		return 0;
	if (!(port_flags & EW_PORT_LIMITED))
		return 1;
	t = ew_tag_port(p, set - 1, flags);
	return t && t->steer && (t->steer & ew_tag_classes(p, set - 1));
}

#endif /* EW_BPF_TAGS_H */
