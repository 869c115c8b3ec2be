//! `ambient`: the case Linux v4.3's ambient capabilities were made for, run step by step.
//!
//! A daemon must not run as root but needs one capability (here CAP_SYSLOG) in the helper
//! programs it executes, and those helpers are ordinary files: no set-id bit, no file
//! capabilities. The program plays the daemon: root prepares it (keep-caps, switch to
//! `nobody`, one capability in P, E and I), it raises that capability into its ambient set and
//! runs `/bin/dmesg`, which works. Then the same helper with the ambient set empty (what any
//! plain user gets): EPERM. Last, the way before v4.3: `/bin/klogread`, a copy of dmesg
//! carrying `cap_syslog=ep` as a file capability, works for the plain user too, but every
//! helper needs its own marked copy. Each step prints the capability lines of `status`.
//!
//! Must start as root (uid 0 with a full permitted set); exits 1 if a step fails.

#![no_std]
#![no_main]

use swpan_user::abi::capability::SYSLOG;
use swpan_user::abi::capability_text::CapState;
use swpan_user::abi::signal;
use swpan_user::abi::{Errno, ExitInfo, ProcessStatus};
use swpan_user::{capability, println, syscall, users};

swpan_user::main!(run);

fn run(_: &str) -> i32 {
    match demonstrate() {
        Ok(()) => 0,
        Err(failure) => {
            println!("ambient: {failure}");
            1
        }
    }
}

/// A failed step: what was tried and the error.
struct Failure {
    step: &'static str,
    errno: Option<Errno>,
}

impl core::fmt::Display for Failure {
    fn fmt(&self, out: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.errno {
            Some(errno) => write!(out, "{} failed: {}", self.step, errno.name()),
            None => write!(out, "{}", self.step),
        }
    }
}

/// Turns an errno into a [`Failure`] naming `step`.
fn step<T>(result: Result<T, Errno>, step: &'static str) -> Result<T, Failure> {
    result.map_err(|errno| Failure { step, errno: Some(errno) })
}

fn demonstrate() -> Result<(), Failure> {
    let daemon = users::by_name("nobody").expect("nobody is in the user database");
    let syslog = 1u64 << SYSLOG;
    if syscall::geteuid() != 0 {
        return Err(Failure { step: "must start as root (uid 0)", errno: None });
    }

    println!("[1] root starts the daemon; it keeps its permitted set across the uid change");
    println!("    prctl(PR_SET_KEEPCAPS, 1); setresgid({0}); setresuid({0})", daemon.uid);
    step(capability::set_keepcaps(true), "PR_SET_KEEPCAPS")?;
    step(syscall::setresgid(daemon.gid, daemon.gid, daemon.gid), "setresgid")?;
    step(syscall::setresuid(daemon.uid, daemon.uid, daemon.uid), "setresuid")?;
    show()?;

    println!("[2] the daemon keeps only CAP_SYSLOG, in P, E and I");
    println!("    capset(E = P = I = cap_syslog)");
    let only_syslog = CapState { effective: syslog, permitted: syslog, inheritable: syslog };
    step(capability::capset(&only_syslog), "capset")?;
    show()?;

    println!("[3] and raises it into its ambient set (needs it in P and I)");
    println!("    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYSLOG)");
    step(capability::ambient_set(SYSLOG, true), "PR_CAP_AMBIENT_RAISE")?;
    show()?;

    println!("[4] the daemon runs its helper /bin/dmesg, a plain file (no set-id bit, no file");
    println!("    capabilities): P' = A, E' = A, so the helper holds CAP_SYSLOG");
    expect(run_helper("/bin/dmesg")?, 0)?;

    println!("[5] the same helper with the ambient set empty, as any plain user runs it");
    println!("    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)");
    step(capability::ambient_clear(), "PR_CAP_AMBIENT_CLEAR_ALL")?;
    show()?;
    expect(run_helper("/bin/dmesg")?, 1)?;

    println!("[6] before v4.3: a copy of the helper marked with a file capability,");
    println!("    /bin/klogread cap_syslog=ep, works for the plain user too: P' = fP, E' = P'");
    expect(run_helper("/bin/klogread")?, 0)?;

    println!("ambient: with v4.3 the daemon hands CAP_SYSLOG to an unmodified helper; before it,");
    println!("ambient: every helper needed its own file capabilities.");
    Ok(())
}

/// Prints the identity and capability lines of the daemon's `status`.
fn show() -> Result<(), Failure> {
    let status = step(syscall::getstatus(), "getstatus")?;
    println!(
        "    Uid:\t{}\t{}\t{}\t{}",
        status.uid[0], status.uid[1], status.uid[2], status.uid[3]
    );
    for (label, set) in [
        ("CapInh", status.cap_inheritable),
        ("CapPrm", status.cap_permitted),
        ("CapEff", status.cap_effective),
        ("CapAmb", status.cap_ambient),
    ] {
        println!("    {label}:\t{:016x}", ProcessStatus::join(set));
    }
    Ok(())
}

/// Runs `path` in a child, waits for it and prints how it ended.
fn run_helper(path: &str) -> Result<ExitInfo, Failure> {
    println!("    $ {path}");
    let pid = step(syscall::spawn_argv(path, &[path]), "spawn")?;
    let info = step(syscall::wait(Some(pid)), "wait")?;
    if info.how == ExitInfo::KILLED {
        let signal_number = info.status as u32;
        println!("    {path}: killed by signal {signal_number} ({})", signal::name(signal_number));
    } else {
        println!("    {path}: exited with status {}", info.status);
    }
    Ok(info)
}

/// Fails unless the helper exited with `status`.
fn expect(info: ExitInfo, status: i32) -> Result<(), Failure> {
    if info.how == ExitInfo::EXITED && info.status == status {
        Ok(())
    } else {
        Err(Failure { step: "the helper did not end as the rules say", errno: None })
    }
}
