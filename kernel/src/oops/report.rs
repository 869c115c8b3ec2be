//! Printing a kernel failure report, and what follows it: the process's end or a panic.

use super::format::{FaultHeadline, RegisterDump, SystemRegisters, walk_frame_pointers};
use crate::arch::exception::ExceptionKind;
use crate::arch::trap_frame::TrapFrame;
use crate::arch::{cpu, exception, mmu};
use crate::console::EmergencyWriter;
use crate::fault::Event;
use crate::mm::image;
use crate::power::{self, ExitStatus};
use crate::process::{self, Cause, Death};
use crate::symbols::{self, Symbolized};
use crate::sync::{IrqSafeGuard, IrqSafeLock};
use core::fmt::Write;
use core::ops::Range;
use core::sync::atomic::{AtomicU32, Ordering};
use swpan_abi::signal;

/// Oopses so far, for the `[#N]` of each report.
static OOPS_COUNT: AtomicU32 = AtomicU32::new(0);
/// System calls whose kernel stack an oops abandoned (see [`kernel_fault`]).
static ABANDONED_CALLS: AtomicU32 = AtomicU32::new(0);

/// System calls an oops abandoned so far. Whatever each had allocated and not yet freed
/// (a vmalloc area, a heap buffer, a frame) is leaked: its owner was a local on the
/// abandoned kernel stack, and no destructor runs. Linux leaks the same way (an oops kills
/// the task with `make_task_dead`, never unwinding the kernel stack) and marks the kernel
/// tainted ('D'); so does the `CPU:` line of every later report here.
pub fn abandoned_calls() -> u32 {
    ABANDONED_CALLS.load(Ordering::Relaxed)
}

/// The deepest call trace printed.
const TRACE_DEPTH: usize = 32;

/// The CP15 state shown in a report about `frame`: SCTLR and TTBR0 now, and the DACR the
/// interrupted context ran with.
pub fn system_registers(frame: &TrapFrame) -> SystemRegisters {
    SystemRegisters {
        sctlr: mmu::read_sctlr(),
        ttbr0: mmu::read_ttbr0(),
        dacr: exception::interrupted_dacr(frame),
    }
}

/// The kernel stack that holds `address`, if any: the boot stacks, or the running
/// process's kernel stack.
fn stack_containing(address: u32) -> Option<Range<u32>> {
    let stacks = image::stacks();
    if stacks.contains(&address) {
        return Some(stacks);
    }
    process::current_kernel_stack().filter(|stack| stack.contains(&address))
}

/// Prints `PC is at`, `LR is at`, the registers and the call trace of a kernel frame,
/// walking the stack that holds the frame's SP.
fn print_context(out: &mut EmergencyWriter, frame: &TrapFrame) {
    print_context_on(out, frame, stack_containing(frame.sp()))
}

/// [`print_context`], walking the frame-pointer chain in `stack`.
fn print_context_on(out: &mut EmergencyWriter, frame: &TrapFrame, stack: Option<Range<u32>>) {
    let _ = writeln!(out, "PC is at {}", Symbolized(frame.pc));
    let _ = writeln!(out, "LR is at {}", Symbolized(frame.lr()));
    let dump = RegisterDump { frame, system: system_registers(frame) };
    let _ = writeln!(out, "{dump}");
    let _ = writeln!(out, "Call trace:");
    let _ = writeln!(out, " {}", Symbolized(frame.pc));
    if frame.from_user() {
        return;
    }
    if symbols::lookup(frame.pc).is_none() {
        // The PC is outside the kernel's code (a call into a bad address): the caller is in
        // LR, not yet in any frame record.
        let _ = writeln!(out, " {}", Symbolized(frame.lr()));
    }
    let Some(stack) = stack else {
        let _ = writeln!(out, " (stack pointer {:#010x} is on no known stack)", frame.sp());
        return;
    };
    let read = |address: u32| {
        // SAFETY: the walk reads only aligned words inside `stack`, mapped kernel memory.
        unsafe { core::ptr::read_volatile(address as *const u32) }
    };
    for return_address in walk_frame_pointers(frame.fp(), stack, TRACE_DEPTH, read) {
        let _ = writeln!(out, " {}", Symbolized(return_address));
    }
}

