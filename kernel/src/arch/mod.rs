//! ARMv7-A: the processor-specific half of the kernel.
//!
//! `exception_kind`, `psr` and `trap_frame` are plain data, compiled (and unit-tested) on the host too; the rest
//! exists only on the target.

pub mod exception_kind;
pub mod psr;
pub mod trap_frame;

#[cfg(target_arch = "arm")]
pub mod boot;
#[cfg(target_arch = "arm")]
pub mod cpu;
#[cfg(target_arch = "arm")]
pub mod exception;
#[cfg(target_arch = "arm")]
pub mod ipi;
#[cfg(target_arch = "arm")]
mod memory_routines;
#[cfg(target_arch = "arm")]
pub mod mmu;
#[cfg(target_arch = "arm")]
pub mod percpu;
#[cfg(target_arch = "arm")]
pub mod pmu;
#[cfg(target_arch = "arm")]
pub mod probe;
#[cfg(target_arch = "arm")]
pub mod timer;
