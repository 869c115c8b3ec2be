//! The kernel binary: everything lives in the `swpan` library; this file only links it.
//!
//! On the target, `_start` (the ELF entry) is in the library's `arch/boot.s`. On the host
//! this binary has nothing to run and says so.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[cfg(target_os = "none")]
use swpan as _;

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("kernel: this binary runs on armv7a-none-eabi under QEMU: use `make run`");
    std::process::exit(2);
}
