//! The tick: each CPU's own virtual generic timer (CNTV), which interrupts only that CPU
//! (PPI 27), whatever the security state the board boots in.
//!
//! The timer's condition is level: it stays asserted until the next deadline is written, so
//! [`rearm`] comes before the interrupt's end.

use super::percpu::{CacheLine, MAX_CPUS, PerCpu};
use core::arch::asm;
use core::sync::atomic::{AtomicU32, Ordering};

/// The virtual timer's interrupt: a private peripheral interrupt, banked per CPU.
pub const VIRTUAL_TIMER_IRQ: u32 = 27;

/// Starts this CPU's virtual timer: an interrupt every `microseconds`.
pub fn start_periodic(microseconds: u32) {
    let ticks = period_ticks(microseconds);
    // SAFETY: CNTV_TVAL and CNTV_CTL are this CPU's own timer registers; writing them only
    // sets the next deadline and enables the timer with its interrupt unmasked.
    unsafe {
        asm!(
            "mcr p15, 0, {ticks}, c14, c3, 0",
            "mcr p15, 0, {enable}, c14, c3, 1",
            "isb",
            ticks = in(reg) ticks,
            enable = in(reg) 1u32,
            options(nostack, preserves_flags)
        )
    };
    PERIOD.this().store(ticks, Ordering::Relaxed);
}

/// Sets this CPU's next deadline one period after now, which clears the interrupt.
pub fn rearm() {
    let ticks = PERIOD.this().load(Ordering::Relaxed);
    // SAFETY: writing CNTV_TVAL only moves this CPU's deadline.
    unsafe {
        asm!("mcr p15, 0, {}, c14, c3, 0", "isb", in(reg) ticks, options(nostack, preserves_flags))
    };
}

/// Stops this CPU's timer.
pub fn stop() {
    // SAFETY: disabling this CPU's timer only stops its interrupts.
    unsafe {
        asm!("mcr p15, 0, {}, c14, c3, 1", "isb", in(reg) 0u32, options(nostack, preserves_flags))
    };
}

/// Each CPU's tick period, in counter ticks.
static PERIOD: PerCpu<AtomicU32> =
    PerCpu::new([const { CacheLine::new(AtomicU32::new(0)) }; MAX_CPUS]);

fn period_ticks(microseconds: u32) -> u32 {
    let (_, frequency) = super::cpu::physical_count();
    (u64::from(frequency) * u64::from(microseconds) / 1_000_000).max(1) as u32
}
