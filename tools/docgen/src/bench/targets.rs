//! The cost targets, each judged against the measured counts.
//!
//! Two are set by Linux's `CONFIG_CPU_SW_DOMAIN_PAN` on ARMv7: its window is seven
//! instructions (open: `mrc`, `bic`, `orr`, `mcr`, `isb`; close: `mcr`, `isb`), and its user
//! entry and exit add five (`mov`, `mcr`, `isb`; `mov`, `mcr`). The copy target asks that a
//! 4 KiB `copy_from_user` cost at most 2% more than the kernel's own `memcpy`. The rest ask
//! to be ahead of Linux measured on the same board ([`super::linux`]): a null system call
//! with PAN and the invariant checks on in at most 140 (Linux: 146 to 148), the kernel's
//! `memcpy` at Linux's count or under at 8 B, 4 KiB and 64 KiB, and a 4 KiB `clear_user`
//! under Linux's.

use std::fmt;

use super::decimal;
use super::metrics::Metrics;

/// The most instructions opening and closing the window may take (Linux: 7).
pub const WINDOW_LIMIT: u64 = 6;
/// The copy target's factor, in percent: `copy_from_user_4096 <= 1.02 x memcpy_4096`.
pub const COPY_LIMIT_PERCENT: u64 = 102;
/// The copy size the copy target is judged at, in bytes.
pub const COPY_TARGET_SIZE: u32 = 4096;
/// The most instructions PAN may add to a null system call (Linux: 5).
pub const SYSCALL_OVERHEAD_LIMIT: i128 = 5;

/// Whether a target holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The measurement is within the limit.
    Met,
    /// The measurement exceeds the limit.
    Missed,
    /// A count the target needs is absent.
    NotMeasured,
}

impl fmt::Display for Verdict {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Met => "met",
            Self::Missed => "missed",
            Self::NotMeasured => "not measured",
        })
    }
}

impl Verdict {
    /// `Met` when `holds`, `Missed` otherwise.
    fn from_holds(holds: bool) -> Self {
        if holds { Self::Met } else { Self::Missed }
    }
}

/// One target, judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The rule, in the metrics' names: `window_open_close <= 6`.
    pub rule: &'static str,
    /// The measured left-hand side.
    pub measured: String,
    /// The limit it is held to (two decimals when it is a product).
    pub limit: String,
    /// Whether it holds.
    pub verdict: Verdict,
    /// Where the limit comes from.
    pub reference: &'static str,
}

/// The most instructions an allow-all seccomp filter may add to a null system call.
pub const SECCOMP_ALLOW_ALL_LIMIT: i128 = 25;
/// The most instructions the seccomp interpreter may spend per filter instruction, in
/// hundredths (10.00).
pub const SECCOMP_PER_INSTRUCTION_LIMIT_HUNDREDTHS: u128 = 1000;

/// The most instructions a null system call may take with PAN and the invariant checks on.
pub const NULL_SYSCALL_LIMIT: u64 = 140;

/// The `memcpy` sizes held to Linux's count, in bytes.
pub const MEMCPY_TARGET_SIZES: [u32; 3] = [8, 4096, 65536];

/// The `clear_user` size held under Linux's count, in bytes.
pub const CLEAR_USER_TARGET_SIZE: u32 = 4096;

/// Judges every target, in a fixed order: window, copy, system call, the ones against Linux's
/// figures, then the two seccomp targets when the run measured seccomp at all.
pub fn evaluate(metrics: &Metrics) -> Vec<Target> {
    let mut targets = vec![window_target(metrics), copy_target(metrics), syscall_target(metrics)];
    targets.push(at_most(
        "null_syscall_pan_on <= 140",
        Some(metrics.null_syscall_pan_on),
        NULL_SYSCALL_LIMIT,
        "Linux: 146 (the same bench ELF; 148 in a loop of getpid)",
    ));
    for (size, rule) in MEMCPY_TARGET_SIZES.into_iter().zip([
        "memcpy_8 <= 34",
        "memcpy_4096 <= 681",
        "memcpy_65536 <= 10281",
    ]) {
        let name = format!("memcpy_{size}");
        let linux = super::linux::figure(&name).unwrap_or(0);
        targets.push(at_most(
            rule,
            metrics.copy(size).and_then(|copies| copies.memcpy),
            linux,
            "Linux: its memcpy of the same size",
        ));
    }
    let linux_clear = super::linux::figure("clear_user_4096").unwrap_or(0);
    targets.push(at_most(
        "clear_user_4096 < 2085",
        metrics.copy(CLEAR_USER_TARGET_SIZE).and_then(|copies| copies.clear_user),
        linux_clear.saturating_sub(1),
        "Linux: 2085 (its clear_user, 4 KiB)",
    ));
    if !metrics.seccomp.is_empty() {
        targets.push(seccomp_allow_all_target(metrics));
        targets.push(seccomp_interpreter_target(metrics));
    }
    targets
}

/// What a filter adds to a null system call: the call under it minus the same call in the
/// same process before it was installed, possibly negative.
pub fn seccomp_overhead(before: Option<u64>, after: Option<u64>) -> Option<i128> {
    Some(i128::from(after?) - i128::from(before?))
}

