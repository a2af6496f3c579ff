# Makefile — build, run, debug and test Nuthatch.
#
# Knobs live in GNUmakefile.local (see README.md). Build output goes to obj/.
# Objects are rebuilt when their sources, included headers, or the compiler
# flags change. `V=1` shows every command.

-include GNUmakefile.local

O := obj
V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

CXX := $(CCPREFIX)g++
LD := $(CCPREFIX)ld
NM := $(CCPREFIX)nm
OBJCOPY := $(CCPREFIX)objcopy
OBJDUMP := $(CCPREFIX)objdump
HOSTCXX ?= g++

# ---------------------------------------------------------------------------
# Flags

# OPT and WERROR come from GNUmakefile.local (OPT=-Og for debugging; WERROR=0
# shows warnings without stopping the build). Both are part of the flags
# recorded in obj/k/.flags and obj/u/.flags, so changing them rebuilds.
OPT ?= -O2
WERROR ?= 1
COMMON_CXXFLAGS := -std=gnu++2b $(OPT) -g -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) \
	-ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-stack-protector \
	-fno-omit-frame-pointer -fcf-protection=none -fno-pic -fno-pie \
	-fno-tree-loop-distribute-patterns \
	-include include/freestanding.hh -Iinclude -Ilib -MMD -MP
# -freorder-functions (on at -O2, not at -Og) puts [[gnu::hot]] functions in
# .text.hot, which boot/kernel.ld gathers: the hot paths share a few pages.
KERNEL_CXXFLAGS := $(COMMON_CXXFLAGS) -mcmodel=kernel -mno-red-zone -fcheck-new \
	-freorder-functions \
	-mgeneral-regs-only -Ikernel -Ikernel/core -Ikernel/dev -Ikernel/debug -I$(O)/gen
KERNEL_ASFLAGS := -Iinclude -Ikernel -Ikernel/core -Ikernel/dev -Ikernel/debug -I$(O)/gen -MMD -MP
# SAN=1: the undefined-behaviour sanitizer (runtime: kernel/debug/ubsan.cc)
# and poisoned free and fresh memory in kalloc.
ifeq ($(SAN),1)
KERNEL_CXXFLAGS += -fsanitize=undefined -fno-sanitize=vptr -DNUTHATCH_SAN=1
endif
KERNEL_LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 \
	-z noexecstack -T boot/kernel.ld

# ---------------------------------------------------------------------------
# Kernel

KERNEL_SRCS := $(filter-out %/asm-offsets.cc,$(wildcard boot/*.S kernel/*.cc \
	kernel/*/*.cc kernel/*/*.S lib/*.cc tests/kernel/*.cc))
KERNEL_OBJS := $(patsubst %,$(O)/k/%.o,$(basename $(KERNEL_SRCS)))

all: $(O)/kernel.elf user-programs listings compile_commands.json

# Rebuild everything when the flags change.
$(O)/k/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CXX) $(KERNEL_CXXFLAGS) $(KERNEL_LDFLAGS)' | cmp -s - $@ \
		|| echo '$(CXX) $(KERNEL_CXXFLAGS) $(KERNEL_LDFLAGS)' > $@

# The version string changes with every commit; only main.cc sees it.
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(O)/gen/version.h: FORCE
	@mkdir -p $(@D)
	@echo '#define NUTHATCH_VERSION "$(VERSION)"' | cmp -s - $@ \
		|| echo '#define NUTHATCH_VERSION "$(VERSION)"' > $@
$(O)/k/kernel/core/main.o: $(O)/gen/version.h

# Struct offsets for assembly (kernel/arch/asm-offsets.cc): compiled to
# assembler text only, whose `->NAME VALUE` markers become #defines.
ASM_OFFSETS := $(O)/gen/asm-offsets.h
$(ASM_OFFSETS): kernel/arch/asm-offsets.cc $(O)/k/.flags
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)$(CXX) $(KERNEL_CXXFLAGS) -MT $@ -MF $(O)/gen/asm-offsets.d -S $< -o $(O)/gen/asm-offsets.s
	$(Q)(echo '/* Generated from kernel/arch/asm-offsets.cc: do not edit. */'; \
		sed -n 's/^.*->\([A-Z_0-9]*\) \$$\{0,1\}\([-0-9]*\).*$$/#define \1 \2/p' \
		$(O)/gen/asm-offsets.s) > $@
-include $(O)/gen/asm-offsets.d
$(patsubst %,$(O)/k/%.o,$(basename $(filter %.S,$(KERNEL_SRCS)))): $(ASM_OFFSETS)

# The sanitizer's runtime must not check itself; memset/memcpy (byte loops
# here) are left unchecked too, or every copy and poison fill under SAN=1
# runs several times slower.
$(O)/k/kernel/debug/ubsan.o $(O)/k/lib/string.o: KERNEL_CXXFLAGS += -fno-sanitize=all

$(O)/k/%.o: %.cc $(O)/k/.flags
	@mkdir -p $(@D)
	@echo "  CXX     $<"
	$(Q)$(CXX) $(KERNEL_CXXFLAGS) -c $< -o $@

$(O)/k/%.o: %.S $(O)/k/.flags
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CXX) $(KERNEL_ASFLAGS) -c $< -o $@