/// Reports a kernel-mode abort that no fixup and no self-test took: an oops. As Linux
/// with `panic_on_oops=0`, an oops in a system call kills only the calling process; an
/// oops in the kernel's own job is fatal, and so is one whose code held a lock that ending
/// the process needs (waiting for it would hang the kernel). The entry stub closed the
/// window already; the report shows the interrupted DACR (`DAC: 00000055` for a fault
/// inside a window), and the window is closed again here before anything else runs.
pub fn kernel_fault(frame: &TrapFrame, headline: &FaultHeadline) -> ! {
    let _ = cpu::mask_irqs();
    exception::close_window();
    let serial = OOPS_REPORT.lock_unless_held_here();
    let before = OOPS_COUNT.fetch_add(1, Ordering::SeqCst);
    let count = before + 1;
    let pid = process::current_pid_for_reports();
    let cpu = process::current_cpu();
    let name = process::current_name();
    let mut out = EmergencyWriter;
    let _ = writeln!(out, "{headline}");
    let _ = writeln!(out, "{}", headline.internal_error(count));
    let _ = writeln!(out, "CPU: {cpu} PID: {pid} Comm: {name} {}", super::format::taint(before));
    print_context(&mut out, frame);
    kill_for_oops(frame, headline, count, "Fatal exception", serial)
}

/// Held while one CPU writes an oops report, so that two CPUs' reports do not interleave
/// (Linux's die_lock). A nested oops on the same CPU writes without it.
static OOPS_REPORT: IrqSafeLock<()> = IrqSafeLock::new(());

/// Kernel stack overflows so far.
static STACK_OVERFLOWS: AtomicU32 = AtomicU32::new(0);

/// Kernel stack overflows so far (for the self-tests).
pub fn stack_overflows() -> u32 {
    STACK_OVERFLOWS.load(Ordering::Relaxed)
}

/// A kernel stack ran into its guard page: the data abort entry found its own push faulting
/// and moved to the overflow stack (`arch/vectors.s`). Reported as Linux's VMAP_STACK does
/// (`Insufficient stack space to handle exception!`, the two stacks, `Internal error: kernel
/// stack overflow`); the registers are those of the overflowing code except PC, CPSR and the
/// fault address, which the nested abort overwrote (the address is still in the guard
/// page). Linux then panics; as for any oops here, only the process dies, its call abandoned.
pub fn stack_overflow(frame: &TrapFrame, headline: &FaultHeadline) -> ! {
    let _ = cpu::mask_irqs();
    exception::close_window();
    let serial = OOPS_REPORT.lock_unless_held_here();
    STACK_OVERFLOWS.fetch_add(1, Ordering::Relaxed);
    let before = OOPS_COUNT.fetch_add(1, Ordering::SeqCst);
    let count = before + 1;
    let pid = process::current_pid_for_reports();
    let cpu = process::current_cpu();
    let name = process::current_name();
    let task_stack = process::current_kernel_stack().unwrap_or_else(image::boot_stack);
    let overflow_stack = image::overflow_stack();
    let mut out = EmergencyWriter;
    let _ = writeln!(out, "Insufficient stack space to handle exception!");
    let _ = writeln!(out, "Task stack:     [{:#010x}..{:#010x}]", task_stack.start, task_stack.end);
    let _ = writeln!(
        out,
        "Overflow stack: [{:#010x}..{:#010x}]",
        overflow_stack.start, overflow_stack.end
    );
    let _ = writeln!(out, "Internal error: kernel stack overflow: 0 [#{count}] ARM");
    let _ = writeln!(out, "CPU: {cpu} PID: {pid} Comm: {name} {}", super::format::taint(before));
    let _ = writeln!(out, "Guard page hit at {:#010x}", headline.address);
    print_context_on(&mut out, frame, Some(task_stack));
    kill_for_oops(frame, headline, count, "kernel stack overflow", serial)
}

