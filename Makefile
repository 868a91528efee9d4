# SPDX-License-Identifier: MIT
# ktlso: thin driver. The module is built by Kbuild; tests and the VM harness
# live in tools/ and tests/.
#
#   make                     ktlso.ko for the running kernel (else Debian's 6.1)
#                            and the userspace: build/ktlsod, build/ktlso, tests
#   make KVER=6.1|6.12|6.12-debug
#                            the same, the module for a test kernel, in
#                            build/<release>/; 6.12-debug is built once first
#                            (Documentation/testing.rst)
#   make deps                install the Debian packages the targets below need
#   make check               everything CI runs (installs dependencies first)
#   make conformance [KVER=6.1|6.12] [ULP=tls] [FILTER='-r FIXTURE.VARIANT.TEST']
#                            the kernel's kTLS selftest against ktlso (or tls.ko)
#   make bench [KVER=6.1|6.12] [BENCH_ROUNDS=3] [BENCH_SECONDS=3] [BENCH_MB=128]
#                            every ktlso perf mode, receive alone, kernel AEAD, in
#                            the VM: ratios and targets (Documentation/benchmarks.rst)
#   make bench-record [KVER=6.1|6.12] [BENCH_MB=256]
#                            record layer throughput in the VM: ktlso, tls.ko,
#                            plain TCP, OpenSSL (Documentation/benchmarks.rst)
#   make bench-handshake [BENCH_SECONDS=3]
#                            full and resumed handshakes/s, ktlso's engine against OpenSSL's
#                            libssl, in memory on one core (Documentation/benchmarks.rst)
#   make bench-handshake-vm [KVER=6.1|6.12] [BENCH_SECONDS=3] [BENCH_ROUNDS=3]
#                            handshakes/s end to end in the VM: ktlso's client and
#                            libssl's against openssl s_server
#   make fuzz [FUZZ_SECONDS=60]
#                            libFuzzer (clang, ASan, UBSan) on the handshake codec
#   make stress [KTLSO_SEED=N]  the race stress suite in the VM (Documentation/testing.rst)
#   make unit | kunit | vm-test | demo | install | clean

# The module is built out of tree in build/<kernel release>/: for the running
# kernel when its headers are installed, else for a test kernel (KVER, by
# default Debian's 6.1). Everything here is evaluated only when used, so
# userspace targets never ask apt about kernels.
KVER ?=
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
ifeq ($(KVER)$(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR)/Makefile)
KDIR ?= $(RUNNING_KDIR)
KRELEASE ?= $(shell uname -r)
else
KDIR ?= $(shell tools/vm/kernel $(or $(KVER),6.1) headers)
KRELEASE ?= $(shell tools/vm/kernel $(or $(KVER),6.1) release)
endif
MODDIR = $(CURDIR)/build/$(KRELEASE)

.DEFAULT_GOAL := all

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	  -Iinclude/uapi -Iuserspace/lib -MMD -MP
LDLIBS += -lssl -lcrypto
B := build

