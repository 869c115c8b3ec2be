//! # swpan: emulated PAN and PXN through the ARM Domain Access Control Register
//!
//! swpan is a small ARMv7-A kernel for QEMU's `vexpress-a15` board. It exists to show, on a
//! real (emulated) CPU, how a kernel keeps user memory out of its own reach the way Linux's
//! `CONFIG_CPU_SW_DOMAIN_PAN` does: every user page is in MMU domain 1, the DACR makes domain 1
//! "No access" whenever the kernel runs, and only the uaccess routines open it, around the
//! user access itself. A kernel bug that follows a user pointer takes a domain fault and oopses.
//!
//! ## Boot flow
//!
//! 1. `_start` (`arch/boot.s`): leave HYP mode if QEMU entered there; on a board with several
//!    CPUs (`qemu/run --smp N`), every CPU but CPU 0 parks there in WFI, touching no memory,
//!    until woken through the board's SYS_FLAGS register; give each exception mode a stack,
//!    zero `.bss`, install the vector table (VBAR), call [`init::kernel_main`].
//! 2. [`init::kernel_main`]: console ([`console`], [`drivers::pl011`]), command line over
//!    semihosting ([`power`], parsed by [`cmdline`]), then memory: the kernel's translation
//!    tables, the DACR, the MMU, the heap ([`mm`]); the vectors move to their alias in the
//!    VECTORS domain; the exception table is sorted ([`uaccess::extable`]); the kernel becomes
//!    process 0 ([`process`]) and the timer starts ([`interrupts`]); then the job the command
//!    line chose ([`jobs`]): the tour (default), `lkdtm=`, the shell, one program (`init=`),
//!    the fuzzer (`fuzz=`), or the self-tests ([`selftest`]).
//!    Before the job, [`smp::bring_up`] wakes the other CPUs (`maxcpus=`): each turns on its
//!    own MMU with the shared kernel tables and its own DACR (window closed), VBAR, GIC CPU
//!    interface and tick, with its number in TPIDRPRW for its per-CPU data
//!    ([`arch::percpu`]), then enters the scheduler's idle loop and runs processes.
//! 3. The job ends with [`power::poweroff`]: QEMU exits with the kernel's status.
//!
//! ## The protection, piece by piece
//!
//! - [`domain`]: the four domains (kernel 0, user 1, IO 2, vectors 3) and the DACR values
//!   0x51 (kernel mode, window closed) and 0x55 (window open, user mode).
//! - [`mm`]: short-descriptor tables ([`mm::descriptor`]); the kernel half (TTBR1) with W^X
//!   page permissions; user address spaces (TTBR0 + ASID), every page in domain 1, every user
//!   page table with PXNTABLE.
//! - [`uaccess`]: the window (`uaccess::window`: open and close, always inlined, save and
//!   restore), typed user pointers, `access_ok`, the copy routines, the exception table.
//! - [`arch::exception`] with `arch/vectors.s`: every exception saves the DACR in the trap
//!   frame and closes the window before any handler runs, and restores it on the way out.
//! - [`trap`]: what each exception leads to: a fault on a listed user access resumes at its
//!   fixup (with the window as it was), a domain fault is never fixed up, a self-test's declared
//!   exception goes to it ([`expected_exception`]), a system call to [`syscall`], anything else
//!   to [`oops`]. An oops, a process exit and a context switch write the closed DACR themselves
//!   too.
//! - [`invariants`]: the DACR checked at every kernel entry, every return to user mode and
//!   every context switch; a violation is reported with where it happened, and counted.
//!   (`tools/windowcheck` proves the same discipline statically, from the machine code.)
//! - [`oops`]: Linux-style reports with a call trace named from the embedded symbol table
//!   ([`symbols`], written after linking by `tools/ksyms`); an oops in a system call kills
//!   only the calling process.
//!
//! What domains cannot stop: a user frame is also RAM in the kernel's linear map, in the
//! kernel's domain, so a bug steered to that alias (the "ret2dir" attack) would reach user data
//! with no window and no fault. [`mm::ownership`] closes it (`xpfo=on`, the default): a frame
//! a process owns is out of the linear map, and comes back zeroed (docs/pan.md, "What domains
//! cannot stop").
//!
//! ## User mode
//!
//! - [`process`]: user programs (the `user/` crate, embedded at build time) loaded by a
//!   validating ELF loader ([`process::loader`]) into their own address space, each with a
//!   guarded kernel stack; round-robin scheduling over one run queue for every CPU (each CPU's
//!   current process, reschedule request and idle state are per CPU; wake-ups by SGI,
//!   [`arch::ipi`]), preemption by each CPU's own timer at the return to user mode, CPU
//!   affinity ([`process::affinity`]); locks that know which CPU holds them ([`sync`]); `spawn`/`execve`/`exit`/`wait`/`kill` (`process::lifecycle`, argv and envp
//!   through [`process::exec`] onto Linux's initial stack, [`process::arguments`]), the
//!   programs as `/bin` ([`process::programs`]), `mmap` ([`process::mmap`]).
//! - [`credentials`]: uids, gids and capability sets with Linux's rules for changing them.
//! - [`syscall`]: Linux ARM EABI system calls; every pointer through [`uaccess`], every bad
//!   one an errno (docs/bad-pointers.md), every kernel bounce buffer between canaries.
//! - [`seccomp`]: Linux's seccomp: strict mode and classic-BPF filters, validated once at
//!   install and compiled ([`seccomp::program`]), chained newest first and shared with
//!   children ([`seccomp::chain`]); the calls and the check before every system call are in
//!   `seccomp_calls` (docs/seccomp.md).
//! - [`lkdtm`]: lkdtm's perms family (14 crash types, ACCESS_USERSPACE_LINEAR for the
//!   linear-map alias) and EXHAUST_STACK, run by `provoke`; beside it, off unless the command
//!   line says `vulnerable=ops`, a deliberately vulnerable driver for teaching
//!   (`lkdtm::vulnerable_ops`), which `/bin/escalate` exploits.
//!
//! ## Where the rest is
//!
//! The modules form layers, each importing only the ones below it (docs/architecture.md,
//! checked by `tests/tests/layers.rs`).
//!
//! - [`arch`]: ARMv7-A specifics (modes, trap frame, vectors, CP15, CPU operations, and
//!   `memcpy`, `memmove` and `memset` in assembly); it imports
//!   nothing of the kernel's but [`domain`] and [`memory_map`].
//! - [`jobs`]: what the kernel runs after boot; [`kernel_benchmarks`]: the kernel-side half of
//!   `make bench`; [`selftest`]: the in-kernel self-tests.
//! - [`drivers`]: the board's devices. [`memory_map`]: every address, under one diagram.
//! - Pure logic with no assembly, unit-tested on the host with `make unit`: [`cmdline`],
//!   [`fault`], [`domain`], [`mm::descriptor`], [`mm::frames`], [`uaccess`]'s `access_ok` and
//!   exception table search, [`elf`], [`kallsyms`], [`credentials`], [`process::arguments`],
//!   [`errno`], [`seccomp`], [`arch::psr`],
//!   [`arch::trap_frame`] and the formatting in [`oops`].
//!
//! On the host (`cargo test`) only the pure modules are compiled; everything that touches the
//! hardware is behind `cfg(target_arch = "arm")`.

