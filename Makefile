# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Userspace build: podnetd (daemon) and podnet (CLI) plus tests.
#   make                 build both binaries into build/, linked against
#                        wolfSSL built from Debian's source with its
#                        x86-64 assembly where the CPU has AES-NI,
#                        PCLMULQDQ and AVX2, else (saying why) against
#                        Debian's packaged wolfSSL (scripts/wolfssl-pick.sh,
#                        scripts/wolfssl-asm.sh; doc/bench.md)
#   make WOLFSSL=system  the same, always Debian's library, into build-system/
#   make WOLFSSL=asm     the same, the assembly build or an error, into build-asm/
#   make SANITIZE=1      ASan + UBSan, Debian's library, into build-san/
#   make check           unit tests, every fuzz target for 8 s (make
#                        fuzz-smoke), then the netns tests, then both again
#                        under the sanitizers, then Debian's library against
#                        the assembly build (make check-asm), then the VM
#                        tests where a VM can run (make vm-check)
#   make fuzz            the libFuzzer targets, FUZZ_TIME s each, into
#                        build-fuzz/ (clang; test/fuzz/README.md)
#   make vm-check        the kernel-side tests, in one qemu VM (doc/vm.md)
#   make install         binaries, the podnetd@.service template, man pages,
#                        bash completion and /etc/podnet (mode 0700);
#                        honours PREFIX, DESTDIR and the *DIR variables
#                        below; make uninstall removes all but /etc/podnet's
#                        contents
#   make module-install  podnet.ko into /lib/modules/KVER (INSTALL_MOD_PATH
#                        or DESTDIR for another root), then depmod, so that
#                        `modprobe podnet` loads udp_tunnel and
#                        ip6_udp_tunnel first
#   make dkms-install    the module's sources to /usr/src/podnet-VERSION
#                        and `dkms install` (dkms.conf)
#   make module          podnet.ko against KVER's headers, copied to
#                        build/kernel/podnet.ko (module-clean removes it)
#   make CROSS=aarch64-linux-gnu-   the same for arm64 with the cross
#                        compiler and Debian's arm64 libraries, into
#                        build-aarch64-linux-gnu/ (WOLFSSL=system: Debian's
#                        arm64 wolfSSL); scripts/deps.sh cross
#   make check-arm64     that cross build, its unit tests under
#                        qemu-aarch64, and the assembly against Debian's
#                        arm64 library (scripts/cross-arm64.sh; not in check)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
# Configuration stays in /etc whatever PREFIX is: the unit, the man pages
# and the README all say /etc/podnet.
SYSCONFDIR ?= /etc
# systemd and bash-completion both look under /usr/local as well.
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
# A cross build: CROSS is the tools' prefix (aarch64-linux-gnu-), its
# triplet names the build directories and its Debian architecture the
# libraries (installed as ARCH packages, scripts/deps.sh cross).
CROSS ?=
ifneq ($(CROSS),)
CROSS_HOST := $(patsubst %-,%,$(CROSS))
CROSS_DEB_ARCH := $(shell dpkg-architecture -t $(CROSS_HOST) -qDEB_HOST_ARCH 2>/dev/null)
CC := $(CROSS)gcc
AR := $(CROSS)ar
PKG_CONFIG := $(CROSS)pkg-config
BUILD_SUFFIX := -$(CROSS_HOST)
ifeq ($(SANITIZE),1)
$(error SANITIZE=1 with CROSS: not supported, the sanitizers run natively)
endif
endif
# Plain `make` builds all, not the first rule below (the wolfSSL choice).
.DEFAULT_GOAL := all

# The sanitizer build links Debian's library: its netns suite then covers
# the packaged library while the default build's covers the assembly, and
# it needs no assembly build first (WOLFSSL=asm SANITIZE=1 still works).
ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
WOLFSSL_MODE := $(or $(WOLFSSL),system)
else ifeq ($(WOLFSSL),asm)
BUILD ?= build-asm$(BUILD_SUFFIX)
SANFLAGS :=
WOLFSSL_MODE := asm
else ifeq ($(WOLFSSL),system)
BUILD ?= build-system$(BUILD_SUFFIX)
SANFLAGS :=
WOLFSSL_MODE := system
else ifeq ($(WOLFSSL),)
BUILD ?= build$(BUILD_SUFFIX)
SANFLAGS :=
WOLFSSL_MODE := auto
else
$(error WOLFSSL=$(WOLFSSL): expected asm, system, or nothing (the assembly build where the CPU has it))
endif

