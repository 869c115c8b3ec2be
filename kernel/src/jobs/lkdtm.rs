//! `lkdtm=NAME[,NAME...]`: runs each crash type in a fresh process, as
//! `echo NAME > /sys/kernel/debug/provoke-crash/DIRECT` would, and prints one summary line
//! per name:
//!
//! ```text
//! lkdtm: ACCESS_USERSPACE: blocked (page domain fault at 0x40000000)
//! lkdtm: ACCESS_USERSPACE: FAIL: survived bad read and bad write
//! ```
//!
//! On a board with several CPUs online, each crash type runs on each CPU in turn (its process
//! held there), and each line ends with the CPU: `... blocked (...) [CPU 2]`.
//!
//! Then powers off with 0 when every name was blocked, 1 when any failed, 2 for an unknown
//! name (before running anything).

use crate::lkdtm::{self, Survival, lkdtm_print};
use crate::power::{self, ExitStatus};
use crate::println;
use crate::process::{self, Cause, Death, KERNEL_PID};
use core::fmt;

/// How one crash type went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A kernel oops stopped it and killed its process.
    Blocked {
        /// The fault that stopped it.
        fault: crate::fault::FaultKind,
        /// Where.
        address: u32,
    },
    /// It ran to its end, or its process ended some other way.
    Failed(FailureReason),
    /// It does not apply to this platform (Linux's XFAIL): why. Not a failure.
    NotApplicable(&'static str),
}

/// Why a crash type counts as failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureReason {
    /// The crash type returned: what survived.
    Survived(&'static str),
    /// The process ended without an oops and without the crash type returning.
    Ended(Death),
    /// The process could not be started.
    NotStarted(crate::errno::Errno),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Blocked { fault, address } => {
                write!(f, "blocked ({fault} at {address:#010x})")
            }
            Outcome::Failed(FailureReason::Survived(what)) => write!(f, "FAIL: {what}"),
            Outcome::Failed(FailureReason::Ended(death)) => {
                write!(f, "FAIL: the process ended unexpectedly ({death:?})")
            }
            Outcome::Failed(FailureReason::NotStarted(errno)) => {
                write!(f, "FAIL: could not start a process ({errno})")
            }
            Outcome::NotApplicable(why) => write!(f, "XFAIL: {why}"),
        }
    }
}

/// Runs crash type `name` in a new child of the kernel and says how it went.
pub fn run_one(name: &str) -> Outcome {
    run_one_on(name, None)
}

/// [`run_one`], in a process held on the CPUs in `cpus` (bit n: CPU n) if it names some.
pub fn run_one_on(name: &str, cpus: Option<u32>) -> Outcome {
    let pid = match process::spawn_on("provoke", name, KERNEL_PID, cpus) {
        Ok(pid) => pid,
        Err(errno) => return Outcome::Failed(FailureReason::NotStarted(errno)),
    };
    let reaped = match process::wait(Some(pid)) {
        Ok(reaped) => reaped,
        Err(errno) => return Outcome::Failed(FailureReason::NotStarted(errno)),
    };
    match (reaped.death, reaped.lkdtm_survived) {
        (Death::Killed { cause: Cause::KernelOops { status, address, .. }, .. }, _) => {
            Outcome::Blocked { fault: status.kind(), address }
        }
        (_, Some(Survival::Survived(what))) => Outcome::Failed(FailureReason::Survived(what)),
        (_, Some(Survival::NotApplicable(why))) => Outcome::NotApplicable(why),
        (death, None) => Outcome::Failed(FailureReason::Ended(death)),
    }
}

/// Prints the summary line of one crash type.
pub fn print_summary(name: &str, outcome: &Outcome) {
    lkdtm_print!("{name}: {outcome}");
}

/// The `lkdtm=` job. `all` runs every crash type.
pub fn run(names: &str) -> ! {
    let all = alloc::vec::Vec::from_iter(lkdtm::names());
    let requested: alloc::vec::Vec<&str> =
        if names == "all" { all } else { names.split(',').collect() };
    let unknown = requested.iter().find(|name| lkdtm::find(name).is_none());
    if let Some(name) = unknown {
        lkdtm_print!("unknown crash type '{name}'");
        let mut valid = lkdtm::names();
        let first = valid.next().unwrap_or("");
        crate::print!("lkdtm: valid names: {first}");
        for name in valid {
            crate::print!(", {name}");
        }
        println!();
        power::poweroff(ExitStatus::Usage)
    }
    let mut failed = false;
    let online = process::affinity::online_cpus();
    if online == 1 {
        for name in requested {
            let outcome = run_one(name);
            print_summary(name, &outcome);
            failed |= matches!(outcome, Outcome::Failed(_));
        }
    } else {
        for cpu in (0..32).filter(|cpu| online & (1 << cpu) != 0) {
            for name in &requested {
                let outcome = run_one_on(name, Some(1 << cpu));
                lkdtm_print!("{name}: {outcome} [CPU {cpu}]");
                failed |= matches!(outcome, Outcome::Failed(_));
            }
        }
    }
    power::poweroff(if failed { ExitStatus::Failure } else { ExitStatus::Success })
}