#![cfg_attr(target_os = "none", no_std)]

extern crate alloc;

pub mod arch;
pub mod capability_calls;
pub mod cmdline;
pub mod credentials;
pub mod domain;
pub use swpan_abi::errno;
pub mod elf;
pub mod fault;
pub mod fmt_buffer;
pub mod kallsyms;
pub mod logbuf;
pub mod memory_map;
pub mod mm;
pub mod oops;
pub mod process;
pub mod seccomp;
pub mod signal;
pub mod uaccess;

#[cfg(target_arch = "arm")]
pub mod console;
#[cfg(target_arch = "arm")]
pub mod drivers;
#[cfg(target_arch = "arm")]
pub mod expected_exception;
#[cfg(target_arch = "arm")]
pub mod init;
#[cfg(target_arch = "arm")]
pub mod interrupts;
#[cfg(target_arch = "arm")]
pub mod invariants;
#[cfg(target_arch = "arm")]
pub mod jobs;
#[cfg(target_arch = "arm")]
pub mod kernel_benchmarks;
#[cfg(target_arch = "arm")]
pub mod klog;
#[cfg(target_arch = "arm")]
pub mod lkdtm;
#[cfg(target_arch = "arm")]
mod panic;
#[cfg(target_arch = "arm")]
pub mod power;
#[cfg(target_arch = "arm")]
pub mod seccomp_calls;
#[cfg(target_arch = "arm")]
pub mod selftest;
#[cfg(target_arch = "arm")]
pub mod smp;
#[cfg(target_arch = "arm")]
pub mod symbols;
#[cfg(target_arch = "arm")]
pub mod sync;
#[cfg(target_arch = "arm")]
pub mod syscall;
#[cfg(target_arch = "arm")]
pub mod trap;