# Debian's libev ships no .pc file; fall back to plain -lev.
EV_LIBS := $(shell $(PKG_CONFIG) --libs libev 2>/dev/null || echo -lev)
# The assembly wolfSSL lives in one place for every build that wants it,
# as a static library: installed binaries need nothing from this tree.
WOLFSSL_ASM_DIR := $(abspath build/wolfssl-asm$(BUILD_SUFFIX))
WOLFSSL_ASM_PREFIX := $(WOLFSSL_ASM_DIR)/prefix
WOLFSSL_ASM_STAMP := $(WOLFSSL_ASM_PREFIX)/.podnet-version
ifeq ($(CROSS),)
SYS_WOLFSSL_CFLAGS := $(shell $(PKG_CONFIG) --cflags wolfssl)
SYS_WOLFSSL_LIBS := $(shell $(PKG_CONFIG) --libs wolfssl)
SYS_WOLFSSL_DEP :=
else
# Debian's libwolfssl-dev of the target cannot be installed beside the
# native one: its static library, unpacked (scripts/wolfssl-deb.sh).
WOLFSSL_DEB_DIR := $(abspath build/wolfssl-deb-$(CROSS_DEB_ARCH))
SYS_WOLFSSL_CFLAGS := -I$(WOLFSSL_DEB_DIR)/root/usr/include
SYS_WOLFSSL_LIBS := $(WOLFSSL_DEB_DIR)/root/usr/lib/$(CROSS_HOST)/libwolfssl.a -lm
SYS_WOLFSSL_DEP := $(WOLFSSL_DEB_DIR)/root/.podnet-version
$(SYS_WOLFSSL_DEP):
	$(Q)scripts/wolfssl-deb.sh $(WOLFSSL_DEB_DIR) $(CROSS_DEB_ARCH)
endif

# Each build directory decides once which wolfSSL it links, in
# BUILD/wolfssl-MODE.mk (scripts/wolfssl-pick.sh); make restarts after
# writing it. Goals that link nothing skip it, so `make clean` or
# `make module` never build wolfSSL.
WOLFSSL_MK := $(BUILD)/wolfssl-$(WOLFSSL_MODE).mk
NO_WOLFSSL_GOALS := clean uninstall module module-install module-uninstall \
	module-clean module-style dkms-install demo check bench bench-kernel \
	bench-kernel-profile fuzz fuzz-build fuzz-smoke fuzz-seeds check-arm64
