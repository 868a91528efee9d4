# SPDX-License-Identifier: MIT
# ktlso: thin driver. The module is built by Kbuild; tests and the VM harness
# live in tools/ and tests/.
#
#   make                     ktlso.ko for KDIR (running kernel, else 6.1) + userspace
#   make KVER=6.1|6.12       ktlso.ko for a test kernel, in build/<release>/
#   make check               everything CI runs (installs dependencies first)
#   make conformance [KVER=6.1|6.12] [ULP=tls] [FILTER='-r FIXTURE.VARIANT.TEST']
#                            the kernel's kTLS selftest against ktlso (or tls.ko)
#   make unit | kunit | vm-test | demo | install | clean

KVER ?=
ifeq ($(KVER),)
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(shell tools/vm/kernel 6.1 headers))
MODDIR := $(CURDIR)
else
KDIR ?= $(shell tools/vm/kernel $(KVER) headers)
MODDIR := $(CURDIR)/build/$(shell tools/vm/kernel $(KVER) release)
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	  -Iinclude/uapi -Iuserspace/lib
LDLIBS += -lssl -lcrypto
B := build

LIB_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard userspace/lib/*.c))
UNIT_TESTS := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/*_test.c))
VM_TESTS := $(patsubst %.c,$(B)/%,$(wildcard tests/vm/*_test.c))
PROGRAMS := $(UNIT_TESTS) $(VM_TESTS)

.SECONDARY:
.PHONY: all module userspace test-modules check unit kunit vm-test demo conformance install clean

all: module userspace

module:
ifneq ($(MODDIR),$(CURDIR))
	@mkdir -p $(MODDIR)
	@cp -a --update Kbuild include kernel $(MODDIR)/
endif
	$(MAKE) -C $(KDIR) M=$(MODDIR) W=1 modules

# Test-only kernel modules (tests/kmod), never installed.
test-modules:
	@mkdir -p $(MODDIR)/tests
	@cp -a --update tests/kmod $(MODDIR)/tests/
	$(MAKE) -C $(KDIR) M=$(MODDIR)/tests/kmod modules

userspace: $(PROGRAMS)

$(B)/libktlso.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(B)/%.o: %.c $(wildcard userspace/lib/*.h include/uapi/linux/*.h tests/lib/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(B)/libktlso.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

check:
	@tools/deps
	@tools/check

unit: $(UNIT_TESTS)
	@tools/check unit

kunit:
	@tools/kunit

vm-test:
	@tools/deps
	@tools/check vm

# The fake daemon speaks generic netlink through libmnl.
$(B)/tests/vm/upcall_test: LDLIBS += -lmnl

$(B)/tools/bench/%: $(B)/tools/bench/%.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

demo:
	@tools/deps
	@tools/demo/run

# The kernel's own kTLS selftest in the VM (Documentation/conformance.rst).
ULP ?= ktlso
conformance: KVER := $(or $(KVER),6.1)
conformance:
	@tools/deps
	$(MAKE) KVER=$(KVER) module
	@tools/conformance --kernel $(KVER) --ulp $(ULP) $(if $(FILTER),-- $(FILTER))

install: all
	$(MAKE) -C $(KDIR) M=$(MODDIR) modules_install
	install -D -m 0644 include/uapi/linux/ktlso.h $(DESTDIR)/usr/include/linux/ktlso.h

clean:
	rm -rf $(B)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
