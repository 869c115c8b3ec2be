//! `fuzz=SEED,COUNT` (`make fuzz`): runs the fuzzer program for COUNT system calls from SEED
//! and reports what the kernel did with them:
//!
//! ```text
//! fuzz: ok 51234
//! fuzz: EFAULT 98765
//! ...
//! fuzz: 200000 syscalls, 0 oopses, 0 window leaks
//! ```
//!
//! An oops kills the fuzzer; the job counts it and starts a new fuzzer at the call after the
//! one that oopsed (each call is a function of the seed and its index). Window leaks and
//! every other DACR invariant come from [`crate::invariants`]. Powers off with 0 only if
//! there were no oopses, no window leaks, no other invariant violation and the fuzzer never
//! died another way.

use crate::errno::Errno;
use crate::invariants;
use crate::power::{self, ExitStatus};
use crate::println;
use crate::process::{self, Cause, Death, KERNEL_PID};
use crate::syscall::statistics;

/// The `fuzz=` job.
pub fn run(seed: u64, count: u64) -> ! {
    let before = invariants::counters();
    statistics::start();
    let mut start = 0u64;
    let mut oopses = 0u32;
    let mut deaths = 0u32;
    while start < count {
        let argument = alloc::format!("{seed} {start} {count}");
        let calls_before = statistics::calls();
        let reaped = match process::spawn("fuzz", &argument, KERNEL_PID)
            .and_then(|pid| process::wait(Some(pid)))
        {
            Ok(reaped) => reaped,
            Err(errno) => {
                println!("fuzz: could not run the fuzzer: {errno}");
                power::poweroff(ExitStatus::Fatal)
            }
        };
        // The fuzzer's own first call is getpid; the rest are fuzz calls, the last one the
        // call that killed it, if one did.
        let made = u64::from(statistics::calls() - calls_before).saturating_sub(1);
        match reaped.death {
            Death::Exited(0) => break,
            Death::Killed { cause: Cause::KernelOops { .. }, .. } => {
                oopses += 1;
                println!("fuzz: call {} oopsed; going on after it", start + made.saturating_sub(1));
                start += made.max(1);
            }
            death => {
                deaths += 1;
                println!(
                    "fuzz: the fuzzer died after call {}: {death:?}; going on after it",
                    start + made
                );
                start += made.max(1);
            }
        }
    }
    println!("fuzz: ok {}", statistics::successes());
    for number in 1..64 {
        let failures = statistics::failures(number);
        if failures > 0 {
            let name = Errno::from_number(number).map_or("E?", |errno| errno.name());
            println!("fuzz: {name} {failures}");
        }
    }
    let after = invariants::counters();
    let leaks = after.window_leaks - before.window_leaks;
    let other = (after.entry_violations - before.entry_violations)
        + (after.switch_violations - before.switch_violations);
    if other > 0 {
        println!("fuzz: {other} other DACR invariant violations");
    }
    println!("fuzz: {count} syscalls, {oopses} oopses, {leaks} window leaks");
    let clean = oopses == 0 && leaks == 0 && other == 0 && deaths == 0;
    power::poweroff(if clean { ExitStatus::Success } else { ExitStatus::Failure })
}
