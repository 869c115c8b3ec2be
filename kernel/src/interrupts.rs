//! Interrupts: the GIC, the scheduler's timer tick, and the console's receive interrupt.
//!
//! Handlers run in SVC mode with IRQs masked and the uaccess window closed (the IRQ entry
//! closes it, whatever the interrupted code had open). They never touch the process table:
//! the tick only asks for a reschedule, and received bytes go to the console's buffer, which
//! the scheduler checks.

use crate::arch::percpu::{CacheLine, MAX_CPUS, PerCpu};
use crate::arch::{ipi, timer};
use crate::console;
use crate::drivers::gic::{self, Gic, SPURIOUS};
use crate::memory_map::{self, GIC_CPU_INTERFACE, GIC_DISTRIBUTOR, UART0_IRQ};
use crate::process;
use core::sync::atomic::{AtomicU32, Ordering};

// SAFETY: the GIC's register blocks are mapped at these addresses (memory_map.rs) and only
// this module programs the GIC (arch/ipi.rs writes GICD_SGIR alone, a stateless request).
static GIC: Gic = unsafe { Gic::new(GIC_DISTRIBUTOR, GIC_CPU_INTERFACE) };

// The boot code enables a parked CPU's interface by the memory map's offsets, before the MMU
// is on and without the driver: they must be the driver's.
const _: () = assert!(
    gic::CPU_INTERFACE_CTLR_OFFSET == memory_map::GICC_CTLR_OFFSET
        && gic::CPU_INTERFACE_PMR_OFFSET == memory_map::GICC_PMR_OFFSET
);

/// The scheduler's tick, on every CPU.
pub const TICK_MICROSECONDS: u32 = 10_000;

/// Each CPU's ticks since it came up.
static TICKS: PerCpu<AtomicU32> =
    PerCpu::new([const { CacheLine::new(AtomicU32::new(0)) }; MAX_CPUS]);

/// Enables the GIC, this CPU's (CPU 0's) tick and the console's receive interrupt, which goes
/// to CPU 0. Interrupts stay masked in the CPU until something unmasks them.
pub fn init() {
    GIC.init();
    GIC.enable(UART0_IRQ);
    start_tick();
    console::enable_input_interrupt();
}

/// This CPU's tick: its own generic timer, through its own (banked) private interrupt.
fn start_tick() {
    GIC.enable_private(timer::VIRTUAL_TIMER_IRQ);
    timer::start_periodic(TICK_MICROSECONDS);
}

/// Sends [`ipi::WAKE`] to the CPUs whose bits are set in `targets` (bit n: CPU n).
pub fn wake_cpus(targets: u8) {
    ipi::send(targets, ipi::WAKE);
}

/// On a CPU other than CPU 0: enables its own GIC CPU interface, acknowledges what woke it
/// (the [`ipi::WAKE`] SGI is still pending when the CPU arrives) and starts its own tick. The
/// devices' interrupts are routed to CPU 0 only; this CPU takes its tick and the SGIs sent to
/// it.
pub fn init_this_cpu() {
    GIC.init_cpu_interface();
    loop {
        let iar = GIC.acknowledge();
        if iar & 0x3FF == SPURIOUS {
            break;
        }
        GIC.end_of_interrupt(iar);
    }
    start_tick();
}

/// Changes this CPU's tick period (the self-tests shorten it to land interrupts inside
/// windows).
pub fn set_tick_period(microseconds: u32) {
    timer::start_periodic(microseconds);
}

/// This CPU's timer ticks since it came up.
pub fn ticks() -> u32 {
    TICKS.this().load(Ordering::Relaxed)
}

/// A function another CPU asked this one to run ([`call_on`]): requested, then done.
struct CallSlot {
    state: AtomicU32,
    function: AtomicU32,
    argument: AtomicU32,
    result: AtomicU32,
    status: AtomicU32,
}

const CALL_IDLE: u32 = 0;
const CALL_REQUESTED: u32 = 1;
const CALL_DONE: u32 = 2;

static CALLS: PerCpu<CallSlot> = PerCpu::new(
    [const {
        CacheLine::new(CallSlot {
            state: AtomicU32::new(CALL_IDLE),
            function: AtomicU32::new(0),
            argument: AtomicU32::new(0),
            result: AtomicU32::new(0),
            status: AtomicU32::new(0),
        })
    }; MAX_CPUS],
);

/// A function [`call_on`] runs on another CPU, in its interrupt handler (IRQs masked, window
/// closed): from an argument, a value and a status.
pub type CrossCall = fn(u32) -> (u32, u32);

/// Runs `function(argument)` on CPU `number` (not this one), in that CPU's interrupt handler,
/// and returns its result; `None` if that CPU did not answer within a second (it is not
/// online, or has IRQs masked that long). Linux's `smp_call_function_single`, for one caller
/// at a time per target.
pub fn call_on(number: u32, function: CrossCall, argument: u32) -> Option<(u32, u32)> {
    let slot = CALLS.on(number);
    slot.function.store(function as usize as u32, Ordering::Relaxed);
    slot.argument.store(argument, Ordering::Relaxed);
    slot.state.store(CALL_REQUESTED, Ordering::Release);
    ipi::send(1 << number, ipi::CALL);
    let (start, frequency) = crate::arch::cpu::physical_count();
    while slot.state.load(Ordering::Acquire) != CALL_DONE {
        if crate::arch::cpu::physical_count().0 - start >= u64::from(frequency) {
            slot.state.store(CALL_IDLE, Ordering::Relaxed);
            return None;
        }
        crate::arch::cpu::wait_for_event();
    }
    let result = (slot.result.load(Ordering::Relaxed), slot.status.load(Ordering::Relaxed));
    slot.state.store(CALL_IDLE, Ordering::Relaxed);
    Some(result)
}

/// Runs the function another CPU asked this one to run, if any.
fn answer_call() {
    let slot = CALLS.this();
    if slot.state.load(Ordering::Acquire) != CALL_REQUESTED {
        return;
    }
    let address = slot.function.load(Ordering::Relaxed) as usize;
    // SAFETY: `call_on` stored a `CrossCall` there, as a u32 (the kernel's addresses are 32
    // bits wide), before it set CALL_REQUESTED with Release; the Acquire above sees it.
    let function: CrossCall = unsafe { core::mem::transmute::<usize, CrossCall>(address) };
    let (result, status) = function(slot.argument.load(Ordering::Relaxed));
    slot.result.store(result, Ordering::Relaxed);
    slot.status.store(status, Ordering::Relaxed);
    slot.state.store(CALL_DONE, Ordering::Release);
    crate::arch::cpu::send_event();
}

/// Handles every pending interrupt of this CPU.
pub fn handle() {
    loop {
        let iar = GIC.acknowledge();
        let id = iar & 0x3FF;
        if id == SPURIOUS {
            break;
        }
        match id {
            timer::VIRTUAL_TIMER_IRQ => {
                timer::rearm();
                TICKS.this().fetch_add(1, Ordering::Relaxed);
                process::request_reschedule();
            }
            UART0_IRQ => {
                console::receive_interrupt();
                // A process waiting for input may wait on another CPU.
                process::wake_idle_cpus();
            }
            // Ends the WFI of an idle CPU; a CPU running a process reschedules on its way back
            // to user mode, where a kill or a signal sent from another CPU is noticed too.
            ipi::RESCHEDULE => process::request_reschedule(),
            ipi::WAKE => {}
            ipi::CALL => answer_call(),
            other => {
                log::warn!("unexpected interrupt {other}: disabled");
                GIC.disable(other);
            }
        }
        GIC.end_of_interrupt(iar);
    }
}
