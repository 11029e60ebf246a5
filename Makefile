# SPDX-License-Identifier: GPL-2.0
# edgeward build. `make` builds BPF objects, skeletons and build/edgeward;
# `make test` builds and runs everything (as root for bpf/e2e). V=1 is verbose.

.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:
.SECONDEXPANSION:

B        := build
CC       := gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)
say       = $(if $(filter 1,$(V)),,@printf '  %-7s %s\n' $(1) $(2);)

ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
TRIPLE   := $(shell $(CC) -dumpmachine)

# ---- kernel side -----------------------------------------------------------
BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(B)/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(B)/%.skel.h,$(BPF_SRCS))
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Wextra -Werror \
	-Wno-unused-parameter -D__TARGET_ARCH_$(ARCH) -Iinclude -Ibpf \
	-idirafter /usr/include/$(TRIPLE) -MMD -MP

$(B)/%.bpf.o: bpf/%.bpf.c | $(B)
	$(call say,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/tests/e2e/%.bpf.o: tests/e2e/%.bpf.c
	$(call say,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/%.skel.h: $(B)/%.bpf.o
	$(call say,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# ---- agent -----------------------------------------------------------------
# Every stage file (userspace/*.c and userspace/<stage>/*.c, but main.c and
# cli/) goes into a static library that the binary, the unit tests and the
# fuzzers link, so a stage is compiled once per flavour.
PKGS      = libbpf libelf libpcap libcrypto zlib libpng libwebp libbrotlidec libseccomp libxml-2.0 libzstd liblzma \
	    yaml-0.1 libcap-ng libnl-route-3.0 libnl-3.0 libmicrohttpd libsodium libndpi libidn2
LIBS      = $(shell pkg-config --libs $(PKGS)) -ljpeg -lgif -lm
WARN      := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
CPPFLAGS  := -Iinclude -Iuserspace -I$(B) -D_GNU_SOURCE -MMD -MP \
	     $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS    ?= -O2 -g
SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

STAGES    := agent proxy notice engine icap config policy kernel names capture stream \
	     classify http object image lists log report metrics evidence
LIB_SRCS  := $(filter-out userspace/main.c,$(wildcard userspace/*.c)) \
	     $(foreach s,$(STAGES),$(wildcard userspace/$(s)/*.c))
CLI_SRCS  := $(wildcard userspace/cli/*.c)

# $(call objs,flavour,sources)
objs = $(patsubst userspace/%.c,$(B)/$(1)/%.o,$(2))

$(B)/rel/%.o: userspace/%.c | $(BPF_SKELS)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@
$(B)/san/%.o: userspace/%.c | $(BPF_SKELS)
	$(call say,CC-SAN,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) -O1 -g $(SAN) $(WARN) -DEW_TESTING -c $< -o $@
$(B)/fz/%.o: userspace/%.c | $(BPF_SKELS)
	$(call say,CC-FZ,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(CPPFLAGS) -O1 -g -fsanitize=fuzzer-no-link,address,undefined $(WARN) -DEW_TESTING -c $< -o $@

$(B)/%/libew.a: $$(call objs,$$*,$(LIB_SRCS))
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/edgeward: $(call objs,rel,userspace/main.c $(CLI_SRCS)) $(B)/rel/libew.a
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS)

# ---- tests -----------------------------------------------------------------
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
BPF_TESTS  := $(patsubst tests/bpf/%.c,$(B)/tests/bpf/%,$(wildcard tests/bpf/test_*.c))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS    := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))
REPLAYS    := $(patsubst tests/fuzz/%.c,$(B)/fuzz/replay_%,$(FUZZ_SRCS))
TEST_CPP   := $(CPPFLAGS) -Itests -DEW_TESTING
E2E_TOOLS  := $(patsubst tests/e2e/%.c,$(B)/tests/e2e/%,$(filter-out %.bpf.c,$(wildcard tests/e2e/*.c))) \
	      $(patsubst tests/e2e/%.bpf.c,$(B)/tests/e2e/%.bpf.o,$(wildcard tests/e2e/*.bpf.c))

# Unit tests and BPF tests run under ASan/UBSan against the sanitized library.
$(B)/tests/unit/%: tests/unit/%.c $(B)/san/libew.a | $(BPF_SKELS)
	$(call say,TEST,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(TEST_CPP) -O1 -g $(SAN) $(WARN) -o $@ $(filter %.c %.a,$^) -lcmocka $(LIBS)
$(B)/tests/bpf/%: tests/bpf/%.c $(B)/san/libew.a | $(BPF_SKELS)
	$(call say,TEST,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(TEST_CPP) -O1 -g $(SAN) $(WARN) -o $@ $(filter %.c %.a,$^) -lcmocka $(LIBS)
# Tools the e2e tests run, if any (C programs under tests/e2e/).
$(B)/tests/e2e/%: tests/e2e/%.c $(B)/rel/libew.a
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(TEST_CPP) $(CFLAGS) $(WARN) -o $@ $(filter %.c %.a,$^) $(LIBS) -lpthread
# Each fuzz target builds twice: a libFuzzer binary, and a replay driver that
# `make test` runs over the committed corpus.
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(B)/fz/libew.a
	$(call say,FUZZ,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(TEST_CPP) -O1 -g -fsanitize=fuzzer,address,undefined $(WARN) -o $@ $(filter %.c %.a,$^) $(LIBS)
$(B)/fuzz/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(B)/san/libew.a
	$(call say,REPLAY,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(TEST_CPP) -O1 -g $(SAN) $(WARN) -o $@ $(filter %.c %.a,$^) $(LIBS)

# ---- targets people expect ------------------------------------------------
.PHONY: all deps test test-unit test-bpf test-e2e test-oracle fuzz bench demo \
	install clean format verifier-stats build-tests

all: $(BPF_OBJS) $(BPF_SKELS) $(B)/edgeward

build-tests: all $(UNIT_TESTS) $(BPF_TESTS) $(REPLAYS) $(FUZZERS) $(E2E_TOOLS)

# Installs the Debian packages in packages.txt that are missing.
deps:
	$(Q)tests/deps.sh packages.txt

# The full suite. Installs what it needs first, so a fresh machine needs nothing.
test: deps
	$(Q)$(MAKE) --no-print-directory -j$$(nproc) build-tests
	$(Q)B=$(B) tests/run.sh all

test-unit test-bpf test-e2e test-oracle: build-tests
	$(Q)B=$(B) tests/run.sh $(patsubst test-%,%,$@)

fuzz: build-tests
	$(Q)B=$(B) tests/run.sh fuzz-long

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(B)/tests/e2e/host_nic.bpf.o
	$(Q)tests/e2e/demo.sh

# Loads each object (root) and prints the verifier's "processed N insns" per
# program. bpftool pins the by-name maps under /sys/fs/bpf itself (it has no
# pin_root_path option), so they are removed again unless they existed before.
verifier-stats: $(BPF_OBJS)
	$(Q)d=/sys/fs/bpf/ew_vstat.$$$$; pre=$$(ls -d /sys/fs/bpf/ew_*_v[0-9]* 2>/dev/null); \
	for o in $^; do \
		$(BPFTOOL) -d prog loadall $$o $$d 2>&1 | awk -v o=$$o ' \
			/BEGIN PROG LOAD LOG/ { split($$0, a, "'\''"); p = a[2] } \
			/processed [0-9]+ insns/ { printf "%s %s: %s\n", o, p, $$0; n++ } \
			/failed to load/ { bad = 1 } \
			END { if (!n || bad) { print o ": did not load (run as root; make V=1)"; exit 1 } }'; \
		rc=$$?; rm -rf $$d 2>/dev/null; \
		for m in /sys/fs/bpf/ew_*_v[0-9]*; do \
			case " $$pre " in *" $$m "*) ;; *) rm -f $$m ;; esac; done; \
		[ $$rc -eq 0 ] || exit 1; \
	done

# Per-packet cost of the XDP program (BPF_PROG_TEST_RUN); bench/run.sh runs it.
$(B)/bench/xdp_cost: bench/xdp_cost.c $(B)/ew_xdp.skel.h $(B)/rel/libew.a
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(WARN) -o $@ $< \
		$(B)/rel/libew.a $(LIBS)

# Per-query cost of the TC program's DNS step; bench/dns_bench.sh runs it.
$(B)/bench/dns_cost: bench/dns_cost.c $(B)/ew_tc.skel.h $(B)/rel/libew.a
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(WARN) -o $@ $< \
		$(B)/rel/libew.a $(LIBS)

# Cost of policy decisions against a linear scan; bench/policy_bench.sh runs it.
$(B)/bench/policy_bench: bench/policy_bench.c $(B)/rel/libew.a
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(B)/rel/libew.a $(LIBS)

PREFIX ?= /usr/local
install: all
	install -D -m 0755 $(B)/edgeward $(DESTDIR)$(PREFIX)/sbin/edgeward

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

$(B):
	$(Q)mkdir -p $@

-include $(shell find $(B) -name '*.d' 2>/dev/null)