# Two link passes: the first image's function symbols become the second
# image's `.kernsyms` section (for symbolized backtraces).
$(O)/k/symtab-empty.S: scripts/mksymtab.sh
	@mkdir -p $(@D)
	$(Q)scripts/mksymtab.sh > $@
$(O)/kernel.pass1: $(KERNEL_OBJS) $(O)/k/symtab-empty.o boot/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(O)/k/symtab-empty.o
$(O)/k/symtab.S: $(O)/kernel.pass1 scripts/mksymtab.sh
	$(Q)NM=$(NM) scripts/mksymtab.sh $< > $@
$(O)/k/%.o: $(O)/k/%.S
	$(Q)$(CXX) $(KERNEL_ASFLAGS) -c $< -o $@
$(O)/kernel.elf: $(KERNEL_OBJS) $(O)/k/symtab.o boot/kernel.ld scripts/verify-image.sh
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(O)/k/symtab.o
	$(Q)scripts/verify-image.sh $(O)/kernel.pass1 $@

-include $(KERNEL_OBJS:.o=.d)

# The initial file system is linked into the kernel image.
$(O)/k/kernel/arch/initfs-image.o: $(O)/initfs.img
$(O)/k/kernel/arch/initfs-image.o: KERNEL_ASFLAGS += -DINITFS_IMAGE='"$(O)/initfs.img"'

# ---------------------------------------------------------------------------
# User programs: every user/p-NAME.cc and tests/user/p-NAME.cc becomes the
# static ELF obj/user/NAME, linked at 0x100000 (user/user.ld) with the
# runtime (user/crt0.S, user/u-*.cc) and lib/. Adding a program is adding
# its file. All programs are packed into obj/initfs.img.
# User code keeps the red zone; the runtime and lib/ are built with
# -mgeneral-regs-only (an activation may arrive in the middle of FP code).

USER_CXXFLAGS := $(COMMON_CXXFLAGS) -Iuser -DNUTHATCH_USER=1
USER_RUNTIME_CXXFLAGS := $(USER_CXXFLAGS) -mgeneral-regs-only
# Programs (p-*.cc) get Chickadee's warnings, shown but never fatal:
# coursework that warns must still build. -Werror stays on everything else.
USER_PROGRAM_CXXFLAGS := $(filter-out -Werror -Wextra,$(USER_CXXFLAGS)) \
	-W -Wshadow -Wno-format -Wno-unused-parameter
USER_ASFLAGS := -Iinclude -Iuser -MMD -MP
USER_LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 \
	-z noexecstack -T user/user.ld

