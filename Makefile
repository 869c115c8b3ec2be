# swpan: the two commands are `make run` and `make test`; the rest are for working on it.

TARGET  := armv7a-none-eabi
HOST    := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
KERNEL  := target/$(TARGET)/release/kernel
CARGO   := cargo
# Extra words for the kernel command line: make run CMDLINE="selftest"
CMDLINE ?=
# The board's CPUs for `make run CMDLINE=...` and `make shell` (1 to 4): make shell SMP=4
SMP ?= 1
LLVM_BIN = $(shell rustc --print sysroot)/lib/rustlib/$(HOST)/bin
# Every part of docs/ that comes from a run is made by one tool (tools/docgen/README.md).
DOCGEN  := CARGO=$(CARGO) tools/docgen/docgen

.PHONY: all build run shell matrix compare-linux fuzz bench bench-wall bench-docs docs pictures test unit windowcheck integration selftest debug clippy fmt fmt-check objdump nm clean setup llvm-tools lint-tools qemu-present gdb-present capsh-present seccomp-present help

all: build

help:
	@echo "make run        the guided tour (three boots); CMDLINE=\"...\": one boot with that command line"
	@echo "make shell      the interactive shell (piped input works)"
	@echo "make test       every test: host unit tests, windowcheck, then the QEMU integration tests"
	@echo "make windowcheck  prove from the disassembly that user accesses stay inside windows"
	@echo "make build      the release kernel ELF at $(KERNEL)"
	@echo "make selftest   boot with the self-tests only"
	@echo "make debug      boot halted, with gdb-multiarch attached (qemu/debug.gdb)"
	@echo "make docs       regenerate everything in docs/ that comes from a run (excerpts, matrices, pictures)"
	@echo "make pictures   redraw docs/address-map.svg, docs/linear-map.svg and docs/syscall-sequence.svg from real boots, docs/descriptors.svg and docs/exception-path.svg from the kernel's encoders and sources"
	@echo "make matrix     regenerate docs/lkdtm-matrix.md and docs/bad-pointers.md from real boots"
	@echo "make compare-linux  Debian's armhf Linux on the same board: same bench, same attacks (docs/linux-side-by-side.md)"
	@echo "make fuzz       1,000,000 random system calls (SEED=n)"
	@echo "make bench      the benchmarks in instructions: a table, target/bench.json, target/bench.svg"
	@echo "make bench-wall the wall-clock cost of pan=on against pan=off under QEMU"
	@echo "make bench-docs regenerate the figures in docs/benchmarks.md and docs/benchmarks.svg"
	@echo "make clippy     clippy -D warnings on the kernel (target) and the host crates"
	@echo "make fmt        rustfmt everything"
	@echo "make objdump    disassemble the kernel; make nm: its symbols"
	@echo "make clean      remove target/"

# What the pinned toolchain needs beyond rustc and cargo. rust-toolchain.toml lists it, but
# with RUSTUP_AUTO_INSTALL=0 rustup installs none of it, so each target adds what it uses
# (idempotent, and instant when it is there already).
installed = rustup component list --installed 2>/dev/null | grep -q '^$(1)'
setup:
	@$(call installed,rust-std-$(TARGET)) || rustup target add $(TARGET)

# llvm-objdump and llvm-nm: make objdump / make nm, and the docs' disassembly excerpts.
llvm-tools:
	@$(call installed,llvm-tools) || rustup component add llvm-tools

# rustfmt and clippy: make fmt, make fmt-check, make clippy.
lint-tools:
	@$(call installed,rustfmt) || rustup component add rustfmt
	@$(call installed,clippy) || rustup component add clippy

qemu-present:
	@command -v qemu-system-arm >/dev/null 2>&1 || qemu/install qemu-system-arm

gdb-present:
	@command -v gdb-multiarch >/dev/null 2>&1 || qemu/install gdb-multiarch

# libcap's capsh, which tests/tests/capsh.rs compares the kernel's capsh with; without it
# (no root, no apt) those comparisons are skipped and the rest of the tests run.
capsh-present:
	@test -x /usr/sbin/capsh || qemu/install libcap2-bin || echo "capsh comparisons will be skipped" >&2

# libseccomp's Python binding: the seccomp tests compile their ARM filters with it.
seccomp-present:
	@/usr/bin/python3 -c 'import seccomp' >/dev/null 2>&1 || qemu/install python3-seccomp

# The kernel, then the post-link step: tools/ksyms writes the function symbols into the
# image's .kallsyms section so that an oops prints a symbolized call trace.
build: setup
	$(CARGO) build --release -p kernel --bin kernel
	$(CARGO) run --quiet --release -p ksyms --target $(HOST) -- $(KERNEL)

# The guided tour in three boots (qemu/tour); with CMDLINE, one boot with that command line.
run: build qemu-present
ifeq ($(strip $(CMDLINE)),)
	qemu/tour $(KERNEL)
else
	qemu/run --smp $(SMP) $(KERNEL) $(CMDLINE)
endif

# The interactive shell; piped input works too: printf 'provoke ACCESS_USERSPACE\npoweroff\n' | make shell
shell: build qemu-present
	@qemu/run --timeout 3600 --smp $(SMP) $(KERNEL) shell $(CMDLINE)

selftest: build qemu-present
	qemu/run $(KERNEL) selftest

# Host unit tests of the kernel's pure logic, the static window check, then the integration tests (which boot the
# kernel in QEMU, including the in-kernel self-tests). Output ends with cargo test's summary.
test: build qemu-present capsh-present llvm-tools unit windowcheck integration