# libktlso, by layer: wire/ (codecs) -> crypto/, record/, x509/ -> engine/,
# with the config and suite tables on top (Documentation/engine.rst).
LIB_SRCS := $(wildcard userspace/lib/*.c userspace/lib/*/*.c)
LIB_OBJS := $(patsubst %.c,$(B)/%.o,$(LIB_SRCS))
WIRE_SRCS := $(wildcard userspace/lib/wire/*.c)
# libktlso-test: the helpers the tests, benchmarks and hs-peer share
# (tests/lib), linked like libktlso, ahead of it.
TESTLIB := $(B)/libktlso-test.a
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
TESTLIB_OBJS := $(patsubst %.c,$(B)/%.o,$(TESTLIB_SRCS))
UNIT_TESTS := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/*_test.c))
# Unit tests of the commands (tests/unit/*_test.sh), copied beside the
# others so tools/check runs them the same way.
UNIT_SCRIPTS := $(patsubst %.sh,$(B)/%,$(wildcard tests/unit/*_test.sh))
UNIT_TESTS += $(UNIT_SCRIPTS)
VM_TESTS := $(patsubst %.c,$(B)/%,$(wildcard tests/vm/*_test.c))
# The stress suite (tests/vm/stress/run-guest runs them in the VM).
STRESS_TESTS := $(patsubst %.c,$(B)/%,$(wildcard tests/vm/stress/*_stress.c))
PROGRAMS := $(UNIT_TESTS) $(VM_TESTS) $(STRESS_TESTS)

# hs-peer: the engine over TCP, records in userspace (tests/interop).
HS_PEER := $(B)/tools/hs-peer/hs-peer
HS_PEER_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard tools/hs-peer/*.c))
PROGRAMS += $(HS_PEER)
$(HS_PEER): $(HS_PEER_OBJS) $(TESTLIB) $(B)/libktlso.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# ktlso, the command: the kernel's socket options for TLS. It takes only
# libktlso's tables of names from the archive and links no libssl/libcrypto
# (the link fails if it ever needs them); libkcapi and libmnl for `status`.
CLI := $(B)/ktlso
CLI_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard userspace/cli/*.c))
PROGRAMS += $(CLI)
$(CLI): $(CLI_OBJS) $(B)/libktlso.a
	$(CC) $(CFLAGS) -o $@ $^ -lkcapi -lmnl

# libktlso-wrap.so: `ktlso wrap`'s LD_PRELOAD library; libc and the UAPI
# header only, position-independent.
WRAP_LIB := $(B)/libktlso-wrap.so
PROGRAMS += $(WRAP_LIB)
$(WRAP_LIB): userspace/wrap/wrap.c include/uapi/linux/ktlso.h
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -fPIC -shared -fvisibility=hidden \
		-o $@ $< -ldl

# ktlso-perf: what `ktlso perf` runs. libssl for its openssl mode, the
# engine for its tls mode; the CLI's socket-option helpers for ktlso mode.
PERF := $(B)/ktlso-perf
PERF_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard userspace/perf/*.c)) \
	$(B)/userspace/cli/handshake.o $(B)/userspace/cli/util.o
PROGRAMS += $(PERF)
$(PERF_OBJS): CFLAGS += -Iuserspace/cli
$(PERF): $(PERF_OBJS) $(B)/libktlso.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lm

$(UNIT_SCRIPTS): $(B)/%: %.sh | $(CLI) $(WRAP_LIB) $(PERF)
	install -D -m 0755 $< $@

# ktlsod: the handshake daemon. Its unit tests (tests/unit/ktlsod_*) link
# its objects except main.o.
KTLSOD := $(B)/ktlsod
KTLSOD_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard userspace/daemon/*.c))
KTLSOD_LIBS := -lmnl -lkcapi -lpthread
KTLSOD_TESTS := $(filter $(B)/tests/unit/ktlsod_%,$(UNIT_TESTS))
PROGRAMS += $(KTLSOD)
$(KTLSOD_TESTS:=.o): CFLAGS += -Iuserspace/daemon
$(KTLSOD): $(KTLSOD_OBJS) $(B)/libktlso.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(KTLSOD_LIBS)
$(KTLSOD_TESTS): %: %.o $(filter-out %/main.o,$(KTLSOD_OBJS)) $(TESTLIB) $(B)/libktlso.a | $(KTLSOD)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(KTLSOD_LIBS)

.SECONDARY:
.PHONY: all module userspace test-modules deps check unit kunit vm-test stress demo conformance bench bench-record bench-handshake bench-handshake-vm install clean

all: module userspace

module:
	@mkdir -p $(MODDIR)
	@cp -a --update Kbuild include kernel $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(MODDIR) W=1 modules

# Test-only kernel modules (tests/kmod), never installed.
test-modules:
	@mkdir -p $(MODDIR)/tests
	@cp -a --update tests/kmod $(MODDIR)/tests/
	$(MAKE) -C $(KDIR) M=$(MODDIR)/tests/kmod modules

userspace: $(PROGRAMS)

$(B)/libktlso.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(TESTLIB): $(TESTLIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# Header dependencies come from the compiler (-MMD -MP: build/**/*.d). An
# object without its .d (built before -MMD, or the .d lost) is rebuilt:
# otherwise no header change would ever reach it.
.SECONDEXPANSION:
$(B)/%.o: %.c $$(if $$(wildcard $(B)/$$*.d),,FORCE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
.PHONY: FORCE

-include $(shell find $(B) -name '*.d' 2>/dev/null)

$(B)/tests/%: $(B)/tests/%.o $(TESTLIB) $(B)/libktlso.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The fake daemon speaks generic netlink through libmnl.
$(B)/tests/vm/upcall_test: LDLIBS += -lmnl
$(B)/tests/vm/acl_test: LDLIBS += -lmnl
$(B)/tests/vm/posths_test: LDLIBS += -lmnl
$(B)/tests/vm/keyupdate_test: LDLIBS += -lmnl
$(B)/tests/vm/handshake_race_test: LDLIBS += -lmnl -lpthread
$(STRESS_TESTS): LDLIBS += -lmnl -lpthread

$(B)/tools/bench/%: $(B)/tools/bench/%.o $(TESTLIB) $(B)/libktlso.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(B)/tools/bench/aead_bench: LDLIBS += -lkcapi

# The Debian packages everything below builds and tests with.
deps:
	@tools/deps

check:
	@tools/deps
	@tools/check

unit: $(UNIT_TESTS)
	@tools/check unit

kunit:
	@tools/kunit

vm-test:
	@tools/check vm

stress:
	@tools/check stress

demo:
	@tools/deps
	@tools/demo/run

# The kernel's own kTLS selftest in the VM (Documentation/conformance.rst).
ULP ?= ktlso
conformance: KVER := $(or $(KVER),6.1)
conformance:
	$(MAKE) KVER=$(KVER) module
	@tools/conformance --kernel $(KVER) --ulp $(ULP) $(if $(FILTER),-- $(FILTER))

# Every ktlso perf mode, receive alone and the kernel's AEAD in one VM boot:
# ratios, targets, JSON in build/bench/. Fails only when a run fails.
bench:
	@KVER=$(or $(KVER),6.12) tools/bench/bench

# A benchmark: prints MB/s and ratios, never fails on a timing.
bench-record:
	@KVER=$(or $(KVER),6.12) tools/bench/record

# A benchmark: prints handshakes/s and ratios, never fails on a timing.
HS_BENCH := $(B)/tools/bench/handshake_bench

bench-handshake: $(HS_BENCH)
	@$(HS_BENCH) $(if $(BENCH_SECONDS),--seconds $(BENCH_SECONDS))

# End to end in the VM: ktlso's client and libssl's against openssl s_server.
bench-handshake-vm:
	@KVER=$(or $(KVER),6.12) tools/bench/handshake-vm

# libFuzzer on the handshake codec: wire/'s sources and the test helpers it
# uses are built into the target so they are instrumented; the seed corpus
# is RFC 8448's messages.
# Needs clang (make deps).
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE \
	       -Iinclude/uapi -Iuserspace/lib
# Each target is one compiler run over all its sources: any header may matter.
FUZZ_HEADERS := $(wildcard userspace/lib/*.h userspace/lib/*/*.h tests/lib/*.h)
# tests/lib's sources that need no more of libktlso than wire/.
FUZZ_TESTLIB_SRCS := $(addprefix tests/lib/,check.c hex.c hs_any.c rfc8448.c)

.PHONY: fuzz
fuzz: $(B)/fuzz/hs_msg_fuzz $(B)/fuzz/hs_msg_seeds $(B)/fuzz/engine_fuzz $(B)/fuzz/engine_seeds \
	$(B)/fuzz/engine_verdict_fuzz $(B)/fuzz/engine_verdict_seeds
	@mkdir -p $(B)/fuzz/corpus $(B)/fuzz/engine-corpus $(B)/fuzz/verdict-corpus
	@$(B)/fuzz/hs_msg_seeds $(B)/fuzz/corpus
	@$(B)/fuzz/engine_seeds $(B)/fuzz/engine-corpus
	@$(B)/fuzz/engine_verdict_seeds $(B)/fuzz/verdict-corpus
	$(B)/fuzz/hs_msg_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(B)/fuzz/ $(B)/fuzz/corpus
	$(B)/fuzz/engine_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(B)/fuzz/engine- $(B)/fuzz/engine-corpus
	$(B)/fuzz/engine_verdict_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-print_final_stats=1 -artifact_prefix=$(B)/fuzz/verdict- \
		$(B)/fuzz/verdict-corpus tests/fuzz/corpus/engine_verdict

# Both roles against their peer's bytes: every input ends in a verdict
# (tests/lib/engine_verdict.h); all of libktlso instrumented.
$(B)/fuzz/engine_verdict_fuzz: tests/fuzz/engine_verdict_fuzz.c tests/lib/engine_verdict.c $(LIB_SRCS) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(filter %.c,$^) -lssl -lcrypto

$(B)/fuzz/engine_verdict_seeds: tests/fuzz/engine_verdict_fuzz.c tests/lib/engine_verdict.c $(B)/libktlso.a $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_CFLAGS) -DENGINE_VERDICT_SEEDS -o $@ $(filter %.c %.a,$^) $(LDLIBS)

$(B)/fuzz/engine_seeds: tests/fuzz/engine_fuzz.c $(B)/libktlso.a $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_CFLAGS) -DENGINE_FUZZ_SEEDS -o $@ $(filter %.c %.a,$^) $(LDLIBS)

# A whole server handshake fed random bytes: all of libktlso instrumented.
$(B)/fuzz/engine_fuzz: tests/fuzz/engine_fuzz.c $(LIB_SRCS) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(filter %.c,$^) -lssl -lcrypto

$(B)/fuzz/hs_msg_fuzz: tests/fuzz/hs_msg_fuzz.c $(WIRE_SRCS) $(FUZZ_TESTLIB_SRCS) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(filter %.c,$^) -lcrypto

# The same file with a main() that writes the seeds.
$(B)/fuzz/hs_msg_seeds: tests/fuzz/hs_msg_fuzz.c $(WIRE_SRCS) $(FUZZ_TESTLIB_SRCS) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DHS_FUZZ_SEEDS -o $@ $(filter %.c,$^) -lcrypto

install: all
	$(MAKE) -C $(KDIR) M=$(MODDIR) $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	install -D -m 0644 include/uapi/linux/ktlso.h $(DESTDIR)/usr/include/linux/ktlso.h
	install -D -m 0755 $(KTLSOD) $(DESTDIR)/usr/sbin/ktlsod
	@# ktlso finds its helpers in ../lib/ktlso/ (userspace/cli/helper.c).
	install -D -m 0755 $(CLI) $(DESTDIR)/usr/bin/ktlso
	install -D -m 0755 $(PERF) $(DESTDIR)/usr/lib/ktlso/ktlso-perf
	install -D -m 0644 $(WRAP_LIB) $(DESTDIR)/usr/lib/ktlso/libktlso-wrap.so
	install -D -m 0644 Documentation/ktlso.1 $(DESTDIR)/usr/share/man/man1/ktlso.1
	install -D -m 0644 userspace/daemon/ktlsod.service $(DESTDIR)/lib/systemd/system/ktlsod.service
	install -D -m 0644 userspace/daemon/ktlsod.sysusers $(DESTDIR)/usr/lib/sysusers.d/ktlsod.conf
	@# The unit's User=. A staged install (DESTDIR) leaves that to the
	@# package, with the sysusers file.
	$(if $(DESTDIR),,tools/install-user ktlsod)
	install -D -m 0644 userspace/daemon/ktlsod.conf.example $(DESTDIR)/usr/share/doc/ktlso/ktlsod.conf.example
	install -D -m 0644 Documentation/ktlsod.8 $(DESTDIR)/usr/share/man/man8/ktlsod.8
	install -D -m 0644 Documentation/ktlsod.conf.5 $(DESTDIR)/usr/share/man/man5/ktlsod.conf.5

clean:
	rm -rf $(B)