/// `null_syscall_seccomp_allow_all - null_syscall_before_seccomp_allow_all <= 25`.
fn seccomp_allow_all_target(metrics: &Metrics) -> Target {
    let seccomp = &metrics.seccomp;
    let overhead = seccomp_overhead(seccomp.before_allow_all, seccomp.allow_all);
    Target {
        rule: "null_syscall_seccomp_allow_all - null_syscall_before_seccomp_allow_all <= 25",
        measured: overhead.map_or("-".to_owned(), |overhead| overhead.to_string()),
        limit: SECCOMP_ALLOW_ALL_LIMIT.to_string(),
        verdict: overhead.map_or(Verdict::NotMeasured, |overhead| {
            Verdict::from_holds(overhead <= SECCOMP_ALLOW_ALL_LIMIT)
        }),
        reference: "Linux: no instruction count for 32-bit ARM (docs/seccomp.md)",
    }
}

/// The interpreter's instructions per executed filter instruction for each kind measured
/// (ALU, load, jump), in hundredths: (seccomp_filter_KIND - seccomp_filter_return) / 1024.
pub fn seccomp_per_instruction_hundredths(metrics: &Metrics) -> Vec<(&'static str, Option<u128>)> {
    let seccomp = &metrics.seccomp;
    [("alu", seccomp.filter_alu), ("load", seccomp.filter_load), ("jump", seccomp.filter_jump)]
        .into_iter()
        .map(|(kind, long)| {
            let cost = match (long, seccomp.filter_return) {
                (Some(long), Some(alone)) => {
                    let added = u128::from(long.saturating_sub(alone));
                    let length = u128::from(super::metrics::SECCOMP_RUN_LENGTH);
                    Some((added * 200 + length) / (length * 2))
                }
                _ => None,
            };
            (kind, cost)
        })
        .collect()
}

/// `max(seccomp_filter_KIND - seccomp_filter_return) / 1024 <= 10`.
fn seccomp_interpreter_target(metrics: &Metrics) -> Target {
    let costs = seccomp_per_instruction_hundredths(metrics);
    let worst = if costs.iter().all(|(_, cost)| cost.is_some()) {
        costs.iter().filter_map(|(_, cost)| *cost).max()
    } else {
        None
    };
    Target {
        rule: "max over alu, load, jump of (seccomp_filter_KIND - seccomp_filter_return) / 1024 <= 10",
        measured: worst.map_or("-".to_owned(), decimal::hundredths_text),
        limit: decimal::hundredths_text(SECCOMP_PER_INSTRUCTION_LIMIT_HUNDREDTHS),
        verdict: worst.map_or(Verdict::NotMeasured, |worst| {
            Verdict::from_holds(worst <= SECCOMP_PER_INSTRUCTION_LIMIT_HUNDREDTHS)
        }),
        reference: "Linux: no instruction count for its classic-BPF interpreter on 32-bit ARM",
    }
}

/// `measured <= limit`, not measured when the run left the count out.
fn at_most(
    rule: &'static str,
    measured: Option<u64>,
    limit: u64,
    reference: &'static str,
) -> Target {
    Target {
        rule,
        measured: measured.map_or("-".to_owned(), |measured| measured.to_string()),
        limit: limit.to_string(),
        verdict: measured
            .map_or(Verdict::NotMeasured, |measured| Verdict::from_holds(measured <= limit)),
        reference,
    }
}

/// `window_open_close <= 6`.
fn window_target(metrics: &Metrics) -> Target {
    Target {
        rule: "window_open_close <= 6",
        measured: metrics.window_open_close.to_string(),
        limit: WINDOW_LIMIT.to_string(),
        verdict: Verdict::from_holds(metrics.window_open_close <= WINDOW_LIMIT),
        reference: "Linux: 7 (mrc, bic, orr, mcr, isb to open; mcr, isb to close)",
    }
}

/// `copy_from_user_4096 <= 1.02 x memcpy_4096`, compared exactly in integers.
fn copy_target(metrics: &Metrics) -> Target {
    let copies = metrics.copy(COPY_TARGET_SIZE);
    let copy_from_user = copies.and_then(|copies| copies.copy_from_user);
    let memcpy = copies.and_then(|copies| copies.memcpy);
    let (measured, limit, verdict) = match (copy_from_user, memcpy) {
        (Some(copy_from_user), Some(memcpy)) => {
            let limit_hundredths = u128::from(memcpy) * u128::from(COPY_LIMIT_PERCENT);
            let holds = u128::from(copy_from_user) * 100 <= limit_hundredths;
            (
                copy_from_user.to_string(),
                decimal::hundredths_text(limit_hundredths),
                Verdict::from_holds(holds),
            )
        }
        _ => ("-".to_owned(), "-".to_owned(), Verdict::NotMeasured),
    };
    Target {
        rule: "copy_from_user_4096 <= 1.02 x memcpy_4096",
        measured,
        limit,
        verdict,
        reference: "at most 2% over a kernel memcpy of the same size",
    }
}

/// `null_syscall_pan_on - null_syscall_pan_off <= 5`; the difference may be negative.
fn syscall_target(metrics: &Metrics) -> Target {
    let overhead = null_syscall_overhead(metrics);
    Target {
        rule: "null_syscall_pan_on - null_syscall_pan_off <= 5",
        measured: overhead.to_string(),
        limit: SYSCALL_OVERHEAD_LIMIT.to_string(),
        verdict: Verdict::from_holds(overhead <= SYSCALL_OVERHEAD_LIMIT),
        reference: "Linux: 5 (mov, mcr, isb on entry; mov, mcr on exit)",
    }
}

/// What PAN adds to a null system call: pan=on minus pan=off, possibly negative.
pub fn null_syscall_overhead(metrics: &Metrics) -> i128 {
    i128::from(metrics.null_syscall_pan_on) - i128::from(metrics.null_syscall_pan_off)
}
