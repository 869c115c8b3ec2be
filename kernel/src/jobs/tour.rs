//! `tour` (the default job, `make run`): a guided demonstration, non-interactive.
//!
//! 1. the memory map, with each region's domain and what the DACR gives it in kernel mode;
//! 2. a user process whose system calls copy through the window, with the DACR at each step;
//! 3. lkdtm ACCESS_USERSPACE and EXEC_USERSPACE, each in its own process;
//! 4. lkdtm ACCESS_USERSPACE_LINEAR (ret2dir): the same user page reached through its alias in
//!    the kernel's linear map, which PAN does not cover and exclusive page-frame ownership
//!    (`xpfo=on`) removes;
//! 6. with `vulnerable=ops` (as `make run` boots it): a privilege escalation, `/bin/escalate`
//!    run by the student against the deliberately vulnerable driver: a fake operations table
//!    in user memory, which only PAN stops (docs/course/14-privilege-escalation.md);
//! 7. a summary table.
//!
//! With `pan=off` (and `pxn=off`, `xpfo=off`) the same tour shows the attacks succeeding. It
//! powers off with 0 when every attack ended as this boot's protections say it must (blocked
//! when the protection that covers it is on, successful when it is off), 1 otherwise.

use super::lkdtm::{FailureReason, Outcome, print_summary, run_one};
use crate::arch::mmu;
use crate::domain;
use crate::memory_map::{DEVICE_WINDOWS, RAM_BASE, RAM_END, USER_END, USER_START, VECTORS};
use crate::mm::Protections;
use crate::power::{self, ExitStatus};
use crate::println;
use crate::process::arguments::Arguments;
use crate::process::{self, Cause, Death, KERNEL_PID};

/// The escalation's name in the summary tables.
const ESCALATION: &str = "escalate (fake ops)";

fn step(number: u32, what: &str) {
    println!();
    println!("== Step {number}: {what}");
}

fn print_memory_map() {
    let dacr = mmu::read_dacr();
    let line = |start: usize, end: usize, what: &str, domain: Option<domain::Domain>| match domain {
        Some(number) => println!(
            "  {start:#010x}-{:#010x}  {what:<26} domain {number} {:<8} kernel mode: {}",
            end - 1,
            domain::name(number),
            domain::access_of(dacr, number).name()
        ),
        None => println!(
            "  {start:#010x}-{:#010x}  {what:<26} (unmapped: every access faults)",
            end - 1
        ),
    };
    line(0, USER_START, "NULL gap (mmap_min_addr)", None);
    line(USER_START, USER_END, "user memory (TTBR0)", Some(domain::USER));
    line(RAM_BASE, RAM_END, "RAM and the kernel (TTBR1)", Some(domain::KERNEL));
    let devices_start = DEVICE_WINDOWS[0].virtual_address;
    let devices_end = DEVICE_WINDOWS
        .iter()
        .map(|window| window.virtual_address + window.size)
        .max()
        .unwrap_or(devices_start);
    line(devices_start, devices_end, "devices", Some(domain::IO));
    line(VECTORS, VECTORS + 0x1000, "exception vectors", Some(domain::VECTORS));
    println!(
        "  DACR in kernel mode: {dacr:#04x}; in user mode and inside a uaccess window: {:#04x}",
        domain::DACR_USER
    );
}

fn run_user_process() -> bool {
    match process::spawn("tour", "", KERNEL_PID).and_then(|pid| process::wait(Some(pid))) {
        Ok(reaped) if reaped.death == Death::Exited(0) => true,
        Ok(reaped) => {
            println!("tour: the user process ended badly: {:?}", reaped.death);
            false
        }
        Err(errno) => {
            println!("tour: could not run the user process: {errno}");
            false
        }
    }
}

/// Runs `/bin/escalate` as the student (`capsh --user=student -- -c escalate`), a child of
/// the kernel: blocked when an oops killed it, failed (the student became root) when it
/// exited with 0, which it does only after running its root shell.
fn run_escalation() -> Outcome {
    let words = ["capsh", "--user=student", "--", "-c", "escalate"];
    let started = Arguments::from_words(words)
        .and_then(|argv| process::spawn_with("capsh", &argv, KERNEL_PID))
        .and_then(|pid| process::wait(Some(pid)));
    let outcome = match started {
        Ok(reaped) => match reaped.death {
            Death::Killed { cause: Cause::KernelOops { status, address, .. }, .. } => {
                Outcome::Blocked { fault: status.kind(), address }
            }
            Death::Exited(0) => Outcome::Failed(FailureReason::Survived("the student became root")),
            death => Outcome::Failed(FailureReason::Ended(death)),
        },
        Err(errno) => Outcome::Failed(FailureReason::NotStarted(errno)),
    };
    println!("tour: {ESCALATION}: {outcome}");
    outcome
}

