//! Small CPU operations: interrupt masking, waiting, barriers.

use super::psr::PSR_I;
use core::arch::asm;

/// Whether IRQs were masked, as saved by [`mask_irqs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "pass it to restore_irqs"]
pub struct IrqState {
    was_masked: bool,
}

/// The current CPSR.
#[inline(always)]
pub fn cpsr() -> u32 {
    let cpsr: u32;
    // SAFETY: reading the CPSR has no side effect.
    unsafe { asm!("mrs {}, cpsr", out(reg) cpsr, options(nomem, nostack, preserves_flags)) };
    cpsr
}

/// True when IRQs are masked (CPSR.I set).
#[inline(always)]
pub fn irqs_masked() -> bool {
    cpsr() & PSR_I != 0
}

/// Masks IRQs and returns whether they were masked before.
#[inline(always)]
pub fn mask_irqs() -> IrqState {
    let was_masked = irqs_masked();
    // SAFETY: masking interrupts cannot break memory safety; `memory` keeps the compiler from
    // moving accesses of data shared with IRQ handlers across it.
    unsafe { asm!("cpsid i", options(nostack, preserves_flags)) };
    IrqState { was_masked }
}

/// Restores the IRQ mask saved by [`mask_irqs`].
#[inline(always)]
pub fn restore_irqs(state: IrqState) {
    if !state.was_masked {
        // SAFETY: unmasking returns to the state the caller saved; handlers are installed
        // before any interrupt source is enabled.
        unsafe { asm!("cpsie i", options(nostack, preserves_flags)) };
    }
}

/// Unmasks IRQs.
///
/// # Safety
///
/// The caller must hold no lock that an IRQ handler takes, and the exception vectors and the
/// stack must be ready for an interrupt.
#[inline(always)]
pub unsafe fn unmask_irqs() {
    // SAFETY: the caller's contract.
    unsafe { asm!("cpsie i", options(nostack, preserves_flags)) };
}

/// Waits for an interrupt (or an event QEMU treats as one).
#[inline(always)]
pub fn wait_for_interrupt() {
    // SAFETY: WFI only pauses the core.
    unsafe { asm!("dsb", "wfi", options(nostack, preserves_flags)) };
}

/// Stops this core for good: interrupts masked, waiting forever.
pub fn halt() -> ! {
    let _ = mask_irqs();
    loop {
        wait_for_interrupt();
    }
}

/// Data synchronization barrier, full system.
#[inline(always)]
pub fn dsb() {
    // SAFETY: a barrier only orders memory accesses.
    unsafe { asm!("dsb", options(nostack, preserves_flags)) };
}

/// Instruction synchronization barrier: later instructions see earlier CP15 writes.
#[inline(always)]
pub fn isb() {
    // SAFETY: a barrier only flushes the pipeline.
    unsafe { asm!("isb", options(nostack, preserves_flags)) };
}

/// How many CPUs the Cortex-A15 cluster has: L2CTLR bits 25:24 hold the count minus one.
pub fn cluster_cpus() -> u32 {
    let l2ctlr: u32;
    // SAFETY: reading L2CTLR has no side effect.
    unsafe {
        asm!("mrc p15, 1, {}, c9, c0, 2", out(reg) l2ctlr, options(nomem, nostack, preserves_flags))
    };
    ((l2ctlr >> 24) & 0b11) + 1
}

/// TPIDRPRW, the PL1-only thread ID register: the kernel keeps there the address of this CPU's
/// own state, which no other CPU's read of the register can see.
#[inline(always)]
pub fn read_tpidrprw() -> u32 {
    let value: u32;
    // SAFETY: reading TPIDRPRW has no side effect.
    unsafe {
        asm!("mrc p15, 0, {}, c13, c0, 4", out(reg) value, options(nomem, nostack, preserves_flags))
    };
    value
}

/// Writes TPIDRPRW.
///
/// # Safety
///
/// Code that reads TPIDRPRW takes it for the address of this CPU's state: `value` must be
/// that address, valid for as long as the CPU runs.
#[inline(always)]
pub unsafe fn write_tpidrprw(value: u32) {
    // SAFETY: the caller's contract; the register itself steers nothing in the hardware.
    unsafe { asm!("mcr p15, 0, {}, c13, c0, 4", in(reg) value, options(nostack, preserves_flags)) };
}

/// The generic timer's physical count (CNTPCT) and its frequency in Hz (CNTFRQ).
pub fn physical_count() -> (u64, u32) {
    let (low, high, frequency): (u32, u32, u32);
    // SAFETY: reading the counter and its frequency has no side effect.
    unsafe {
        asm!(
            "isb",
            "mrrc p15, 0, {low}, {high}, c14",
            "mrc p15, 0, {frequency}, c14, c0, 0",
            low = out(reg) low,
            high = out(reg) high,
            frequency = out(reg) frequency,
            options(nomem, nostack, preserves_flags)
        )
    };
    (((high as u64) << 32) | low as u64, frequency)
}

/// Wakes every CPU waiting in WFE (SEV), after a DSB so they see what was written before.
#[inline(always)]
pub fn send_event() {
    // SAFETY: SEV only signals an event.
    unsafe { asm!("dsb", "sev", options(nostack, preserves_flags)) };
}

/// Waits for an event (WFE): under QEMU a hint that lets another virtual CPU run, never a
/// sleep, so only for short, bounded waits.
#[inline(always)]
pub fn wait_for_event() {
    // SAFETY: WFE only pauses the core.
    unsafe { asm!("wfe", options(nostack, preserves_flags)) };
}
