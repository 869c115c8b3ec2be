//! In-kernel self-tests on the emulated CPU, reported in KTAP (Documentation/dev-tools/ktap).
//!
//! A case is a function that checks facts about the running kernel through a [`Test`]. A case
//! can declare the exception it is about to cause ([`Test::expect_exception`]): the exception
//! handler then hands that exception to the case instead of reporting it, and the case checks
//! what the CPU recorded (FSR, fault address, DACR). Any other exception, or a panic, during a
//! case prints `not ok` for it and a `Bail out!` line, and the run fails.

mod exceptions;
mod fixture;
mod invariants;
mod memory;
mod mmu_tables;
mod pan;
mod processes;
mod regressions;
mod uaccess;

use crate::arch::exception::{self, Event, ExceptionKind};
use crate::arch::trap_frame::TrapFrame;
use crate::arch::{cpu, mmu};
use crate::cmdline::TestHook;
use crate::console::EmergencyWriter;
use crate::power::{self, ExitStatus};
use crate::println;
use crate::sync::IrqSafeLock;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicUsize, Ordering};

/// One self-test.
pub struct Case {
    /// The name printed in the KTAP result line.
    pub name: &'static str,
    /// The test.
    pub run: fn(&mut Test),
}

/// Every suite, in run order.
const SUITES: &[&[Case]] = &[
    exceptions::CASES,
    mmu_tables::CASES,
    memory::CASES,
    pan::CASES,
    uaccess::CASES,
    processes::CASES,
    regressions::CASES,
    invariants::CASES,
];

/// A case that fails on purpose (`test=failing-selftest`), to prove failures fail the run.
const FAILING_CASE: Case = Case { name: "selftest.fails_on_purpose", run: fails_on_purpose };

fn fails_on_purpose(test: &mut Test) {
    test.check_eq("1 + 1", 1 + 1, 3);
}

/// The number (1-based) of the case running now, 0 between cases.
static CURRENT_NUMBER: AtomicUsize = AtomicUsize::new(0);
/// Its name, valid while `CURRENT_NUMBER` is not 0.
static CURRENT_NAME: IrqSafeLock<&str> = IrqSafeLock::new("");

/// Boot, before init ends: lets the suites write their ro_after_init data.
pub fn init() {
    memory::init();
}

/// Runs every case, prints KTAP, and powers off: status 0 only if every case passed.
pub fn run(hook: Option<TestHook>) -> ! {
    let failing: &[Case] =
        if hook == Some(TestHook::FailingSelfTest) { &[FAILING_CASE] } else { &[] };
    let cases = || SUITES.iter().flat_map(|suite| suite.iter()).chain(failing.iter());
    let total = cases().count();

    println!("KTAP version 1");
    println!("1..{total}");
    let mut failed = 0;
    for (index, case) in cases().enumerate() {
        let number = index + 1;
        *CURRENT_NAME.lock() = case.name;
        CURRENT_NUMBER.store(number, Ordering::SeqCst);
        let mut test = Test { name: case.name, failed: false };
        (case.run)(&mut test);
        CURRENT_NUMBER.store(0, Ordering::SeqCst);
        if test.failed {
            failed += 1;
            println!("not ok {number} {}", case.name);
        } else {
            println!("ok {number} {}", case.name);
        }
    }
    println!("# selftest: {} passed, {failed} failed", total - failed);
    power::poweroff(if failed == 0 { ExitStatus::Success } else { ExitStatus::Failure })
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

/// The context of one running case.
pub struct Test {
    name: &'static str,
    failed: bool,
}

impl Test {
    /// Records a failure with a diagnostic line.
    pub fn fail(&mut self, why: fmt::Arguments<'_>) {
        self.failed = true;
        println!("# {}: {why}", self.name);
    }

    /// Fails the case unless `condition` holds.
    pub fn check(&mut self, what: &str, condition: bool) {
        if !condition {
            self.fail(format_args!("{what}: false"));
        }
    }

    /// Fails the case unless `actual == expected`, printing both.
    pub fn check_eq<T: PartialEq + fmt::Debug>(&mut self, what: &str, actual: T, expected: T) {
        if actual != expected {
            self.fail(format_args!("{what}: got {actual:x?}, expected {expected:x?}"));
        }
    }

    /// Runs `trigger`, which must raise exactly one exception of `kind`. The handler records
    /// it and resumes as `resume` says. Returns what it recorded; a missing exception fails the
    /// case.
    pub fn expect_exception(
        &mut self,
        kind: ExceptionKind,
        resume: Resume,
        trigger: impl FnOnce(),
    ) -> Option<Caught> {
        self.expect_exception_then(kind, resume, None, trigger)
    }

    /// As [`Test::expect_exception`], and runs `inside_handler` in the handler once the
    /// exception is recorded.
    pub fn expect_exception_then(
        &mut self,
        kind: ExceptionKind,
        resume: Resume,
        inside_handler: Option<fn()>,
        trigger: impl FnOnce(),
    ) -> Option<Caught> {
        *CAUGHT.lock() = None;
        *EXPECTED.lock() = Some(Expected { kind, resume, inside_handler });
        trigger();
        let not_taken = EXPECTED.lock().take();
        let caught = CAUGHT.lock().take();
        if not_taken.is_some() {
            self.fail(format_args!("expected a {kind}, none was taken"));
        }
        caught
    }
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

#[derive(Clone, Copy)]
struct Expected {
    kind: ExceptionKind,
    resume: Resume,
    /// Run inside the handler, after the exception is recorded: a way to nest a second
    /// exception inside the first.
    inside_handler: Option<fn()>,
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

/// The nested exception recorded while handling the first, taken (see [`expect_nested`]).
pub fn nested_caught() -> Option<Caught> {
    NESTED.lock().take()
}

/// Declares, from inside a handler, the exception the code about to run will raise (for the
/// nested-exception test): it is recorded like the first, in [`nested_caught`].
pub fn expect_nested(kind: ExceptionKind) {
    *EXPECTED.lock() =
        Some(Expected { kind, resume: Resume::NextInstruction, inside_handler: None });
}

/// Called by every exception handler first: if a case declared this kind of exception, takes
/// it (records it, moves the return address) and returns true.
pub fn catch_expected(frame: &mut TrapFrame, event: &Event) -> bool {
    let expected = match EXPECTED.try_lock() {
        Some(mut slot) => match *slot {
            Some(expected) if expected.kind == event.kind => slot.take(),
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