/// The `tour` job.
pub fn run(protections: Protections) -> ! {
    let pxn = crate::mm::address_space::privileged_execute_never();
    println!();
    println!(
        "swpan tour: how a kernel keeps user memory out of its own reach (PAN {}, PXN {}, XPFO {})",
        on_off(protections.pan),
        on_off(pxn),
        on_off(protections.xpfo)
    );

    step(1, "the memory map. Every user page is in domain 1; nothing of the kernel is.");
    print_memory_map();

    step(2, "a user process. Its system calls reach its memory only through the uaccess window.");
    let user_process_ran = run_user_process();

    let attacks: [(&str, &str, &str, bool); 3] = [
        (
            "ACCESS_USERSPACE",
            "the kernel reads and writes a user page with plain loads and stores (a kernel bug following a user pointer).",
            "",
            protections.pan,
        ),
        (
            "EXEC_USERSPACE",
            "the kernel calls code in a user page (a ret2usr exploit).",
            "",
            protections.pan || pxn,
        ),
        (
            "ACCESS_USERSPACE_LINEAR",
            "the kernel reads and writes a user page through its linear-map alias (ret2dir).",
            "  The alias is a kernel address in domain 0, which PAN leaves open. XPFO (exclusive \
             page-frame\n  ownership) takes a frame out of the linear map while a process owns it; \
             xpfo=off leaves it there.",
            protections.xpfo,
        ),
    ];
    let mut outcomes = [None, None, None];
    for (index, (name, what, note, protected)) in attacks.iter().enumerate() {
        step(3 + index as u32, &alloc::format!("lkdtm {name}: {what}"));
        if !note.is_empty() {
            println!("{note}");
        }
        let outcome = run_one(name);
        print_summary(name, &outcome);
        outcomes[index] = Some((outcome, *protected));
    }
    let mut summary_step = 6;
    let escalation = crate::lkdtm::vulnerable_ops::enabled().then(|| {
        step(
            6,
            "a privilege escalation. The student hands the deliberately vulnerable driver \
             (vulnerable=ops) a fake\n  operations table in user memory whose handler is the \
             kernel's commit_root_credentials.",
        );
        println!("  No user code runs, so PXN cannot help; the table is user data, so PAN can.");
        summary_step = 7;
        (run_escalation(), protections.pan)
    });

    step(summary_step, "summary.");
    println!("  {:<24} {:<16} {:<9} {}", "attack", "protection", "expected", "observed");
    let mut as_expected = user_process_ran;
    for ((name, _, _, _), outcome) in attacks.iter().zip(outcomes) {
        let Some((outcome, protected)) = outcome else { continue };
        let blocked = matches!(outcome, Outcome::Blocked { .. });
        let protection = match (*name, protections.pan, pxn) {
            ("ACCESS_USERSPACE_LINEAR", _, _) if protections.xpfo => "XPFO (ownership)",
            ("ACCESS_USERSPACE_LINEAR", _, _) => "none",
            ("EXEC_USERSPACE", false, true) => "PXN",
            (_, true, _) => "PAN (DACR)",
            _ => "none",
        };
        let expected = if protected { "blocked" } else { "succeeds" };
        as_expected &= blocked == protected;
        println!("  {name:<24} {protection:<16} {expected:<9} {outcome}");
    }
    if let Some((outcome, protected)) = escalation {
        let blocked = matches!(outcome, Outcome::Blocked { .. });
        let (protection, expected) =
            if protected { ("PAN (DACR)", "blocked") } else { ("none", "succeeds") };
        as_expected &= blocked == protected;
        println!("  {ESCALATION:<24} {protection:<16} {expected:<9} {outcome}");
    }
    println!();
    if as_expected {
        println!("swpan tour: every attack ended as the protections say it must.");
        power::poweroff(ExitStatus::Success)
    } else {
        println!("swpan tour: an attack did not end as the protections say it must.");
        power::poweroff(ExitStatus::Failure)
    }
}

fn on_off(flag: bool) -> &'static str {
    if flag { "on" } else { "off" }
}
