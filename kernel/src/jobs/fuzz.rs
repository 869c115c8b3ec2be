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
//! With several CPUs online, one fuzzer runs on each CPU at once (held there), each with its
//! own share of the COUNT calls of the same SEED: together they make the calls one fuzzer
//! would, while the others run.
//!
//! An oops kills a fuzzer; the job counts it, ends and collects the children it left, and
//! starts a new fuzzer on that CPU at the call after the one that oopsed (each call is a
//! function of the seed, its index and the fuzzer's children). Window leaks and every other
//! DACR invariant come from [`crate::invariants`]. Powers off with 0 only if there were no
//! oopses, no window leaks, no other invariant violation and no fuzzer died another way.

use crate::errno::Errno;
use crate::invariants;
use crate::power::{self, ExitStatus};
use crate::println;
use crate::process::{self, Cause, Death, KERNEL_PID, Pid};
use crate::syscall::statistics;
use alloc::vec::Vec;

/// One fuzzer and the calls it still has to make.
struct Worker {
    /// Its CPU (its process is held there).
    cpu: u32,
    /// Its process, while one runs.
    pid: Option<Pid>,
    /// The index of the first call its process makes.
    start: u64,
    /// One past its last call.
    end: u64,
    /// The calls that had returned on its CPU when its process started.
    results_before: u32,
}

impl Worker {
    /// Starts a fuzzer for calls `start..end` of `seed` on the worker's CPU.
    fn start(&mut self, seed: u64, online: u32) {
        let argument = alloc::format!("{seed} {} {}", self.start, self.end);
        self.results_before = statistics::results_on(self.cpu);
        let cpus = if online == 1 { None } else { Some(1 << self.cpu) };
        match process::spawn_on("fuzz", &argument, KERNEL_PID, cpus) {
            Ok(pid) => self.pid = Some(pid),
            Err(errno) => {
                println!("fuzz: could not run the fuzzer: {errno}");
                power::poweroff(ExitStatus::Fatal)
            }
        }
    }
}

/// The `fuzz=` job.
pub fn run(seed: u64, count: u64) -> ! {
    let before = invariants::counters();
    statistics::start();
    let online = process::affinity::online_cpus();
    let cpus: Vec<u32> = (0..32).filter(|cpu| online & (1 << cpu) != 0).collect();
    let share = count / cpus.len() as u64;
    let mut workers: Vec<Worker> = cpus
        .iter()
        .enumerate()
        .map(|(index, &cpu)| Worker {
            cpu,
            pid: None,
            start: share * index as u64,
            end: if index + 1 == cpus.len() { count } else { share * (index as u64 + 1) },
            results_before: 0,
        })
        .collect();
    if cpus.len() > 1 {
        println!("fuzz: {} fuzzers, one on each CPU", cpus.len());
    }
    for worker in workers.iter_mut().filter(|worker| worker.start < worker.end) {
        worker.start(seed, online);
    }
    let mut oopses = 0u32;
    let mut deaths = 0u32;
    while workers.iter().any(|worker| worker.pid.is_some()) {
        let reaped = match process::wait(None) {
            Ok(reaped) => reaped,
            Err(errno) => {
                println!("fuzz: could not wait for the fuzzers: {errno}");
                power::poweroff(ExitStatus::Fatal)
            }
        };
        let Some(worker) = workers.iter_mut().find(|worker| worker.pid == Some(reaped.pid)) else {
            continue;
        };
        worker.pid = None;
        // Only the fuzzer's calls have results (its children, on its CPU, make one call,
        // `exit`). Its own first call is getpid; the rest are fuzz calls: `completed` of them
        // returned, and the call after them, if it was entered, killed it.
        let completed =
            u64::from(statistics::results_on(worker.cpu) - worker.results_before).saturating_sub(1);
        match reaped.death {
            Death::Exited(0) => continue,
            Death::Killed { cause: Cause::KernelOops { .. }, .. } => {
                oopses += 1;
                println!("fuzz: call {} oopsed; going on after it", worker.start + completed);
            }
            death => {
                deaths += 1;
                println!(
                    "fuzz: the fuzzer died at call {}: {death:?}; going on after it",
                    worker.start + completed
                );
            }
        }
        worker.start += completed + 1;
        end_orphans();
        if worker.start < worker.end {
            worker.start(seed, online);
        }
    }
    // A spinner a fuzzer could no longer signal may be left.
    end_orphans();
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

/// Ends the children a dead fuzzer left, which the kernel adopted (and frees when they end):
/// its spinner would run for ever. A blocked one is left alone: it takes no processor time.
/// The other fuzzers' children are theirs, not touched.
fn end_orphans() {
    for pid in process::live_processes(|process| process.adopted() && !process.blocked()) {
        let _ = process::kill(pid);
    }
}