/// The end of every oops: a panic (`Kernel panic - not syncing: {panic_reason}`) when the
/// kernel's own job oopsed, or when a lock that ending the process needs is held; else the
/// process dies with SIGSEGV and the kernel goes on.
fn kill_for_oops(
    frame: &TrapFrame,
    headline: &FaultHeadline,
    count: u32,
    panic_reason: &str,
    serial: Option<IrqSafeGuard<'_, ()>>,
) -> ! {
    let pid = process::current_pid();
    let name = process::current_name();
    let mut out = EmergencyWriter;
    if pid == process::KERNEL_PID || pid == process::IDLE_PID {
        crate::expected_exception::abandon_current("oops");
        let _ = writeln!(out, "Kernel panic - not syncing: {panic_reason}");
        power::poweroff(ExitStatus::Fatal)
    }
    if let Some(lock) = process::exit_blocker() {
        let _ = writeln!(
            out,
            "Kernel panic - not syncing: Fatal exception: oops while holding {lock}: \
             {name}[{pid}] cannot be killed"
        );
        power::poweroff(ExitStatus::Fatal)
    }
    ABANDONED_CALLS.fetch_add(1, Ordering::Relaxed);
    let _ = writeln!(out, "---[ end trace: oops #{count} killed {name}[{pid}] ]---");
    drop(serial);
    let cause =
        Cause::KernelOops { status: headline.status, address: headline.address, pc: frame.pc };
    process::exit_current(Death::Killed { signal: signal::SIGSEGV, cause })
}

/// A user process touched memory it may not (or ran an undefined instruction): a report
/// in the spirit of Linux's `user_debug` line, and SIGSEGV (SIGILL).
pub fn user_fault(frame: &TrapFrame, event: &Event) -> ! {
    let _ = cpu::mask_irqs();
    let pid = process::current_pid();
    let name = process::current_name();
    let mut out = EmergencyWriter;
    let (signal, cause) = match (event.status, event.address) {
        (Some(status), Some(address)) => {
            let _ = writeln!(
                out,
                "{name}[{pid}]: segfault at {address:08x} pc {:08x} sp {:08x}: {status}",
                frame.pc, frame.sp_usr
            );
            (signal::SIGSEGV, Cause::UserFault { status, address, pc: frame.pc })
        }
        _ => {
            let _ = writeln!(
                out,
                "{name}[{pid}]: illegal instruction at pc {:08x} sp {:08x}",
                frame.pc, frame.sp_usr
            );
            (signal::SIGILL, Cause::UndefinedInstruction { pc: frame.pc })
        }
    };
    process::exit_current(Death::Killed { signal, cause })
}

/// Reports an exception that nobody expected and powers off with [`ExitStatus::Fatal`].
pub fn fatal_exception(frame: &TrapFrame, event: &Event) -> ! {
    let _ = cpu::mask_irqs();
    let mut out = EmergencyWriter;
    let _ = writeln!(
        out,
        "Unexpected exception: {} at {:#010x} in {}",
        event.kind,
        frame.pc,
        frame.psr().mode_name()
    );
    if let (Some(status), Some(address)) = (event.status, event.address) {
        let register = if event.kind == ExceptionKind::PrefetchAbort { "IFSR" } else { "DFSR" };
        let far = if event.kind == ExceptionKind::PrefetchAbort { "IFAR" } else { "DFAR" };
        let _ = writeln!(out, "{register}: {status}  {far}: {address:#010x}");
    }
    print_context(&mut out, frame);
    crate::expected_exception::abandon_current("unexpected exception");
    let _ = writeln!(out, "Kernel panic - not syncing: unexpected {}", event.kind);
    power::poweroff(ExitStatus::Fatal)
}

/// Called when a semihosting SVC reached the kernel: QEMU runs without semihosting, so
/// neither the exit status nor the command line can cross. Says so and powers off through
/// the board.
pub fn semihosting_disabled() -> ! {
    let _ = writeln!(
        EmergencyWriter,
        "swpan: semihosting is disabled; boot with -semihosting-config enable=on,target=native \
         (qemu/run does). Powering off without an exit status."
    );
    power::poweroff_without_semihosting()
}
