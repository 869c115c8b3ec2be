//! Expected exceptions: how a self-test declares the exception it is about to cause, and how
//! the exception handlers and the fatal-error paths hand it over.
//!
//! Every exception handler calls [`catch_expected`] first, and every oops, panic and
//! unexpected exception calls [`abandon_current`], in every boot, self-test or not: production
//! code, below the trap policy and the oops path that call it, and outside the `selftest`
//! namespace that `tools/windowcheck` exempts (the self-test cases nest windows and fault
//! inside them on purpose; this module does not). Nothing here opens a window.

use crate::arch::exception::{self, ExceptionKind};
use crate::arch::percpu::this_cpu;
use crate::arch::trap_frame::TrapFrame;
use crate::arch::{cpu, mmu};
use crate::console::EmergencyWriter;
use crate::fault::Event;
use crate::sync::IrqSafeLock;
use core::fmt::Write;
use core::sync::atomic::{AtomicUsize, Ordering};

/// The number (1-based) of the case running now, 0 between cases.
static CURRENT_NUMBER: AtomicUsize = AtomicUsize::new(0);
/// Its name, valid while `CURRENT_NUMBER` is not 0.
static CURRENT_NAME: IrqSafeLock<&str> = IrqSafeLock::new("");

/// Records that case `number`, called `name`, starts running.
pub(super) fn enter_case(number: usize, name: &'static str) {
    *CURRENT_NAME.lock() = name;
    CURRENT_NUMBER.store(number, Ordering::SeqCst);
}

/// Records that the running case has returned.
pub(super) fn leave_case() {
    CURRENT_NUMBER.store(0, Ordering::SeqCst);
}

/// Called on the way to a fatal report: if a case is running, marks it failed and stops the
/// run, so the KTAP output says which case died.
pub fn abandon_current(reason: &str) {
    let number = CURRENT_NUMBER.swap(0, Ordering::SeqCst);
    if number == 0 {
        return;
    }
    let name = CURRENT_NAME.try_lock().map(|name| *name).unwrap_or("?");
    let _ = writeln!(EmergencyWriter, "not ok {number} {name} # {reason}");
    let _ = writeln!(EmergencyWriter, "Bail out! {reason}");
}

/// Where the interrupted code continues after an expected exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// At the instruction after the one that raised it.
    NextInstruction,
    /// At the interrupted context's link register: for a call that branched into a bad
    /// address, the return from that call.
    ReturnAddress,
}

/// An exception a case declared it is about to cause.
#[derive(Clone, Copy)]
pub(super) struct Expected {
    /// Its kind.
    pub(super) kind: ExceptionKind,
    /// Where to continue after it.
    pub(super) resume: Resume,
    /// Run inside the handler, after the exception is recorded: a way to nest a second
    /// exception inside the first.
    pub(super) inside_handler: Option<fn()>,
    /// The CPU that declared it: only an exception on that CPU is taken for it (another CPU's
    /// tick or fault at the same moment is its own).
    pub(super) cpu: u32,
}

/// What the handler saw of an expected exception.
#[derive(Clone, Copy, Debug)]
pub struct Caught {
    /// The exception, with its fault status and address.
    pub event: Event,
    /// The preferred return address in the trap frame (the faulting instruction for aborts).
    pub pc: u32,
    /// The interrupted context's CPSR.
    pub spsr: u32,
    /// The CPSR the handler ran with.
    pub handler_cpsr: u32,
    /// The DACR of the interrupted context (saved in the trap frame).
    pub interrupted_dacr: u32,
    /// The DACR the handler ran with.
    pub handler_dacr: u32,
}

static EXPECTED: IrqSafeLock<Option<Expected>> = IrqSafeLock::new(None);
static CAUGHT: IrqSafeLock<Option<Caught>> = IrqSafeLock::new(None);
static NESTED: IrqSafeLock<Option<Caught>> = IrqSafeLock::new(None);

/// Declares the exception the code about to run will raise, forgetting any caught before.
pub(super) fn expect(expected: Expected) {
    *CAUGHT.lock() = None;
    *EXPECTED.lock() = Some(expected);
}

/// After the code that was to raise it: whether the declared exception was never taken, and
/// what the handler recorded.
pub(super) fn outcome() -> (bool, Option<Caught>) {
    let not_taken = EXPECTED.lock().take().is_some();
    (not_taken, CAUGHT.lock().take())
}

/// The nested exception recorded while handling the first, taken (see [`expect_nested`]).
pub fn nested_caught() -> Option<Caught> {
    NESTED.lock().take()
}

/// Declares, from inside a handler, the exception the code about to run will raise (for the
/// nested-exception test): it is recorded like the first, in [`nested_caught`].
pub fn expect_nested(kind: ExceptionKind) {
    *EXPECTED.lock() = Some(Expected {
        kind,
        resume: Resume::NextInstruction,
        inside_handler: None,
        cpu: this_cpu(),
    });
}

/// Called by every exception handler first: if a case declared this kind of exception, takes
/// it (records it, moves the return address) and returns true.
pub fn catch_expected(frame: &mut TrapFrame, event: &Event) -> bool {
    let expected = match EXPECTED.try_lock() {
        Some(mut slot) => match *slot {
            Some(expected) if expected.kind == event.kind && expected.cpu == this_cpu() => {
                slot.take()
            }
            _ => None,
        },
        None => None,
    };
    let Some(expected) = expected else {
        return false;
    };
    let caught = Caught {
        event: *event,
        pc: frame.pc,
        spsr: frame.spsr,
        handler_cpsr: cpu::cpsr(),
        interrupted_dacr: exception::interrupted_dacr(frame),
        handler_dacr: mmu::read_dacr(),
    };
    if let Some(mut slot) = CAUGHT.try_lock() {
        if slot.is_some() {
            // A second exception while the first is being handled: the nested-exception test.
            *NESTED.lock() = Some(caught);
        } else {
            *slot = Some(caught);
        }
    }
    if let Some(action) = expected.inside_handler {
        action();
    }
    frame.pc = match expected.resume {
        Resume::NextInstruction => {
            frame.pc.wrapping_add(if frame.psr().is_thumb() { 2 } else { 4 })
        }
        Resume::ReturnAddress => frame.lr(),
    };
    true
}
