//! In-kernel self-tests on the emulated CPU, reported in KTAP (Documentation/dev-tools/ktap).
//!
//! A case is a function that checks facts about the running kernel through a [`Test`]. A case
//! can declare the exception it is about to cause ([`Test::expect_exception`]): the exception
//! handler then hands that exception to the case instead of reporting it, and the case checks
//! what the CPU recorded (FSR, fault address, DACR). Any other exception, or a panic, during a
//! case prints `not ok` for it and a `Bail out!` line, and the run fails.
//!
//! The cases nest windows, fault inside them and read unlisted memory with the user domain
//! open, on purpose: `tools/windowcheck` analyses them but does not count what they break
//! (`windowcheck::EXEMPT_NAMESPACE`, `swpan::selftest::`). The exemption is only sound for
//! code that runs in self-tests alone, so what the rest of the kernel calls on every boot is
//! not exempt (`windowcheck::NOT_EXEMPT`): [`init`] with the `memory::init` it calls. The hook
//! that every exception handler and every fatal-error path calls is not here at all: it is
//! [`crate::expected_exception`]. Anything else production code comes to call belongs there
//! (or in that list).

mod exceptions;
mod fixture;
mod invariant_checks;
mod memory;
mod memory_routines;
mod mmu_tables;
mod multiprocessor;
mod ownership;
mod pan;
mod processes;
mod regressions;
mod seccomp;
mod uaccess;

pub use crate::expected_exception::{Caught, Resume, expect_nested, nested_caught};

use crate::arch::exception::ExceptionKind;
use crate::cmdline::TestHook;
use crate::expected_exception::{self as hook, Expected};
use crate::power::{self, ExitStatus};
use crate::println;
use core::fmt;

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
    memory_routines::CASES,
    ownership::CASES,
    pan::CASES,
    uaccess::CASES,
    processes::CASES,
    seccomp::CASES,
    regressions::CASES,
    invariant_checks::CASES,
    multiprocessor::CASES,
];

/// A case that fails on purpose (`test=failing-selftest`), to prove failures fail the run.
const FAILING_CASE: Case = Case { name: "selftest.fails_on_purpose", run: fails_on_purpose };

fn fails_on_purpose(test: &mut Test) {
    test.check_eq("1 + 1", 1 + 1, 3);
}

/// Boot, before init ends: lets the suites write their ro_after_init data. Every boot runs
/// it, so windowcheck checks it like the rest of the kernel.
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
    let (mut failed, mut skipped) = (0, 0);
    for (index, case) in cases().enumerate() {
        let number = index + 1;
        hook::enter_case(number, case.name);
        let mut test = Test { name: case.name, failed: false, skipped: None };
        (case.run)(&mut test);
        hook::leave_case();
        match (test.failed, test.skipped) {
            (true, _) => {
                failed += 1;
                println!("not ok {number} {}", case.name);
            }
            (false, Some(why)) => {
                skipped += 1;
                println!("ok {number} {} # SKIP {why}", case.name);
            }
            (false, None) => println!("ok {number} {}", case.name),
        }
    }
    if skipped == 0 {
        println!("# selftest: {} passed, {failed} failed", total - failed);
    } else {
        println!(
            "# selftest: {} passed, {failed} failed, {skipped} skipped",
            total - failed - skipped
        );
    }
    power::poweroff(if failed == 0 { ExitStatus::Success } else { ExitStatus::Failure })
}

/// The context of one running case.
pub struct Test {
    name: &'static str,
    failed: bool,
    skipped: Option<&'static str>,
}

impl Test {
    /// Records a failure with a diagnostic line.
    pub fn fail(&mut self, why: fmt::Arguments<'_>) {
        self.failed = true;
        println!("# {}: {why}", self.name);
    }

    /// Declares that the case cannot run here (KTAP's `# SKIP`), saying why: what it needs
    /// is missing from this boot, which is not a failure.
    pub fn skip(&mut self, why: &'static str) {
        self.skipped = Some(why);
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
        hook::expect(Expected {
            kind,
            resume,
            inside_handler,
            cpu: crate::arch::percpu::this_cpu(),
        });
        trigger();
        let (not_taken, caught) = hook::outcome();
        if not_taken {
            self.fail(format_args!("expected a {kind}, none was taken"));
        }
        caught
    }
}
