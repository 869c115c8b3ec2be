//! Run-time checks of the DACR discipline: what the DACR must be at every kernel entry, on the
//! way back to user mode, and at every context switch.
//!
//! A violation is reported with where it happened and counted; it does not stop the kernel
//! (the fuzzer counts window leaks instead of dying on the first). A context switch that finds
//! the window open also closes it, so the next process never inherits it. The checks cost a
//! CP15 read and a compare per exception (measured by `make bench`), so they are always on.
//! Those of a system call are in its entry and exit assembly (`arch/vectors.s`): the entry
//! compares once it has closed the window, and every return to user mode compares before it
//! writes the user DACR; a mismatch comes here, to [`entry_violation`] and [`window_leak`].

use crate::arch::exception::{self, ExceptionKind};
use crate::arch::mmu;
use crate::arch::percpu::{CacheLine, MAX_CPUS, PerCpu};
use crate::arch::trap_frame::TrapFrame;
use crate::console::EmergencyWriter;
use core::fmt::Write;
use core::sync::atomic::{AtomicU32, Ordering};

/// One CPU's counts.
struct CpuCounters {
    entry_violations: AtomicU32,
    window_leaks: AtomicU32,
    switch_violations: AtomicU32,
    /// IRQs that arrived while the interrupted kernel code had a window open.
    irqs_inside_windows: AtomicU32,
}

/// Each CPU counts its own (no cache line bounces between CPUs); [`counters`] sums them.
static COUNTERS: PerCpu<CpuCounters> = PerCpu::new(
    [const {
        CacheLine::new(CpuCounters {
            entry_violations: AtomicU32::new(0),
            window_leaks: AtomicU32::new(0),
            switch_violations: AtomicU32::new(0),
            irqs_inside_windows: AtomicU32::new(0),
        })
    }; MAX_CPUS],
);

/// The counters, for the fuzzer's summary and the self-tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Kernel entries that found the DACR wrong.
    pub entry_violations: u32,
    /// Returns to user mode with the window still open.
    pub window_leaks: u32,
    /// Context switches with the window open.
    pub switch_violations: u32,
    /// IRQs taken inside an open window (and handled with it closed).
    pub irqs_inside_windows: u32,
}

/// The counters now, summed over every CPU.
pub fn counters() -> Counters {
    COUNTERS.iter().fold(Counters::default(), |sum, (_, cpu)| Counters {
        entry_violations: sum.entry_violations + cpu.entry_violations.load(Ordering::Relaxed),
        window_leaks: sum.window_leaks + cpu.window_leaks.load(Ordering::Relaxed),
        switch_violations: sum.switch_violations + cpu.switch_violations.load(Ordering::Relaxed),
        irqs_inside_windows: sum.irqs_inside_windows
            + cpu.irqs_inside_windows.load(Ordering::Relaxed),
    })
}

/// The counters of CPU `number` alone.
pub fn counters_on(number: u32) -> Counters {
    let cpu = COUNTERS.on(number);
    Counters {
        entry_violations: cpu.entry_violations.load(Ordering::Relaxed),
        window_leaks: cpu.window_leaks.load(Ordering::Relaxed),
        switch_violations: cpu.switch_violations.load(Ordering::Relaxed),
        irqs_inside_windows: cpu.irqs_inside_windows.load(Ordering::Relaxed),
    }
}

fn report(what: &str, place: core::fmt::Arguments<'_>, found: u32, expected: u32) {
    let _ = writeln!(
        EmergencyWriter,
        "swpan: DACR invariant broken: {what} ({place}): DACR {found:#04x}, expected {expected:#04x}"
    );
}

/// At the start of every Rust exception handler: the entry stub closed the window. Inlined
/// into every handler: the common case is a CP15 read and a compare, and a violation's report
/// is out of line.
#[inline(always)]
pub fn check_entry(kind: ExceptionKind, frame: &TrapFrame) {
    let found = mmu::read_dacr();
    let expected = exception::kernel_dacr();
    if found != expected {
        entry_violation(kind, frame, found, expected);
    }
    if kind == ExceptionKind::Irq
        && !frame.from_user()
        && exception::pan_enabled()
        && crate::domain::window_open(frame.dacr)
    {
        COUNTERS.this().irqs_inside_windows.fetch_add(1, Ordering::Relaxed);
    }
}

/// Reports and counts a kernel entry that found the DACR `found` instead of `expected` (the
/// system call entry's own check in `arch/vectors.s` calls it through `trap.rs`).
#[cold]
#[inline(never)]
pub fn entry_violation(kind: ExceptionKind, frame: &TrapFrame, found: u32, expected: u32) {
    COUNTERS.this().entry_violations.fetch_add(1, Ordering::Relaxed);
    report("kernel entry", format_args!("{kind} from pc {:#010x}", frame.pc), found, expected);
}

/// Before every return to user mode: no window may be left open by the kernel (the return
/// path then writes the user value itself). `pid` names the process for a report; it is
/// asked only when there is one. Inlined, like [`check_entry`].
#[inline(always)]
pub fn check_return_to_user(frame: &TrapFrame, pid: impl FnOnce() -> u32) {
    let found = mmu::read_dacr();
    let expected = exception::kernel_dacr();
    if found != expected {
        window_leak(frame, pid(), found, expected);
    }
}

/// Reports and counts a return to user mode that found the window open (the DACR `found`
/// instead of `expected`); every return to user mode checks it in `arch/vectors.s`.
#[cold]
#[inline(never)]
pub fn window_leak(frame: &TrapFrame, pid: u32, found: u32, expected: u32) {
    COUNTERS.this().window_leaks.fetch_add(1, Ordering::Relaxed);
    report(
        "window left open on the return to user mode",
        format_args!("pid {pid}, user pc {:#010x}", frame.pc),
        found,
        expected,
    );
}

/// At every context switch away from process `pid`: the window is never open across one (the
/// design that makes the DACR safe to leave out of the switch). A violation is reported,
/// counted and repaired: the window is closed before the next process runs.
pub fn check_switch(pid: u32) {
    let found = mmu::read_dacr();
    let expected = exception::kernel_dacr();
    if found != expected {
        COUNTERS.this().switch_violations.fetch_add(1, Ordering::Relaxed);
        report(
            "context switch with a window open",
            format_args!("leaving pid {pid}"),
            found,
            expected,
        );
        exception::close_window();
    }
}