ifneq ($(filter-out $(NO_WOLFSSL_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(WOLFSSL_MK)
endif
# A new asm build (another version) makes auto decide again.
$(WOLFSSL_MK): scripts/wolfssl-pick.sh $(if $(filter auto,$(WOLFSSL_MODE)),$(wildcard $(WOLFSSL_ASM_STAMP)))
	@mkdir -p $(dir $@)
	$(Q)scripts/wolfssl-pick.sh $(WOLFSSL_MODE) $(WOLFSSL_ASM_DIR) $(CROSS_HOST) >$@.tmp && mv $@.tmp $@

ifeq ($(WOLFSSL_LINK),asm)
WOLFSSL_CFLAGS := -I$(WOLFSSL_ASM_PREFIX)/include
WOLFSSL_LIBS := $(WOLFSSL_ASM_PREFIX)/lib/libwolfssl.a -lm -ldl
WOLFSSL_DEP := $(WOLFSSL_ASM_STAMP)
else
WOLFSSL_CFLAGS := $(SYS_WOLFSSL_CFLAGS)
WOLFSSL_LIBS := $(SYS_WOLFSSL_LIBS)
WOLFSSL_DEP := $(SYS_WOLFSSL_DEP)
endif
OTHER_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmnl)
OTHER_LIBS := $(shell $(PKG_CONFIG) --libs libmnl) $(EV_LIBS) -pthread
# ldns builds and parses the DNS packets podnetd answers (dns_answer.c).
OTHER_CFLAGS += $(shell $(PKG_CONFIG) --cflags ldns)
OTHER_LIBS += $(shell $(PKG_CONFIG) --libs ldns)
# c-ares resolves Endpoint host names inside the event loop (resolve.c).
OTHER_CFLAGS += $(shell $(PKG_CONFIG) --cflags libcares 2>/dev/null)
OTHER_LIBS += $(shell $(PKG_CONFIG) --libs libcares 2>/dev/null || echo -lcares)
DEP_CFLAGS := $(WOLFSSL_CFLAGS) $(OTHER_CFLAGS)
DEP_LIBS := $(WOLFSSL_LIBS) $(OTHER_LIBS)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -pthread -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wno-format-truncation -Wno-unused-parameter \
	  -MMD -MP -D_GNU_SOURCE -Iuserspace/lib -Inetlink -isystem netlink/uapi \
	  $(DEP_CFLAGS) $(SANFLAGS)
LDFLAGS += $(SANFLAGS)

# The version --version prints: the newest tag's `git describe`, or the
# release number plus the commit where no tag is reachable, or the release
# number alone outside a git checkout. version.o is rebuilt only when it
# changes (the stamp file's content).
PODNET_RELEASE := 0.1.0
PODNET_VERSION := $(shell v=$$(git describe --tags --dirty 2>/dev/null) && echo "$${v\#v}" || \
	{ h=$$(git describe --always --dirty 2>/dev/null) && echo "$(PODNET_RELEASE)-g$$h"; } || \
	echo "$(PODNET_RELEASE)")

ifneq ($(V),1)
Q := @
quiet = @printf '  %-6s %s\n' $(1) $(2);
else
Q :=
quiet =
endif

LIB_SRC := $(wildcard userspace/lib/*.c) $(wildcard netlink/*.c)
DAEMON_SRC := $(wildcard userspace/daemon/*.c)
CLI_SRC := $(wildcard userspace/cli/*.c)
UNIT_SRC := $(wildcard test/unit/test_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:test/unit/%.c=$(BUILD)/test/%)
# Daemon objects without main(), so unit tests can link against them.
DAEMON_LIB_OBJ := $(filter-out $(BUILD)/userspace/daemon/podnetd.o,$(DAEMON_OBJ))

# Keep test objects between runs.
.SECONDARY:

.PHONY: bench-punch all clean check check-unit check-netns check-san check-asm install demo fuzz \
	vm-check bench-kernel bench-kernel-profile check-arm64

all: $(BUILD)/podnetd $(BUILD)/podnet

# Every object sees the options.h of the library it links against, and
# is rebuilt when the build directory's choice of library changes.
# -MMD leaves out headers found through -isystem, so the uapi headers
# (shared with the module) are named here.
UAPI_H := $(wildcard netlink/uapi/*.h)
$(BUILD)/%.o: %.c $(UAPI_H) $(WOLFSSL_MK) | $(WOLFSSL_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/version.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PODNET_VERSION)' | cmp -s - $@ || echo '$(PODNET_VERSION)' >$@

$(BUILD)/userspace/lib/version.o: $(BUILD)/version.stamp
$(BUILD)/userspace/lib/version.o: CFLAGS += -DPODNET_VERSION='"$(PODNET_VERSION)"'

.PHONY: FORCE
FORCE:

$(BUILD)/libpodnet.a: $(LIB_OBJ) $(DAEMON_LIB_OBJ)
	$(call quiet,AR,$@)$(AR) rcs $@ $^

$(BUILD)/podnetd: $(BUILD)/userspace/daemon/podnetd.o $(BUILD)/libpodnet.a
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/podnet: $(CLI_OBJ) $(BUILD)/libpodnet.a
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Unit tests of daemon modules see their headers.
$(BUILD)/test/unit/test_resolve.o: CFLAGS += -Iuserspace/daemon

$(BUILD)/test/%: $(BUILD)/test/unit/%.o $(BUILD)/libpodnet.a
	@mkdir -p $(dir $@)
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) -lcmocka

# A cross build's tests run under qemu-user (qemu-aarch64-static).
UNIT_RUN ?= $(if $(CROSS),qemu-$(firstword $(subst -, ,$(CROSS_HOST)))-static)
.PHONY: unit-build
unit-build: $(UNIT_BIN)
check-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; (cd test/unit && $(UNIT_RUN) ../../$$t); done

check-netns: all $(BUILD)/podnet-loadgen attack-tools $(BUILD)/test/libclockshift.so
	@PODNET_BUILD=$(abspath $(BUILD)) test/netns/run-all.sh

# Preloaded into a daemon to step its wall clock (test/netns/clock-step.sh),
# so without the sanitizers; its symbols must stay visible to interpose.
$(BUILD)/test/libclockshift.so: test/clock/clockshift.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Wshadow \
		-Wmissing-prototypes -shared -fPIC -o $@ $< -ldl

# The security tests' attacker (test/attack/): one binary per attack,
# each linked with the raw-UDP helpers and libpodnet.a for the wire format.
ATTACK_SRC := $(wildcard test/attack/attack-*.c)
ATTACK_BIN := $(ATTACK_SRC:test/attack/%.c=$(BUILD)/test/%)
.PHONY: attack-tools
attack-tools: $(ATTACK_BIN)
$(BUILD)/test/attack-%: $(BUILD)/test/attack/attack-%.o $(BUILD)/test/attack/rawudp.o $(BUILD)/libpodnet.a
	@mkdir -p $(dir $@)
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

# The whole suite again with ASan + UBSan, in its own build directory.
check-san:
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 check-unit check-netns

$(WOLFSSL_ASM_STAMP):
	$(Q)scripts/wolfssl-asm.sh $(WOLFSSL_ASM_DIR) $(CROSS_HOST)

# The other wolfSSL: Debian's library (WOLFSSL=system) with its unit
# tests, then its podnetd and the assembly build's on one wire, per
# cipher. Skipped where this build could not have the assembly.
check-asm: all
	$(Q)$(MAKE) --no-print-directory WOLFSSL=system all check-unit
ifeq ($(WOLFSSL_LINK),asm)
	$(Q)PODNET_BUILD=$(abspath build-system) PODNET_ASM_BUILD=$(abspath $(BUILD)) \
		test/netns/crypto-builds.sh
else
	@echo "SKIP crypto-builds: $(BUILD) links Debian's wolfSSL (no assembly build here)"
endif

# The arm64 cross build and its unit tests under qemu-aarch64, both
# wolfSSL builds, and the assembly's instructions counted in the binary
# (doc/bench.md). Not part of check: the first run builds wolfSSL for
# arm64 and every test runs emulated.
check-arm64:
	$(Q)scripts/cross-arm64.sh

# podnet.ko, once the tree has its Kbuild (`make module`); the VM tests
# that need it skip while it is not built.
VM_MODULE := $(if $(wildcard Kbuild),module kernel-tools)

# Every test/vm/*.sh inside one VM boot of Debian's kernel under qemu.
vm-check: all $(VM_MODULE)
	$(Q)PODNET_BUILD=$(abspath $(BUILD)) scripts/vm-run.sh $(if $(KVER),--kver $(KVER)) --timeout 1800 -- test/vm/run-all.sh

# Installs missing Debian packages first, so a fresh machine needs only this.
check:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory all check-unit fuzz-smoke check-netns check-san check-asm
	$(Q)if why=$$(scripts/vm-run.sh $(if $(KVER),--kver $(KVER)) --available 2>&1); then \
		$(MAKE) --no-print-directory vm-check; \
	else \
		echo "SKIP vm-check: $$why"; \
	fi

demo:
	scripts/demo.sh

# Measurements, not tests: nothing here is timed by `make check`.
bench-punch: all
	scripts/punch-rate.sh $(RUNS)

# Raw veth, kernel WireGuard and podnet.ko in one VM run (doc/vm.md).
bench-kernel:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory all $(VM_MODULE)
	$(Q)PODNET_BUILD=$(abspath $(BUILD)) scripts/bench-kernel.sh

# Where the guest's instructions go under WireGuard and podnet.ko: a TCG
# plugin counts them per function (doc/vm.md, "Profiling under TCG").
bench-kernel-profile: $(BUILD)/test/tcg-insns.so
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory all $(VM_MODULE)
	$(Q)PODNET_BUILD=$(abspath $(BUILD)) scripts/bench-kernel-profile.sh

# Loaded by qemu, so without the sanitizers and the project's libraries.
$(BUILD)/test/tcg-insns.so: test/bench/tcg-insns.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Wshadow \
		-Wmissing-prototypes -shared -fPIC -fvisibility=hidden -pthread -o $@ $<

# Every file make install puts outside /etc/podnet: make uninstall removes these.
INSTALL_FILES := $(SBINDIR)/podnetd $(BINDIR)/podnet $(UNITDIR)/podnetd@.service \
	$(MANDIR)/man8/podnet.8 $(MANDIR)/man8/podnetd.8 $(MANDIR)/man5/podnet.conf.5 \
	$(BASHCOMPDIR)/podnet

.PHONY: uninstall
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BUILD)/podnetd $(DESTDIR)$(SBINDIR)/podnetd
	install -m 0755 $(BUILD)/podnet $(DESTDIR)$(BINDIR)/podnet
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/podnetd@.service.in >$(DESTDIR)$(UNITDIR)/podnetd@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/podnetd@.service
	install -m 0644 dist/podnet.8 dist/podnetd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 dist/podnet.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 dist/podnet.bash-completion $(DESTDIR)$(BASHCOMPDIR)/podnet
	install -d -m 0700 $(DESTDIR)$(SYSCONFDIR)/podnet
	chmod 0700 $(DESTDIR)$(SYSCONFDIR)/podnet

# Keys and configurations stay: /etc/podnet goes only when empty.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	rmdir $(DESTDIR)$(SYSCONFDIR)/podnet 2>/dev/null || true

# libFuzzer targets (test/fuzz/README.md), built with clang into
# build-fuzz/: every source file once, instrumented, then one binary per
# target linked against all of it. `make fuzz` builds and runs each for
# FUZZ_TIME seconds and fails on a finding; `make fuzz-smoke` is the short
# run `make check` does.
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_DIR := build-fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link $(FUZZ_SAN) -Iuserspace/lib -Inetlink \
	-Iuserspace/daemon -isystem netlink/uapi $(SYS_WOLFSSL_CFLAGS) \
	$(OTHER_CFLAGS) -MMD -MP
# Fuzzing links Debian's library: the same on every machine, no
# assembly build first, and the wolfSSL code it reaches (records,
# certificates) is the same C either way.
FUZZ_LIBS := $(SYS_WOLFSSL_LIBS) $(OTHER_LIBS)
FUZZ_SRC := $(wildcard test/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:test/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRC) \
	$(filter-out userspace/daemon/podnetd.c,$(DAEMON_SRC)))

$(FUZZ_DIR)/obj/%.o: %.c $(UAPI_H)
	@mkdir -p $(dir $@)
	$(call quiet,FUZZCC,$<)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/libpodnet.a: $(FUZZ_LIB_OBJ)
	$(call quiet,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/test/fuzz/fuzz_%.o $(FUZZ_DIR)/libpodnet.a
	$(call quiet,LD,$@)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS)

.PHONY: fuzz-build fuzz-smoke fuzz-seeds
fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	$(Q)FUZZ_TIME=$(FUZZ_TIME) FUZZ_DIR=$(FUZZ_DIR) test/fuzz/run.sh $(FUZZ_TARGETS)

# Every target for a few seconds: they build, their seeds pass, and the
# first mutations find nothing.
fuzz-smoke: fuzz-build
	$(Q)FUZZ_TIME=$(or $(FUZZ_SMOKE_TIME),8) FUZZ_DIR=$(FUZZ_DIR) test/fuzz/run.sh $(FUZZ_TARGETS)

# Rewrites the generated seeds in test/fuzz/corpus/ (each target's
# seed-writer mode, test/fuzz/seeds.h).
fuzz-seeds: fuzz-build
	$(Q)set -e; for t in $(FUZZ_BIN); do \
		n=$$(basename $$t); mkdir -p test/fuzz/corpus/$$n; \
		PODNET_FUZZ_WRITE_SEEDS=test/fuzz/corpus/$$n $$t -runs=0; \
	done

clean:
	rm -rf build build-san build-asm build-system build-fuzz build-*-linux-gnu*

-include $(shell find build build-san build-asm build-system build-fuzz $(wildcard build-*-linux-gnu*) -path 'build/wolfssl-*' -prune -o -name '*.d' -print 2>/dev/null)

# `make bench`: podnet side by side with raw veth and wireguard-go, with
# build/podnet-loadgen for the idle-peer cost. A measurement, not a test.
.PHONY: bench
LOADGEN_SRC := $(wildcard test/loadgen/*.c)
LOADGEN_OBJ := $(LOADGEN_SRC:%.c=$(BUILD)/%.o)

$(BUILD)/podnet-loadgen: $(LOADGEN_OBJ) $(BUILD)/libpodnet.a
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

# The data path's crypto alone, 1 and 2 threads (test/bench/cryptobench.c).
$(BUILD)/podnet-cryptobench: $(BUILD)/test/bench/cryptobench.o $(BUILD)/libpodnet.a
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Installs wireguard-go, nebula and the build's packages first, like
# check. The default build (the assembly wolfSSL where the CPU has it) is
# measured, and beside it the same linked against Debian's library.
bench:
	$(Q)scripts/deps.sh bench
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/podnet-loadgen $(BUILD)/podnet-cryptobench
	$(Q)$(MAKE) --no-print-directory WOLFSSL=system all build-system/podnet-cryptobench
	$(Q)PODNET_BUILD=$(abspath $(BUILD)) PODNET_SYSTEM_BUILD=$(abspath build-system) scripts/bench.sh

# `make bench-scale`: one rendezvous with 10,000 registered nodes and one
# node with 1,000 peers, through build/podnet-loadgen (doc/bench.md).
# `make bench` runs it first and goes on when it cannot measure.
.PHONY: bench-scale bench-scale-in-bench
bench: bench-scale-in-bench
bench-scale bench-scale-in-bench:
	$(Q)scripts/deps.sh test
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/podnet-loadgen attack-tools
	$(Q)PODNET_BUILD=$(abspath $(BUILD)) scripts/bench-scale.sh $(if $(filter bench-scale-in-bench,$@),|| echo "bench: bench-scale could not measure everything" >&2)

# The kernel module, out of tree. KVER defaults to the newest installed
# Debian amd64 headers (the machine's own kernel cannot load modules; the
# VM tests boot Debian's).
KVER ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
KDIR ?= /usr/src/linux-headers-$(KVER)
CHECKPATCH ?= checkpatch.pl
.PHONY: module module-clean module-style

module:
	$(Q)$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR) modules
	@mkdir -p build/kernel
	$(Q)cp podnet.ko build/kernel/podnet.ko

# Test tools for the module: kctl drives the genetlink family, record-peer
# is the userspace record layer talking to a kernel device.
.PHONY: kernel-tools
kernel-tools: $(BUILD)/test/kctl $(BUILD)/test/record-peer

# kctl talks through the daemon's genetlink client (netlink/ in libpodnet.a).
KCTL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard test/kernel/kctl*.c))
$(BUILD)/test/kctl: $(KCTL_OBJ) $(BUILD)/libpodnet.a
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/test/record-peer: $(BUILD)/test/kernel/record-peer.o $(BUILD)/libpodnet.a
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Kbuild's modules_install skips depmod without the kernel's System.map
# (a headers-only tree), so depmod runs here: modules.dep then names
# udp_tunnel and ip6_udp_tunnel for `modprobe podnet`. Out-of-tree
# modules land in /lib/modules/KVER/updates, as with DKMS.
INSTALL_MOD_PATH ?= $(DESTDIR)
INSTALL_MOD_DIR ?= updates
DEPMOD ?= depmod
# Debian's headers ask for every module to be signed with a key only the
# kernel's build had: without MODULE_SIGN=yes (and the key), none is
# tried. With Secure Boot, DKMS (dkms.conf) signs with the machine's MOK.
MODULE_SIGN ?= no
.PHONY: module-install module-uninstall
module-install: module
	$(Q)$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR) \
		INSTALL_MOD_PATH=$(abspath $(or $(INSTALL_MOD_PATH),/)) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		$(if $(filter yes,$(MODULE_SIGN)),,CONFIG_MODULE_SIG_ALL=) modules_install
	$(DEPMOD) -b $(abspath $(or $(INSTALL_MOD_PATH),/)) $(KVER)

module-uninstall:
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/podnet.ko*
	$(DEPMOD) -b $(abspath $(or $(INSTALL_MOD_PATH),/)) $(KVER)

# The module's sources where DKMS wants them; dkms then builds and
# installs it for this kernel and every later one.
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := $(DESTDIR)/usr/src/podnet-$(DKMS_VERSION)
.PHONY: dkms-install
dkms-install:
	install -d $(DKMS_SRC)/kernel $(DKMS_SRC)/netlink/uapi
	install -m 0644 Kbuild dkms.conf $(DKMS_SRC)/
	install -m 0644 kernel/*.[ch] $(DKMS_SRC)/kernel/
	install -m 0644 netlink/uapi/*.h $(DKMS_SRC)/netlink/uapi/
	$(if $(DESTDIR),,dkms install podnet/$(DKMS_VERSION))

module-clean:
	$(Q)$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR) clean
	rm -f build/kernel/podnet.ko

# checkpatch.pl is not in the headers package; point CHECKPATCH at a copy.
module-style:
	$(CHECKPATCH) --no-tree --strict -f kernel/*.[ch]
