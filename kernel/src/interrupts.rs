//! Interrupts: the GIC, the scheduler's timer tick, and the console's receive interrupt.
//!
//! Handlers run in SVC mode with IRQs masked and the uaccess window closed (the IRQ entry
//! closes it, whatever the interrupted code had open). They never touch the process table:
//! the tick only asks for a reschedule, and received bytes go to the console's buffer, which
//! the scheduler checks.

use crate::console;
use crate::drivers::gic::{self, Gic, SPURIOUS};
use crate::drivers::sp804::Sp804;
use crate::memory_map::{
    self, GIC_CPU_INTERFACE, GIC_DISTRIBUTOR, TIMER01, TIMER01_IRQ, UART0_IRQ,
};
use crate::process;
use core::sync::atomic::{AtomicU32, Ordering};

// SAFETY: the GIC's register blocks are mapped at these addresses (memory_map.rs) and only
// this module programs the GIC.
static GIC: Gic = unsafe { Gic::new(GIC_DISTRIBUTOR, GIC_CPU_INTERFACE) };
// SAFETY: the SP804 is mapped there and only this module programs it.
static TIMER: Sp804 = unsafe { Sp804::new(TIMER01) };

// The boot code enables a parked CPU's interface by the memory map's offsets, before the MMU
// is on and without the driver: they must be the driver's.
const _: () = assert!(
    gic::CPU_INTERFACE_CTLR_OFFSET == memory_map::GICC_CTLR_OFFSET
        && gic::CPU_INTERFACE_PMR_OFFSET == memory_map::GICC_PMR_OFFSET
);

/// The scheduler's tick.
pub const TICK_MICROSECONDS: u32 = 10_000;

static TICKS: AtomicU32 = AtomicU32::new(0);

/// Enables the GIC, the timer tick and the console's receive interrupt. Interrupts stay
/// masked in the CPU until something unmasks them.
pub fn init() {
    GIC.init();
    GIC.enable(TIMER01_IRQ);
    GIC.enable(UART0_IRQ);
    TIMER.start_periodic(TICK_MICROSECONDS);
    console::enable_input_interrupt();
}

/// The software-generated interrupt that wakes a parked CPU (arch/boot.s).
pub const WAKE_SGI: u32 = 1;

/// Sends [`WAKE_SGI`] to the CPUs whose bits are set in `targets` (bit n: CPU n).
pub fn wake_cpus(targets: u8) {
    GIC.send_sgi(targets, WAKE_SGI);
}

/// On a CPU other than CPU 0: enables its own GIC CPU interface and acknowledges what woke it
/// (the [`WAKE_SGI`] is still pending when the CPU arrives: left so, it would be the first
/// interrupt taken). The devices' interrupts are routed to CPU 0 only, so only interrupts
/// sent to this CPU are found here.
pub fn init_this_cpu() {
    GIC.init_cpu_interface();
    acknowledge_sgis();
}

/// On a CPU other than CPU 0, with IRQs masked: acknowledges every interrupt sent to it (a
/// masked interrupt still ends a WFI, and stays pending, ending every later WFI at once,
/// until it is acknowledged).
pub fn acknowledge_sgis() {
    loop {
        let iar = GIC.acknowledge();
        if iar & 0x3FF == SPURIOUS {
            break;
        }
        GIC.end_of_interrupt(iar);
    }
}

/// Changes the tick period (the self-tests shorten it to land interrupts inside windows).
pub fn set_tick_period(microseconds: u32) {
    TIMER.start_periodic(microseconds);
}

/// Timer ticks since boot.
pub fn ticks() -> u32 {
    TICKS.load(Ordering::Relaxed)
}

/// Handles every pending interrupt.
pub fn handle() {
    loop {
        let iar = GIC.acknowledge();
        let id = iar & 0x3FF;
        if id == SPURIOUS {
            break;
        }
        match id {
            TIMER01_IRQ => {
                TIMER.clear_interrupt();
                TICKS.fetch_add(1, Ordering::Relaxed);
                process::request_reschedule();
            }
            UART0_IRQ => console::receive_interrupt(),
            other => {
                log::warn!("unexpected interrupt {other}: disabled");
                GIC.disable(other);
            }
        }
        GIC.end_of_interrupt(iar);
    }
}
