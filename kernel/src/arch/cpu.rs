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