unit: build
	$(CARGO) test -p kernel --lib --target $(HOST)
	$(CARGO) test -p swpan-abi --target $(HOST)
	$(CARGO) test -p ksyms --target $(HOST)
	$(CARGO) test --release -p windowcheck --target $(HOST)
	$(CARGO) test --release -p docgen --target $(HOST)

# The static check of the built kernel: every user access inside a uaccess window, every
# window closed on every path, no DACR write outside the entry, exit and window code.
windowcheck: build
	$(CARGO) run --quiet --release -p windowcheck --target $(HOST) -- $(KERNEL)

integration: build qemu-present capsh-present seccomp-present llvm-tools
	$(CARGO) test --no-fail-fast -p swpan-tests --target $(HOST)

debug: build qemu-present gdb-present
	@qemu/run --gdb $(KERNEL) $(CMDLINE) & qemu_pid=$$!; \
	  gdb-multiarch -q -x qemu/debug.gdb $(KERNEL); \
	  kill $$qemu_pid 2>/dev/null; wait $$qemu_pid 2>/dev/null; true

# A million random system calls (SEED=... to choose another seed): 0 oopses, 0 window leaks.
SEED ?= 1
fuzz: build qemu-present
	qemu/run --timeout 600 $(KERNEL) fuzz=$(SEED),1000000

# The benchmarks, in instructions under -icount shift=0 (the same on every run): a table, then
# target/bench.json and the copy chart target/bench.svg (docs/benchmarks.md explains them).
bench: build qemu-present
	qemu/bench $(KERNEL) target/bench.json
	$(DOCGEN) bench table target/bench.json
	$(DOCGEN) bench svg target/bench.json target/bench.svg

# The wall-clock figures (host-dependent): QEMU's time per system call, pan=on against pan=off.
bench-wall: build qemu-present
	qemu/bench --wall $(KERNEL) target/bench-wall.json
	@cat target/bench-wall.json

# docs/benchmarks.md's tables (between its benchreport:begin and :end markers) and
# docs/benchmarks.svg from a fresh run (tests/tests/bench.rs checks that they match one).
bench-docs: bench
	$(DOCGEN) bench svg target/bench.json docs/benchmarks.svg
	$(DOCGEN) bench markdown target/bench.json > target/bench.md
	$(DOCGEN) splice benchreport docs/benchmarks.md < target/bench.md

# Everything in docs/ that comes from a run, all made by tools/docgen: every console excerpt
# (rerun from the marker before each), the two matrices, the benchmarks' tables and chart, the
# pictures. tests/tests/transcripts.rs, matrix.rs, hostile.rs, bench.rs and pictures.rs fail
# until this is run after a change to what the kernel prints.
docs: build qemu-present llvm-tools matrix bench-docs pictures
	$(DOCGEN) transcripts update

# The three pictures in the README and the docs, drawn by tools/docgen from the kernel's
# own output: ptdump in the shell (and in the shell of an xpfo=off boot, for the linear map
# with and without exclusive page-frame ownership), and the tour's report of the DACR during
# a system call (tests/tests/pictures.rs renders the same captures and compares).
pictures: build qemu-present
	printf 'ptdump\npoweroff\n' | qemu/run $(KERNEL) shell > target/ptdump-console.txt
	printf 'ptdump\npoweroff\n' | qemu/run $(KERNEL) shell xpfo=off > target/ptdump-xpfo-off-console.txt
	qemu/run $(KERNEL) tour > target/tour-console.txt
	$(DOCGEN) pictures address-map target/ptdump-console.txt docs/address-map.svg
	$(DOCGEN) pictures linear-map target/ptdump-console.txt target/ptdump-xpfo-off-console.txt docs/linear-map.svg
	$(DOCGEN) pictures syscall-sequence target/tour-console.txt docs/syscall-sequence.svg
	$(DOCGEN) pictures descriptors docs/descriptors.svg
	$(DOCGEN) pictures exception-path kernel/src/trap.rs kernel/src/arch/vectors.s docs/exception-path.svg

# The lkdtm outcome matrix and the bad-pointer matrix in docs/, from real boots laid out by
# tools/docgen (tests/tests/matrix.rs and tests/tests/hostile.rs check them).
matrix: build qemu-present
	qemu/matrix $(KERNEL) docs/lkdtm-matrix.md
	qemu/pointer-matrix $(KERNEL) docs/bad-pointers.md

# swpan beside Debian's armhf Linux (software PAN) on the same board: the same bench ELF and
# the same lkdtm attacks on both, recorded in target/linux/out, laid out by tools/docgen in
# docs/linux-side-by-side.md (tests/tests/linux.rs checks it against those runs). Not part of
# `make test`: the first run downloads Debian's packages into target/linux (root and apt).
compare-linux: build qemu-present
	qemu/compare-linux $(KERNEL) docs/linux-side-by-side.md

clippy: setup lint-tools
	$(CARGO) clippy --release -p kernel -p swpan-user -p swpan-abi -- -D warnings
	$(CARGO) clippy -p kernel -p swpan-abi -p swpan-tests -p ksyms -p windowcheck -p docgen --all-targets --target $(HOST) -- -D warnings

fmt: lint-tools
	$(CARGO) fmt --all

fmt-check: lint-tools
	$(CARGO) fmt --all -- --check

objdump: build llvm-tools
	$(LLVM_BIN)/llvm-objdump -d --no-show-raw-insn --demangle $(KERNEL)

nm: build llvm-tools
	$(LLVM_BIN)/llvm-nm -n --demangle $(KERNEL)

clean:
	$(CARGO) clean
