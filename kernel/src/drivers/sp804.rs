//! ARM Dual-Timer (SP804), timer 1 of the pair: the scheduler's periodic tick.
//!
//! Register map from the SP804 Technical Reference Manual (DDI 0271), section 3.1. On
//! vexpress the timer counts a 1 MHz reference clock.

use tock_registers::interfaces::{Readable, Writeable};
use tock_registers::registers::{ReadOnly, ReadWrite, WriteOnly};
use tock_registers::{register_bitfields, register_structs};

register_bitfields! {
    u32,
    /// Timer control.
    CONTROL [
        /// Timer enable.
        ENABLE OFFSET(7) NUMBITS(1) [],
        /// Periodic mode: reload from the load register at zero.
        PERIODIC OFFSET(6) NUMBITS(1) [],
        /// Interrupt enable.
        INTERRUPT_ENABLE OFFSET(5) NUMBITS(1) [],
        /// 32-bit counter.
        SIZE_32 OFFSET(1) NUMBITS(1) []
    ]
}

register_structs! {
    /// One timer of the pair.
    pub TimerRegisters {
        (0x00 => load: ReadWrite<u32>),
        (0x04 => value: ReadOnly<u32>),
        (0x08 => control: ReadWrite<u32, CONTROL::Register>),
        (0x0c => interrupt_clear: WriteOnly<u32>),
        (0x10 => raw_interrupt_status: ReadOnly<u32>),
        (0x14 => masked_interrupt_status: ReadOnly<u32>),
        (0x18 => background_load: ReadWrite<u32>),
        (0x1c => @END),
    }
}

/// The SP804's reference clock on vexpress.
pub const CLOCK_HZ: u32 = 1_000_000;

/// Timer 1 of an SP804.
pub struct Sp804 {
    base: usize,
}

impl Sp804 {
    /// A driver for the SP804 mapped at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be the virtual address of an SP804, mapped as Device memory while the
    /// driver is used, and no other code may program timer 1.
    pub const unsafe fn new(base: usize) -> Sp804 {
        Sp804 { base }
    }

    fn registers(&self) -> &TimerRegisters {
        // SAFETY: `new`'s contract.
        unsafe { &*(self.base as *const TimerRegisters) }
    }

    /// Interrupts every `period_us` microseconds from now on.
    pub fn start_periodic(&self, period_us: u32) {
        let timer = self.registers();
        timer.control.set(0);
        timer.load.set(period_us * (CLOCK_HZ / 1_000_000));
        timer.interrupt_clear.set(1);
        timer.control.write(
            CONTROL::ENABLE::SET
                + CONTROL::PERIODIC::SET
                + CONTROL::INTERRUPT_ENABLE::SET
                + CONTROL::SIZE_32::SET,
        );
    }

    /// Stops the timer.
    pub fn stop(&self) {
        self.registers().control.set(0);
    }

    /// True when the timer's interrupt is pending.
    pub fn interrupt_pending(&self) -> bool {
        self.registers().masked_interrupt_status.get() & 1 != 0
    }

    /// Clears the interrupt.
    pub fn clear_interrupt(&self) {
        self.registers().interrupt_clear.set(1);
    }

    /// The current count (counting down).
    pub fn value(&self) -> u32 {
        self.registers().value.get()
    }
}
