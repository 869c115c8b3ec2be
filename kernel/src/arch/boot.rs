//! Start-up: the assembly in `boot.s` runs first, then [`crate::init::kernel_main`].

use super::psr::{MODE_ABT, MODE_FIQ, MODE_HYP, MODE_IRQ, MODE_MASK, MODE_SVC, MODE_UND};
use super::psr::{PSR_A, PSR_F, PSR_I};
use crate::memory_map::{GIC_CPU_INTERFACE_PHYSICAL, GICC_CTLR_OFFSET, GICC_PMR_OFFSET};
use crate::memory_map::{SYS_FLAGS_OFFSET, SYSTEM_REGISTERS_PHYSICAL};

/// MPIDR.Aff0: the CPU's number in its cluster (0 to 3 on vexpress-a15, whose one cluster has
/// Aff1 = Aff2 = 0).
pub const MPIDR_AFF0_MASK: u32 = 0xFF;

/// SCTLR.V: exception vectors at 0xFFFF0000 instead of VBAR.
pub const SCTLR_V: u32 = 1 << 13;
/// SCTLR.TE: take exceptions in Thumb state.
pub const SCTLR_TE: u32 = 1 << 30;

/// log2 of the stack block each CPU but CPU 0 gets (8 KiB: `__secondary_stacks_start` in the
/// linker script).
pub const SECONDARY_STACKS_SHIFT: u32 = 13;

core::arch::global_asm!(
    include_str!("boot.s"),
    MODE_MASK = const MODE_MASK,
    MODE_HYP = const MODE_HYP,
    MODE_SVC = const MODE_SVC,
    MODE_IRQ = const MODE_IRQ,
    MODE_ABT = const MODE_ABT,
    MODE_UND = const MODE_UND,
    MODE_FIQ = const MODE_FIQ,
    PSR_I = const PSR_I,
    PSR_F = const PSR_F,
    PSR_A = const PSR_A,
    SCTLR_V = const SCTLR_V,
    SCTLR_TE = const SCTLR_TE,
    MPIDR_AFF0_MASK = const MPIDR_AFF0_MASK,
    SECONDARY_STACKS_SHIFT = const SECONDARY_STACKS_SHIFT,
    GICC_PHYSICAL = const GIC_CPU_INTERFACE_PHYSICAL,
    GICC_CTLR = const GICC_CTLR_OFFSET,
    GICC_PMR = const GICC_PMR_OFFSET,
    SYS_FLAGS_PHYSICAL = const SYSTEM_REGISTERS_PHYSICAL + SYS_FLAGS_OFFSET,
    PMCNTENSET_CYCLES = const super::pmu::PMCNTENSET_CYCLES,
    PMCR_ENABLE = const super::pmu::PMCR_ENABLE,
    PMCR_RESET_CYCLES = const super::pmu::PMCR_RESET_CYCLES,
);
