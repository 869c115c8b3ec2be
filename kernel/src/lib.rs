//! # swpan: emulated PAN and PXN through the ARM Domain Access Control Register
//!
//! swpan is a small ARMv7-A kernel for QEMU's `vexpress-a15` board. It exists to show, on a
//! real (emulated) CPU, how a kernel keeps user memory out of its own reach the way Linux's
//! `CONFIG_CPU_SW_DOMAIN_PAN` does.
//!
//! ## Boot flow
//!
//! 1. `_start` (`arch/boot.s`): leave HYP mode if QEMU entered there, give each exception mode
//!    a stack, zero `.bss`, install the vector table (VBAR), call [`init::kernel_main`].
//! 2. [`init::kernel_main`]: console ([`console`], [`drivers::pl011`]), command line over
//!    semihosting ([`power`], parsed by [`cmdline`]), banner, then the job the command line
//!    chose: the default boot report, or the self-tests ([`selftest`]).
//! 3. The job ends with [`power::poweroff`]: QEMU exits with the kernel's status.
//!
//! ## Exceptions
//!
//! Every exception enters through `arch/vectors.s`, which saves a [`arch::trap_frame::TrapFrame`]
//! on the SVC stack and calls a handler in [`arch::exception`]. Whatever nobody expects ends in
//! a report ([`oops`]) and a power-off with a failure status: the kernel never hangs silently.
//!
//! ## Layers
//!
//! - [`arch`]: ARMv7-A specifics (modes, trap frame, vectors, CPU operations).
//! - [`drivers`]: the board's devices.
//! - [`memory_map`]: every address, under one diagram.
//! - [`fault`], [`cmdline`], [`arch::psr`], [`arch::trap_frame`], the formatting in [`oops`]:
//!   pure logic with no assembly, unit-tested on the host with `make unit`.
//!
//! On the host (`cargo test`) only the pure modules are compiled; everything that touches the
//! hardware is behind `cfg(target_arch = "arm")`.

#![cfg_attr(target_os = "none", no_std)]

pub mod arch;
pub mod cmdline;
pub mod fault;
pub mod memory_map;
pub mod oops;

#[cfg(target_arch = "arm")]
pub mod console;
#[cfg(target_arch = "arm")]
pub mod drivers;
#[cfg(target_arch = "arm")]
pub mod init;
#[cfg(target_arch = "arm")]
mod panic;
#[cfg(target_arch = "arm")]
pub mod power;
#[cfg(target_arch = "arm")]
pub mod selftest;
#[cfg(target_arch = "arm")]
pub mod sync;
