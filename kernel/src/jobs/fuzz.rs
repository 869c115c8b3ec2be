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
//! The counts are of every system call made while the job runs: the fuzzer's, and the `exit`
//! of the children it starts (which has no result, so it is in no count). Before them the
//! fuzzer prints how many of its `spawn`, `wait` and `kill` calls succeeded.
//!
//! An oops kills the fuzzer; the job counts it, ends and collects the children it left, and
//! starts a new fuzzer at the call after the one that oopsed (each call is a function of the
//! seed, its index and the fuzzer's children). Window leaks and every other DACR invariant
//! come from [`crate::invariants`]. Powers off with 0 only if there were no oopses, no window
//! leaks, no other invariant violation and the fuzzer never died another way.

use crate::errno::Errno;
use crate::invariants;
use crate::power::{self, ExitStatus};
use crate::println;
use crate::process::{self, Cause, Death, KERNEL_PID, Pid, State};
use crate::syscall::statistics;
use alloc::vec::Vec;

/// The `fuzz=` job.
pub fn run(seed: u64, count: u64) -> ! {
    let before = invariants::counters();
    statistics::start();
    let mut start = 0u64;
    let mut oopses = 0u32;
    let mut deaths = 0u32;
    while start < count {
        let argument = alloc::format!("{seed} {start} {count}");
        let results_before = results();
        let reaped = match process::spawn("fuzz", &argument, KERNEL_PID)
            .and_then(|pid| process::wait(Some(pid)))
        {
            Ok(reaped) => reaped,
            Err(errno) => {
                println!("fuzz: could not run the fuzzer: {errno}");
                power::poweroff(ExitStatus::Fatal)
            }
        };
        // Only the fuzzer's calls have results (its children make one call, `exit`). Its own
        // first call is getpid; the rest are fuzz calls: `completed` of them returned, and
        // the call after them, if it was entered, killed it.
        let completed = u64::from(results() - results_before).saturating_sub(1);
        match reaped.death {
            Death::Exited(0) => {
                // A spinner the fuzzer could no longer signal may be left.
                end_orphans();
                break;
            }
            Death::Killed { cause: Cause::KernelOops { .. }, .. } => {
                oopses += 1;
                println!("fuzz: call {} oopsed; going on after it", start + completed);
            }
            death => {
                deaths += 1;
                println!(
                    "fuzz: the fuzzer died at call {}: {death:?}; going on after it",
                    start + completed
                );
            }
        }
        start += completed + 1;
        end_orphans();
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

/// System calls that returned, successes and failures, since the counts started.
fn results() -> u32 {
    statistics::successes() + (1..64).map(statistics::failures).sum::<u32>()
}

/// Ends and collects the children a dead fuzzer left, which are now the kernel's: its
/// spinner would run for ever. A blocked process is left alone: it takes no processor time,
/// and collecting it could wait for ever.
fn end_orphans() {
    let orphans: Vec<(Pid, State)> = process::census()
        .into_iter()
        .filter(|(pid, _, state)| *pid != KERNEL_PID && !matches!(state, State::Blocked(_)))
        .map(|(pid, _, state)| (pid, state))
        .collect();
    for &(pid, state) in &orphans {
        if state != State::Zombie {
            let _ = process::kill(pid);
        }
    }
    for &(pid, _) in &orphans {
        let _ = process::wait(Some(pid));
    }
}
