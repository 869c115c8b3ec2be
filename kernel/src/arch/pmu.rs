//! The performance monitors' cycle counter, PMCCNTR, and the generic timer's virtual count.
//!
//! Under QEMU with `-icount shift=0`, PMCCNTR advances by exactly one per instruction, the
//! same from run to run: the benchmarks count instructions with it (`make bench`). The
//! counter starts at the kernel's first instruction (`arch/boot.s` enables it), so its value
//! is also the number of instructions since boot. Without `-icount` it follows host time.
//!
//! User mode may read neither register unless the kernel allows it, which only the `bench`
//! job does: a cycle counter and a fine clock are timing side channels.

use core::arch::asm;

/// PMCR.E: the counters are enabled.
pub const PMCR_ENABLE: u32 = 1 << 0;
/// PMCR.C: resets the cycle counter (write only).
pub const PMCR_RESET_CYCLES: u32 = 1 << 2;
/// PMCNTENSET.C: the cycle counter counts.
pub const PMCNTENSET_CYCLES: u32 = 1 << 31;

/// The cycle counter: instructions since boot under `-icount shift=0`.
///
/// The read is a compiler barrier (no `nomem`): memory accesses written before it are not
/// moved after it, nor the other way, so a measurement between two reads covers what the
/// source puts there.
#[inline(always)]
pub fn cycles() -> u32 {
    let count: u32;
    // SAFETY: reads PMCCNTR, which PL1 may always read; no other effect.
    unsafe {
        asm!("mrc p15, 0, {}, c9, c13, 0", out(reg) count, options(nostack, preserves_flags))
    };
    count
}

/// Lets (or stops letting) user mode read PMCCNTR (PMUSERENR.EN) and the virtual count
/// CNTVCT (CNTKCTL.PL0VCTEN).
pub fn allow_user_reads(allow: bool) {
    let bit = allow as u32;
    // SAFETY: PMUSERENR and CNTKCTL only widen or narrow what user mode may read; neither
    // changes memory or control flow.
    unsafe {
        asm!(
            "mcr p15, 0, {pmuserenr}, c9, c14, 0",
            "mrc p15, 0, {kctl}, c14, c1, 0",
            "bic {kctl}, {kctl}, #2",
            "orr {kctl}, {kctl}, {pl0vcten}",
            "mcr p15, 0, {kctl}, c14, c1, 0",
            "isb",
            pmuserenr = in(reg) bit,
            pl0vcten = in(reg) bit << 1,
            kctl = out(reg) _,
            options(nostack, preserves_flags),
        )
    };
}