USER_LIB_SRCS := $(wildcard user/u-*.cc lib/*.cc)
USER_LIB_OBJS := $(patsubst %,$(O)/u/%.o,$(basename $(USER_LIB_SRCS)))
# Runtime assembly (the activation restore paths) joins the library too.
USER_LIB_ASM_OBJS := $(patsubst %,$(O)/u/%.o,$(basename $(wildcard user/u-*.S)))
USER_CRT0 := $(O)/u/user/crt0.o
USER_PROGRAM_SRCS := $(wildcard user/p-*.cc tests/user/p-*.cc)
USER_PROGRAM_NAMES := $(patsubst p-%.cc,%,$(notdir $(USER_PROGRAM_SRCS)))
USER_PROGRAMS := $(addprefix $(O)/user/,$(USER_PROGRAM_NAMES))
ifneq ($(words $(USER_PROGRAM_NAMES)),$(words $(sort $(USER_PROGRAM_NAMES))))
$(error two user programs share a name: $(sort $(USER_PROGRAM_SRCS)))
endif

$(O)/u/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CXX) $(USER_RUNTIME_CXXFLAGS) $(USER_PROGRAM_CXXFLAGS) $(USER_LDFLAGS)' \
		| cmp -s - $@ || echo '$(CXX) $(USER_RUNTIME_CXXFLAGS) $(USER_PROGRAM_CXXFLAGS) $(USER_LDFLAGS)' > $@

$(USER_LIB_OBJS): $(O)/u/%.o: %.cc $(O)/u/.flags
	@mkdir -p $(@D)
	@echo "  UCXX    $<"
	$(Q)$(CXX) $(USER_RUNTIME_CXXFLAGS) -c $< -o $@
$(O)/u/%.o: %.cc $(O)/u/.flags
	@mkdir -p $(@D)
	@echo "  UCXX    $<"
	$(Q)$(CXX) $(USER_PROGRAM_CXXFLAGS) -c $< -o $@
$(O)/u/%.o: %.S $(O)/u/.flags
	@mkdir -p $(@D)
	@echo "  UAS     $<"
	$(Q)$(CXX) $(USER_ASFLAGS) -c $< -o $@
$(O)/u/libuser.a: $(USER_LIB_OBJS) $(USER_LIB_ASM_OBJS)
	@rm -f $@
	$(Q)$(CCPREFIX)ar rcs $@ $^

# obj/user/NAME from the one source file that defines it.
define user_program_rule
$(O)/user/$(1): $(O)/u/$(basename $(2)).o $(USER_CRT0) $(O)/u/libuser.a user/user.ld
	@mkdir -p $$(@D)
	@echo "  ULD     $$@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $$@ $(USER_CRT0) $(O)/u/$(basename $(2)).o $(O)/u/libuser.a
endef
$(foreach src,$(USER_PROGRAM_SRCS),\
	$(eval $(call user_program_rule,$(patsubst p-%.cc,%,$(notdir $(src))),$(src))))

# Programs are packed without their debug information (obj/initfs/NAME;
# obj/user/NAME keeps it for gdb): the image is linked into the kernel,
# whose end must stay below 8 MiB, where OVMF reserves memory (UEFI boot).
INITFS_PROGRAMS := $(addprefix $(O)/initfs/,$(USER_PROGRAM_NAMES))
$(O)/initfs/%: $(O)/user/%
	@mkdir -p $(@D)
	$(Q)$(OBJCOPY) --strip-debug $< $@
# The text files of initfs/ join the programs (under their own names).
INITFS_FILES := $(wildcard initfs/*)
$(O)/initfs.img: $(INITFS_PROGRAMS) $(INITFS_FILES) scripts/mkinitfs.py
	@echo "  INITFS  $@ ($(words $(USER_PROGRAMS)) programs, $(words $(INITFS_FILES)) files)"
	$(Q)python3 scripts/mkinitfs.py $@ $(INITFS_PROGRAMS) $(INITFS_FILES)
# Rebuild the image when the set of files changes, not only their contents.
$(O)/initfs.list: FORCE
	@mkdir -p $(@D)
	@echo '$(USER_PROGRAM_NAMES) $(INITFS_FILES)' | cmp -s - $@ \
		|| echo '$(USER_PROGRAM_NAMES) $(INITFS_FILES)' > $@
$(O)/initfs.img: $(O)/initfs.list

user-programs: $(USER_PROGRAMS) $(O)/initfs.img

-include $(USER_LIB_OBJS:.o=.d) $(USER_LIB_ASM_OBJS:.o=.d) $(USER_CRT0:.o=.d) \
	$(patsubst %,$(O)/u/%.d,$(basename $(USER_PROGRAM_SRCS)))

# ---------------------------------------------------------------------------
# Listings: obj/kernel.asm and obj/user/NAME.asm, disassembly with the source
# lines interleaved (objdump -S) and names demangled. About 0.01 s each, and
# only redone when the image changes, so every build makes them.

$(O)/kernel.asm: $(O)/kernel.elf
	@echo "  ASM     $@"
	$(Q)$(OBJDUMP) -d -S -C $< > $@
$(O)/user/%.asm: $(O)/user/%
	$(Q)$(OBJDUMP) -d -S -C $< > $@
listings: $(O)/kernel.asm $(addsuffix .asm,$(USER_PROGRAMS))

# ---------------------------------------------------------------------------
# compile_commands.json (for clangd and other C++ language servers): one entry
# per kernel, user and host source with the flags it is built with. Rewritten
# only when its content changes; kernel entries come first, so a file built
# twice (lib/) is understood with the kernel's flags.

compile_commands.json: FORCE
	$(Q)python3 scripts/mkcompdb.py $@ \
		"$(CXX) $(KERNEL_CXXFLAGS)" $(O)/k $(filter %.cc,$(KERNEL_SRCS)) -- \
		"$(CXX) $(KERNEL_ASFLAGS)" $(O)/k $(filter %.S,$(KERNEL_SRCS)) -- \
		"$(CXX) $(USER_RUNTIME_CXXFLAGS)" $(O)/u $(USER_LIB_SRCS) -- \
		"$(CXX) $(USER_PROGRAM_CXXFLAGS)" $(O)/u $(USER_PROGRAM_SRCS) -- \
		"$(CXX) $(USER_ASFLAGS)" $(O)/u user/crt0.S $(wildcard user/u-*.S) -- \
		"$(HOSTCXX) $(HOST_CXXFLAGS)" $(O)/host $(HOST_TESTED_SRCS) $(HOST_TEST_SRCS)

# ---------------------------------------------------------------------------
# Disk image: obj/disk.img, a chickadeefs file system (docs/chickadeefs.md),
# built by the host tool obj/mkchkfs from the kernel (first, where
# Chickadee's boot loader expects it; Nuthatch boots through Multiboot and
# does not read it), every user program, initfs/* and diskfs/*.
# obj/chkfsck checks an image. `make cleanfs` rebuilds the image from
# scratch; `make fsck` checks it as it is (it is not rebuilt first, so a
# disk a kernel has written is checked, not replaced).

DISK_BLOCKS ?= 32768
DISK_INODES ?= 0
DISK_JOURNAL ?= 64
CHKFS_HOST_SRCS := tools/chkfs-mkfs.cc tools/chkfs-fsck.cc
CHKFS_TOOL_CXXFLAGS := -std=gnu++2b -O2 -g -Wall -Wextra -Werror -Iinclude -Ilib -Itools -MMD -MP
DISK_FILES := $(filter-out %~,$(sort $(wildcard initfs/*)) $(sort $(wildcard diskfs/*)))
DISK_CONTENTS := $(O)/kernel.elf:kernel $(USER_PROGRAMS) $(DISK_FILES)

$(O)/tools/%.o: %.cc
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	$(Q)$(HOSTCXX) $(CHKFS_TOOL_CXXFLAGS) -c $< -o $@
$(O)/tools/lib/%.o: lib/%.cc
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	$(Q)$(HOSTCXX) $(CHKFS_TOOL_CXXFLAGS) $(HOST_LIB_RENAMES) -c $< -o $@
$(O)/mkchkfs: $(O)/tools/tools/mkchkfs.o $(O)/tools/tools/chkfs-mkfs.o $(O)/tools/lib/crc32c.o \
		$(O)/tools/lib/chkfs-journal.o $(O)/tools/lib/printf.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCXX) -o $@ $^
$(O)/chkfsck: $(O)/tools/tools/chkfsck.o $(O)/tools/tools/chkfs-fsck.o $(O)/tools/lib/crc32c.o \
		$(O)/tools/lib/chkfs-journal.o $(O)/tools/lib/printf.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCXX) -o $@ $^

# Rebuild the image when the list of files or the geometry changes.
$(O)/disk.list: FORCE
	@mkdir -p $(@D)
	@echo '$(DISK_BLOCKS) $(DISK_INODES) $(DISK_JOURNAL) $(DISK_CONTENTS)' | cmp -s - $@ \
		|| echo '$(DISK_BLOCKS) $(DISK_INODES) $(DISK_JOURNAL) $(DISK_CONTENTS)' > $@
$(O)/disk.img: $(O)/mkchkfs $(O)/kernel.elf $(USER_PROGRAMS) $(DISK_FILES) $(O)/disk.list
	@echo "  MKCHKFS $@ ($(words $(DISK_CONTENTS)) files)"
	$(Q)$(O)/mkchkfs -b $(DISK_BLOCKS) -i $(DISK_INODES) -j $(DISK_JOURNAL) -o $@ $(DISK_CONTENTS)

all: $(O)/disk.img $(O)/chkfsck $(O)/disk-small.img $(O)/disk-bad.img
# A disk that is not a chickadeefs (zeros) for tests/user/p-disk-badsb.
$(O)/disk-bad.img:
	$(Q)truncate -s 1M $@
# A small disk for tests/user/p-disk-nospc (E_NOSPC): 400 blocks holding
# only that program.
$(O)/disk-small.img: $(O)/mkchkfs $(O)/user/disk-nospc
	@echo "  MKCHKFS $@"
	$(Q)$(O)/mkchkfs -b 400 -i 32 -j 16 -o $@ $(O)/user/disk-nospc:disk-nospc
# A small disk for tests/user/p-hostile-disk-full: 400 blocks, 32 inodes,
# holding only that program.
$(O)/disk-hostile.img: $(O)/mkchkfs $(O)/user/hostile-disk-full
	@echo "  MKCHKFS $@"
	$(Q)$(O)/mkchkfs -b 400 -i 32 -j 16 -o $@ $(O)/user/hostile-disk-full:hostile-disk-full
all: $(O)/disk-hostile.img
# A small disk whose journal holds a committed, not yet replayed
# transaction (mkchkfs -J), booted by tests/kernel/journal_disk.cc.
$(O)/journal-pending.img: $(O)/mkchkfs diskfs/readme.txt
	@echo "  MKCHKFS $@ (pending transaction)"
	$(Q)$(O)/mkchkfs -b 1024 -J readme.txt -o $@ diskfs/readme.txt
all: $(O)/journal-pending.img
# A small disk with holes for tests/user/p-disk-holes: holes.dat is 16
# blocks (2 of text, 8 of zeros, 2 of text, 4 of zeros); the zeros are
# holes, extents with no blocks (mkchkfs -H).
$(O)/holes.dat: Makefile
	$(Q){ yes nuthatch | head -c 8192; head -c 32768 /dev/zero; \
	  yes chickadee | head -c 8192; head -c 16384 /dev/zero; } > $@
$(O)/disk-holes.img: $(O)/mkchkfs $(O)/user/disk-holes $(O)/holes.dat
	@echo "  MKCHKFS $@ (holes)"
	$(Q)$(O)/mkchkfs -b 400 -i 32 -j 16 -H holes.dat:2+8 -H holes.dat:12+4 -o $@ \
		$(O)/user/disk-holes:disk-holes $(O)/holes.dat:holes.dat
all: $(O)/disk-holes.img
cleanfs:
	rm -f $(O)/disk.img
	+$(Q)$(MAKE) --no-print-directory $(O)/disk.img
fsck: $(O)/chkfsck | $(O)/disk.img
	$(Q)$(O)/chkfsck $(O)/disk.img
# Host tests also run the two tools and read the kernel.
$(O)/host/unit-tests: | $(O)/mkchkfs $(O)/chkfsck $(O)/kernel.elf

-include $(patsubst %,$(O)/tools/%.d,$(basename $(CHKFS_HOST_SRCS) tools/mkchkfs.cc tools/chkfsck.cc lib/crc32c.cc lib/chkfs-journal.cc lib/printf.cc))
.PHONY: cleanfs fsck

# Crash tests (scripts/crashtest.py, docs/journal.md): a calibration run,
# then N trials that crash the machine during p-crashwork and check the
# disk. SEED=S repeats a run; CRASH_MODE=kill|diskfail|both; NCPU=N on the
# command line boots N CPUs with N workload processes (default: 1 CPU);
# BUFCACHE=N boots with an N-slot buffer cache.
N ?= 10
CRASH_MODE ?= both
crashtest: all
	python3 scripts/crashtest.py --trials $(N) --mode $(CRASH_MODE) $(if $(SEED),--seed $(SEED)) \
		--ncpu $(if $(filter command line,$(origin NCPU)),$(NCPU),1) \
		$(if $(BUFCACHE),--cmdline bufcache=$(BUFCACHE))
.PHONY: crashtest

# ---------------------------------------------------------------------------
# Host unit tests (GoogleTest): tests/host/*.cc against tools/chkfs-*.cc and
# the pieces of lib/ and kernel/ that are pure logic, compiled for Linux with sanitizers.
# lib/ names that collide with the C library are renamed with -D for the
# host build; tests reach them through tests/host/host_names.hh.

HOST_CXXFLAGS := -std=gnu++2b -O1 -g -Wall -Wextra -Werror -Iinclude -Ilib -Ikernel -Ikernel/core -Ikernel/dev -Ikernel/debug -Itools \
	-fsanitize=address,undefined -fno-omit-frame-pointer -MMD -MP
HOST_LIB_RENAMES := -Dsnprintf=nh_snprintf -Dvsnprintf=nh_vsnprintf \
	-Dstrtol=nh_strtol -Dstrtoul=nh_strtoul -Drand=nh_rand -Dsrand=nh_srand
# lib/string.cc defines the C library's own names with C linkage, which would
# replace glibc's (and the sanitizers') in the test binary: every one is renamed.
HOST_STRING_RENAMES := $(foreach f,memcpy memmove memset memcmp memchr strlen strnlen \
	strcpy strcmp strncmp strcasecmp strncasecmp strchr,-D$(f)=nh_$(f)) -fno-tree-loop-distribute-patterns
HOST_TESTED_SRCS := lib/printf.cc lib/stdlib.cc lib/crc32c.cc lib/chkfs-journal.cc lib/string.cc kernel/dev/bootinfo.cc \
	kernel/core/buddy.cc kernel/core/initfs.cc kernel/core/elf.cc kernel/dev/ttyline.cc kernel/dev/scancode.cc \
	kernel/core/chkfs-logic.cc kernel/core/chkfs-dirindex.cc \
	user/u-shparse.cc $(CHKFS_HOST_SRCS)
HOST_TEST_SRCS := $(wildcard tests/host/*.cc)
HOST_OBJS := $(patsubst %,$(O)/host/%.o,$(basename $(HOST_TESTED_SRCS) $(HOST_TEST_SRCS)))

$(O)/host/lib/%.o: lib/%.cc
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	$(Q)$(HOSTCXX) $(HOST_CXXFLAGS) $(HOST_LIB_RENAMES) -c $< -o $@
$(O)/host/lib/string.o: lib/string.cc
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	$(Q)$(HOSTCXX) $(HOST_CXXFLAGS) $(HOST_STRING_RENAMES) -c $< -o $@
$(O)/host/%.o: %.cc
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	$(Q)$(HOSTCXX) $(HOST_CXXFLAGS) -c $< -o $@
# Some tests read the built user programs and initfs image.
$(O)/host/unit-tests: $(HOST_OBJS) | $(USER_PROGRAMS) $(O)/initfs.img
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCXX) $(HOST_CXXFLAGS) -o $@ $(HOST_OBJS) -lgtest -lgtest_main -pthread
host-tests: $(O)/host/unit-tests

-include $(HOST_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# Running

# The machine (q35, MEM, NCPU, ACCEL, isa-debug-exit, debug console) comes
# from scripts/qemucmd.py, which the harness and the benchmarks use too. It
# refuses a bad ACCEL, and ACCEL=kvm where /dev/kvm is not hardware-assisted
# KVM (PVM's kvm_pvm, or no vmx/svm: see docs/benchmarks.md); ACCEL=auto is
# KVM with a TCG fallback where it is, else TCG.
QEMU_MACHINE_ARGS := $(shell python3 scripts/qemucmd.py machine --mem '$(MEM)' --ncpu '$(NCPU)' \
	--accel '$(ACCEL)' --debugcon '$(LOG)' --disk '$(DISK)' $(if $(filter 1,$(DISK_SNAPSHOT)),--snapshot))
ifeq ($(firstword $(QEMU_MACHINE_ARGS)),error:)
$(error $(wordlist 2,1000,$(QEMU_MACHINE_ARGS)))
endif
ifeq ($(QEMU_MACHINE_ARGS),)
$(error scripts/qemucmd.py printed no QEMU command line (is python3 installed?))
endif

ifeq ($(D),1)
QEMU_DEBUG := -d int,cpu_reset,guest_errors -D $(O)/qemu.log
endif

QEMU_MACHINE := $(QEMU_MACHINE_ARGS) $(QEMU_DEBUG)
KERNEL_CMDLINE = $(strip $(if $(RUNPROG),run=$(RUNPROG)) $(if $(HALT),halt=$(HALT)) $(if $(BUFCACHE),bufcache=$(BUFCACHE)) $(KERNEL_ARGS))
QEMU_KERNEL = -kernel $(O)/kernel.elf -append "$(KERNEL_CMDLINE)"

# The run targets attach DISK (default obj/disk.img, built first) as a
# SATA disk; DISK= (empty) runs with none; DISK_SNAPSHOT=1 keeps the
# guest's writes out of the file.
RUN_DISK := $(filter $(O)/disk.img,$(DISK))

QEMUDEPS := scripts/ensure-deps.sh
ensure-qemu = @scripts/ensure-deps.sh qemu

# Mistakes caught before anything is built or booted: a program name that
# does not exist (run-NAME, run-gdb-NAME, gdb-NAME, PROG=, RUNPROG=), and
# run-graphic with no display to open a window on.
RUN_MODES := run-iso run-uefi run-graphic run-console run-gdb
RUN_GOALS := $(filter run run-% gdb gdb-%,$(MAKECMDGOALS))
RUN_GOAL_NAMES := $(foreach g,$(filter-out $(RUN_MODES),$(RUN_GOALS)),\
	$(patsubst gdb-%,%,$(patsubst run-gdb-%,%,$(patsubst run-%,%,$(filter-out run gdb,$(g))))))
RUN_GOAL_NAMES += $(if $(RUN_GOALS),$(PROG) $(RUNPROG))
RUN_UNKNOWN := $(firstword $(filter-out $(USER_PROGRAM_NAMES),$(RUN_GOAL_NAMES)))
RUN_USER_NAMES := $(sort $(patsubst user/p-%.cc,%,$(filter-out user/p-bench-%,$(filter user/%,$(USER_PROGRAM_SRCS)))))
RUN_HINT = $(if $(filter $(patsubst p-%,%,$(RUN_UNKNOWN)),$(USER_PROGRAM_NAMES)),program names drop the p-: say $(patsubst p-%,%,$(RUN_UNKNOWN)),no user/p-$(RUN_UNKNOWN).cc or tests/user/p-$(RUN_UNKNOWN).cc; user/ has $(RUN_USER_NAMES), tests/user/ the tests)
ifneq ($(RUN_UNKNOWN),)
$(error no program $(RUN_UNKNOWN) ($(RUN_HINT)))
endif
ifneq ($(filter run-graphic,$(MAKECMDGOALS)),)
ifeq ($(DISPLAY)$(WAYLAND_DISPLAY),)
$(error run-graphic needs a display and neither DISPLAY nor WAYLAND_DISPLAY is set: use make run-console (the CGA screen in this terminal) or make run (serial console))
endif
endif

LEAVE_SERIAL := to leave: Ctrl-A x quits QEMU (or type poweroff at the nuthatch> prompt)

run: $(O)/kernel.elf $(RUN_DISK)
	$(ensure-qemu)
	@echo "Booting Nuthatch: serial console on this terminal; $(LEAVE_SERIAL)."
	$(Q)$(QEMU) $(QEMU_MACHINE) -display none -serial mon:stdio $(QEMU_KERNEL)

run-%: $(O)/kernel.elf $(RUN_DISK)
	$(ensure-qemu)
	@echo "Booting Nuthatch with program '$*'; $(LEAVE_SERIAL)."
	$(Q)$(QEMU) $(QEMU_MACHINE) -display none -serial mon:stdio \
		-kernel $(O)/kernel.elf -append "run=$* $(KERNEL_CMDLINE)"

# GRUB ISO (Multiboot 2), bootable under BIOS and UEFI. The command line is
# baked into grub.cfg, so the ISO is rebuilt when it changes.
OVMF ?= $(shell python3 scripts/qemucmd.py ovmf)
$(O)/iso.cmdline: FORCE
	@mkdir -p $(@D)
	@echo '$(KERNEL_CMDLINE)' | cmp -s - $@ || echo '$(KERNEL_CMDLINE)' > $@
$(O)/nuthatch.iso: $(O)/kernel.elf $(O)/iso.cmdline scripts/mkiso.sh
	@scripts/ensure-deps.sh iso
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(O)/kernel.elf "$(KERNEL_CMDLINE)" $@
iso: $(O)/nuthatch.iso

# The long pipe stress (user/p-pipe-stress-long.cc), 4 CPUs, harness verdict.
stress-pipes: $(O)/kernel.elf $(RUN_DISK)
	$(ensure-qemu)
	$(Q)$(QEMU) $(QEMU_MACHINE) -smp 4 -display none -serial stdio -kernel $(O)/kernel.elf \
		-append "run=pipe-stress-long harness $(KERNEL_CMDLINE)"; \
		test $$? -eq 33 && echo "stress-pipes: passed" || { echo "stress-pipes: FAILED"; exit 1; }

run-iso: $(O)/nuthatch.iso $(RUN_DISK)
	$(ensure-qemu)
	@echo "Booting the GRUB ISO (BIOS); $(LEAVE_SERIAL)."
	$(Q)$(QEMU) $(QEMU_MACHINE) -display none -serial mon:stdio -cdrom $<

run-uefi: $(O)/nuthatch.iso $(RUN_DISK)
	@scripts/ensure-deps.sh qemu uefi
	@echo "Booting the GRUB ISO under UEFI ($(OVMF)); firmware start takes a few seconds; $(LEAVE_SERIAL)."
	$(Q)$(QEMU) $(QEMU_MACHINE) -display none -serial mon:stdio -bios $(OVMF) -cdrom $<

run-graphic: $(O)/kernel.elf $(RUN_DISK)
	$(ensure-qemu)
	@echo "CGA screen in a QEMU window, serial console on this terminal; to leave: close the window, or Ctrl-A x here."
	$(Q)$(QEMU) $(QEMU_MACHINE) -serial mon:stdio $(QEMU_KERNEL)

run-console: $(O)/kernel.elf $(RUN_DISK)
	$(ensure-qemu)
	@echo "CGA screen in this terminal; serial output goes to $(O)/serial.log."
	@echo "To leave: type poweroff at the nuthatch> prompt, or press Alt-2 (Esc and 2 together) for QEMU's monitor, then quit and Enter; if the terminal is garbled afterwards, type reset."
	@sleep 1
	$(Q)$(QEMU) $(QEMU_MACHINE) -display curses -serial file:$(O)/serial.log $(QEMU_KERNEL)

run-gdb: $(O)/kernel.elf $(RUN_DISK)
	$(ensure-qemu)
	@echo "QEMU is waiting for gdb on localhost:$(GDBPORT); run 'make gdb' in another terminal. To leave: Ctrl-A x here."
	$(Q)$(QEMU) $(QEMU_MACHINE) -display none -serial mon:stdio -S -gdb tcp::$(GDBPORT) $(QEMU_KERNEL)

# `make run-gdb-NAME`: boot program NAME, stopped for gdb. Also matches
# `run-%`; GNU make picks the pattern with the shorter stem, so this wins.
run-gdb-%: $(O)/kernel.elf $(RUN_DISK)
	$(ensure-qemu)
	@echo "QEMU is waiting for gdb on localhost:$(GDBPORT) with program '$*'; run 'make gdb-$*' in another terminal. To leave: Ctrl-A x here."
	$(Q)$(QEMU) $(QEMU_MACHINE) -display none -serial mon:stdio -S -gdb tcp::$(GDBPORT) \
		-kernel $(O)/kernel.elf -append "run=$* $(KERNEL_CMDLINE)"

# `make gdb` loads the kernel's symbols and one user program's (all link at
# 0x100000, so one at a time): PROG, else RUNPROG, else sh (what the
# kernel runs by default). `make gdb-NAME` is `make gdb PROG=NAME`.
# Before gdb starts, a look at the port (no connection, so QEMU's one gdb
# connection stays free): nothing listening fails at once with a hint.
GDBPROG = $(or $(PROG),$(RUNPROG),sh)
define run_gdb
	@scripts/gdb/listening.sh $(GDBPORT) || { echo "make: nothing listens on localhost:$(GDBPORT): start 'make run-gdb$(if $(filter-out sh,$(1)),-$(1))' in another terminal first (same GDBPORT)." >&2; exit 1; }
	@scripts/ensure-deps.sh gdb
	@echo "Attaching gdb to localhost:$(GDBPORT) with $(O)/user/$(1)'s symbols. To leave: quit (QEMU goes on; Ctrl-A x in its terminal)."
	$(Q)gdb -q -ix scripts/gdb/nuthatch.gdb -ex "nuthatch-user $(1)" \
		-ex "nuthatch-connect $(GDBPORT)" $(O)/kernel.elf
endef
gdb: $(O)/kernel.elf $(O)/user/$(GDBPROG)
	$(call run_gdb,$(GDBPROG))
gdb-%: $(O)/kernel.elf $(O)/user/%
	$(call run_gdb,$*)

# ---------------------------------------------------------------------------
# Tests

# The harness (scripts/harness.py) builds the host unit tests itself, through
# make; `+` hands it the jobserver. Tests whose tools are missing and could
# not be installed are reported as skipped.
CHECK_DEPS = @scripts/ensure-deps.sh qemu iso uefi gdb gtest \
	|| echo "make: some test tools are missing; their tests will be skipped." >&2

check: all
	$(CHECK_DEPS)
	+$(Q)scripts/harness.py --jobs $(shell nproc 2>/dev/null || echo 2) --make "$(MAKE)" --qemu "$(QEMU)"

# The whole suite on a SAN=1 kernel (rebuilds; `make` alone rebuilds back).
check-san:
	+$(Q)$(MAKE) check SAN=1

check-%: all
	$(CHECK_DEPS)
	+$(Q)scripts/harness.py --verbose --make "$(MAKE)" --qemu "$(QEMU)" $*

# ---------------------------------------------------------------------------
# Labs (docs/labs/): student trees, grades, and the check that each lab's
# tests fail on its own student tree and pass on this one.

handout:
	$(if $(LAB),,$(error give LAB=NAME (labs: alloc proc sched act) and OUT=DIR))
	$(if $(OUT),,$(error give OUT=DIR, a new or empty directory))
	$(Q)python3 scripts/handout.py $(LAB) $(OUT)

grade: all
	$(CHECK_DEPS)
	+$(Q)scripts/harness.py --grade --jobs $(shell nproc 2>/dev/null || echo 2) --qemu "$(QEMU)"

grade-%: all
	$(CHECK_DEPS)
	+$(Q)scripts/harness.py --grade --jobs $(shell nproc 2>/dev/null || echo 2) --qemu "$(QEMU)" $*

check-labs: all
	$(CHECK_DEPS)
	+$(Q)python3 scripts/check-labs.py --jobs 2 --qemu "$(QEMU)"

# ---------------------------------------------------------------------------
# Benchmarks (scripts/bench.py, docs/benchmarks.md): Nuthatch's
# user/p-bench-*.cc programs, each booted on one CPU, next to a Linux guest
# booted on the same QEMU machine whose /init is tests/bench/linux-bench.c
# (static), timed and again under TCG with -icount shift=0 for instruction
# counts; the same program natively and QEMU's boot floor
# (tests/bench/floor.S) for reference. Not part of `make check`.
# LINUX_KERNEL=PATH boots that image as the Linux guest instead of the
# distribution's (fetched once into obj/bench/linux-kernel/); =none skips it.
# LINUX_APPEND adds words to the guest's command line (e.g. mitigations=off).
# ACCEL defaults to auto here (KVM if it is hardware-assisted and Nuthatch
# runs under it, else TCG with a note saying why) unless given on the command
# line or in the environment; ACCEL=kvm stops at once where KVM is not
# hardware-assisted (PVM, no vmx/svm). `CHECK=1` also times a whole `make check`.

BENCH_ACCEL := $(if $(filter command line environment,$(origin ACCEL)),$(ACCEL),auto)
BENCH_CC ?= gcc

$(O)/bench/linux-bench: tests/bench/linux-bench.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(Q)$(BENCH_CC) -O2 -Wall -Wextra -Werror -o $@ $<
$(O)/bench/linux-bench-static: tests/bench/linux-bench.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(BENCH_CC) -O2 -Wall -Wextra -Werror -static -o $@ $<
$(O)/bench/linux-true: tests/bench/linux-true.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(BENCH_CC) -O2 -Wall -Wextra -Werror -static -nostdlib -fno-pic -no-pie -o $@ $<
# The Linux guest's initramfs: /init, /dev/console for its output, and
# /true for the exec row.
$(O)/bench/linux-initramfs.cpio: $(O)/bench/linux-bench-static $(O)/bench/linux-true \
		scripts/mkcpio.py
	@echo "  CPIO    $@"
	$(Q)python3 scripts/mkcpio.py $@ dir=dev char=dev/console:5:1 init=$< \
		true=$(O)/bench/linux-true
$(O)/bench/floor.elf: tests/bench/floor.S
	@mkdir -p $(@D)
	@echo "  FLOOR   $@"
	$(Q)$(BENCH_CC) -m32 -c $< -o $(O)/bench/floor.o
	$(Q)ld -m elf_i386 -Ttext=0x100000 -nostdlib -static -z noexecstack -e _start \
		-o $@ $(O)/bench/floor.o

bench: all $(O)/bench/linux-bench $(O)/bench/linux-true $(O)/bench/floor.elf \
		$(O)/bench/linux-initramfs.cpio
	$(ensure-qemu)
	+$(Q)python3 scripts/bench.py --accel $(BENCH_ACCEL) --qemu "$(QEMU)" \
		$(if $(LINUX_KERNEL),--linux-kernel '$(LINUX_KERNEL)') \
		$(if $(LINUX_APPEND),--linux-append '$(LINUX_APPEND)') \
		$(if $(filter 1,$(CHECK)),--check --make "$(MAKE)")

clean:
	rm -rf $(O)

.PHONY: all user-programs listings host-tests iso stress-pipes run run-iso run-uefi run-graphic run-console run-gdb gdb check check-san bench clean handout grade check-labs FORCE
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:
