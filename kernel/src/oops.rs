//! Reports of kernel failures, in the shape of Linux's: the cause, the registers, the DACR.
//!
//! [`RegisterDump`] is pure formatting (unit-tested on the host); the functions that print
//! and power off exist on the target only.

use crate::arch::trap_frame::TrapFrame;
use crate::fault::FaultStatus;
use core::fmt;

/// CP15 state shown under the registers: `Control: ...  Table: ...  DAC: ...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SystemRegisters {
    /// SCTLR.
    pub sctlr: u32,
    /// TTBR0.
    pub ttbr0: u32,
    /// The DACR of the interrupted context.
    pub dacr: u32,
}

/// The register block of an oops.
pub struct RegisterDump<'a> {
    /// The interrupted context.
    pub frame: &'a TrapFrame,
    /// CP15 state.
    pub system: SystemRegisters,
}

impl fmt::Display for RegisterDump<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frame = self.frame;
        let r = &frame.r;
        writeln!(
            f,
            "pc : [<{:08x}>]    lr : [<{:08x}>]    psr: {:08x}",
            frame.pc,
            frame.lr(),
            frame.spsr
        )?;
        writeln!(f, "sp : {:08x}  ip : {:08x}  fp : {:08x}", frame.sp(), r[12], r[11])?;
        writeln!(f, "r10: {:08x}  r9 : {:08x}  r8 : {:08x}", r[10], r[9], r[8])?;
        writeln!(f, "r7 : {:08x}  r6 : {:08x}  r5 : {:08x}  r4 : {:08x}", r[7], r[6], r[5], r[4])?;
        writeln!(f, "r3 : {:08x}  r2 : {:08x}  r1 : {:08x}  r0 : {:08x}", r[3], r[2], r[1], r[0])?;
        writeln!(f, "Flags: {}", frame.psr())?;
        let system = self.system;
        write!(
            f,
            "Control: {:08x}  Table: {:08x}  DAC: {:08x}",
            system.sctlr, system.ttbr0, system.dacr
        )
    }
}

/// Where a kernel-mode abort came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbortKind {
    /// A data access (DFSR, DFAR).
    Data,
    /// An instruction fetch (IFSR, IFAR).
    Prefetch,
}

/// The first line of a kernel fault report, in the words Linux uses (arch/arm/mm/fault.c):
/// faults the MMU raises from the tables (translation, access flag, permission) are "Unable to
/// handle kernel ..."; everything else, domain faults included, is "Unhandled fault".
pub struct FaultHeadline {
    /// Data or prefetch abort.
    pub kind: AbortKind,
    /// DFSR or IFSR.
    pub status: FaultStatus,
    /// DFAR or IFAR.
    pub address: u32,
}

/// Addresses below this are reported as NULL pointer dereferences (one page, as Linux).
const NULL_PAGE: u32 = 4096;

impl FaultHeadline {
    /// True for the "Unable to handle kernel ..." family (Linux's `die("Oops", ...)`).
    pub fn is_paging_request(&self) -> bool {
        self.status.kind().is_translation_or_permission()
    }

    /// `Internal error: Oops: 805 [#1] ARM` or `Internal error: : 1b [#1] ARM`.
    pub fn internal_error(&self, count: u32) -> InternalError {
        InternalError { oops: self.is_paging_request(), status: self.status.raw(), count }
    }
}

impl fmt::Display for FaultHeadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_paging_request() {
            let what = if self.address < NULL_PAGE {
                "NULL pointer dereference"
            } else {
                "paging request"
            };
            write!(
                f,
                "Unable to handle kernel {what} at virtual address {:08x} when {}",
                self.address,
                self.status.access()
            )
        } else {
            let prefix = match self.kind {
                AbortKind::Data => "Unhandled fault",
                AbortKind::Prefetch => "Unhandled prefetch abort",
            };
            write!(
                f,
                "{prefix}: {} ({:#05x}) at {:#010x}",
                self.status.kind(),
                self.status.raw(),
                self.address
            )
        }
    }
}

/// The `Internal error:` line.
pub struct InternalError {
    oops: bool,
    status: u32,
    count: u32,
}

impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = if self.oops { "Oops" } else { "" };
        write!(f, "Internal error: {label}: {:x} [#{}] ARM", self.status, self.count)
    }
}

/// The taint part of the `CPU:` line, as Linux's `print_tainted()` writes it when at most
/// TAINT_DIE is set: `Not tainted` before the first oops, `Tainted: G      D` after it (G: no
/// proprietary module, then one column per flag up to D, the eighth).
pub fn taint(oopses_before: u32) -> &'static str {
    if oopses_before == 0 { "Not tainted" } else { "Tainted: G      D" }
}

/// The return addresses of a frame-pointer chain, innermost first.
///
/// In the ARM-state frames LLVM builds with `-C force-frame-pointers=yes`, r11 points at the
/// saved pair {caller's r11, return address}. The walk reads only inside `stack` (one stack,
/// growing down), requires each record to be aligned and above the previous one, and stops at
/// a zero frame pointer (set by `_start`) or after `limit` records: a corrupt chain ends the
/// trace instead of faulting the reporter.
pub fn walk_frame_pointers(
    mut frame_pointer: u32,
    stack: core::ops::Range<u32>,
    limit: usize,
    read_word: impl Fn(u32) -> u32,
) -> impl Iterator<Item = u32> {
    let mut remaining = limit;
    core::iter::from_fn(move || {
        if remaining == 0 || !frame_pointer.is_multiple_of(4) {
            return None;
        }
        let record_end = frame_pointer.checked_add(8)?;
        if frame_pointer < stack.start || record_end > stack.end {
            return None;
        }
        remaining -= 1;
        let caller_frame = read_word(frame_pointer);
        let return_address = read_word(frame_pointer + 4);
        frame_pointer = if caller_frame > frame_pointer { caller_frame } else { 0 };
        (return_address != 0).then_some(return_address)
    })
}

#[cfg(target_arch = "arm")]
pub use target::*;

#[cfg(target_arch = "arm")]
mod target {
    use super::{FaultHeadline, RegisterDump, SystemRegisters, walk_frame_pointers};
    use crate::arch::exception::ExceptionKind;
    use crate::arch::trap_frame::TrapFrame;
    use crate::arch::{cpu, exception, mmu};
    use crate::console::EmergencyWriter;
    use crate::fault::Event;
    use crate::mm::image;
    use crate::power::{self, ExitStatus};
    use crate::process::{self, Cause, Death};
    use crate::symbols::{self, Symbolized};
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
        let before = OOPS_COUNT.fetch_add(1, Ordering::SeqCst);
        let count = before + 1;
        let pid = process::current_pid();
        let name = process::current_name();
        let mut out = EmergencyWriter;
        let _ = writeln!(out, "{headline}");
        let _ = writeln!(out, "{}", headline.internal_error(count));
        let _ = writeln!(out, "CPU: 0 PID: {pid} Comm: {name} {}", super::taint(before));
        print_context(&mut out, frame);
        kill_for_oops(frame, headline, count, "Fatal exception")
    }

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
        STACK_OVERFLOWS.fetch_add(1, Ordering::Relaxed);
        let before = OOPS_COUNT.fetch_add(1, Ordering::SeqCst);
        let count = before + 1;
        let pid = process::current_pid();
        let name = process::current_name();
        let task_stack = process::current_kernel_stack().unwrap_or_else(image::boot_stack);
        let overflow_stack = image::overflow_stack();
        let mut out = EmergencyWriter;
        let _ = writeln!(out, "Insufficient stack space to handle exception!");
        let _ =
            writeln!(out, "Task stack:     [{:#010x}..{:#010x}]", task_stack.start, task_stack.end);
        let _ = writeln!(
            out,
            "Overflow stack: [{:#010x}..{:#010x}]",
            overflow_stack.start, overflow_stack.end
        );
        let _ = writeln!(out, "Internal error: kernel stack overflow: 0 [#{count}] ARM");
        let _ = writeln!(out, "CPU: 0 PID: {pid} Comm: {name} {}", super::taint(before));
        let _ = writeln!(out, "Guard page hit at {:#010x}", headline.address);
        print_context_on(&mut out, frame, Some(task_stack));
        kill_for_oops(frame, headline, count, "kernel stack overflow")
    }

    /// The end of every oops: a panic (`Kernel panic - not syncing: {panic_reason}`) when the
    /// kernel's own job oopsed, or when a lock that ending the process needs is held; else the
    /// process dies with SIGSEGV and the kernel goes on.
    fn kill_for_oops(
        frame: &TrapFrame,
        headline: &FaultHeadline,
        count: u32,
        panic_reason: &str,
    ) -> ! {
        let pid = process::current_pid();
        let name = process::current_name();
        let mut out = EmergencyWriter;
        if pid == process::KERNEL_PID {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;
    use std::vec::Vec;

    #[test]
    fn domain_faults_read_like_linux() {
        let data = FaultHeadline {
            kind: AbortKind::Data,
            status: FaultStatus::data(0x01b),
            address: 0x0040_0000,
        };
        assert_eq!(data.to_string(), "Unhandled fault: page domain fault (0x01b) at 0x00400000");
        assert_eq!(data.internal_error(1).to_string(), "Internal error: : 1b [#1] ARM");
        let write = FaultHeadline { status: FaultStatus::data(0x81b), ..data };
        assert_eq!(write.to_string(), "Unhandled fault: page domain fault (0x81b) at 0x00400000");
        let prefetch = FaultHeadline {
            kind: AbortKind::Prefetch,
            status: FaultStatus::instruction(0x00b),
            address: 0x0040_0000,
        };
        assert_eq!(
            prefetch.to_string(),
            "Unhandled prefetch abort: page domain fault (0x00b) at 0x00400000"
        );
    }

    #[test]
    fn paging_requests_read_like_linux() {
        let null =
            FaultHeadline { kind: AbortKind::Data, status: FaultStatus::data(0x005), address: 0 };
        assert_eq!(
            null.to_string(),
            "Unable to handle kernel NULL pointer dereference at virtual address 00000000 when read"
        );
        assert_eq!(null.internal_error(2).to_string(), "Internal error: Oops: 5 [#2] ARM");
        let write = FaultHeadline {
            kind: AbortKind::Data,
            status: FaultStatus::data(0x80f),
            address: 0x8012_3000,
        };
        assert_eq!(
            write.to_string(),
            "Unable to handle kernel paging request at virtual address 80123000 when write"
        );
        let execute = FaultHeadline {
            kind: AbortKind::Prefetch,
            status: FaultStatus::instruction(0x00f),
            address: 0x8012_3000,
        };
        assert_eq!(
            execute.to_string(),
            "Unable to handle kernel paging request at virtual address 80123000 when execute"
        );
        let alignment = FaultHeadline {
            kind: AbortKind::Data,
            status: FaultStatus::data(0x001),
            address: 0x8000_0001,
        };
        assert_eq!(
            alignment.to_string(),
            "Unhandled fault: alignment exception (0x001) at 0x80000001"
        );
    }

    #[test]
    fn taint_reads_like_linux() {
        assert_eq!(taint(0), "Not tainted");
        // Linux's flag columns: P/G F S R M B U D, so D is the eighth character.
        assert_eq!(taint(1), "Tainted: G      D");
        assert_eq!(taint(1).as_bytes()["Tainted: ".len() + 7], b'D');
        assert_eq!(taint(7), taint(1));
    }

    #[test]
    fn frame_pointer_walk() {
        // A stack at 0x1000..0x1100 with three records: 0x1010 -> 0x1040 -> 0x1080 -> end.
        let mut memory = std::collections::BTreeMap::new();
        memory.insert(0x1010, 0x1040);
        memory.insert(0x1014, 0x8000_0100);
        memory.insert(0x1040, 0x1080);
        memory.insert(0x1044, 0x8000_0200);
        memory.insert(0x1080, 0);
        memory.insert(0x1084, 0x8000_0300);
        let read = |address: u32| *memory.get(&address).unwrap_or(&0xDEAD_BEEF);
        let trace: Vec<u32> = walk_frame_pointers(0x1010, 0x1000..0x1100, 16, read).collect();
        assert_eq!(trace, [0x8000_0100, 0x8000_0200, 0x8000_0300]);
        // Limits: depth, bounds, alignment, a chain that does not go up.
        assert_eq!(walk_frame_pointers(0x1010, 0x1000..0x1100, 2, read).count(), 2);
        assert_eq!(walk_frame_pointers(0x0FF0, 0x1000..0x1100, 16, read).count(), 0);
        assert_eq!(walk_frame_pointers(0x10FC, 0x1000..0x1100, 16, read).count(), 0);
        assert_eq!(walk_frame_pointers(0x1012, 0x1000..0x1100, 16, read).count(), 0);
        memory.insert(0x1040, 0x1010);
        let read = |address: u32| *memory.get(&address).unwrap_or(&0);
        assert_eq!(walk_frame_pointers(0x1010, 0x1000..0x1100, 16, read).count(), 2);
    }

    #[test]
    fn dump_reads_like_linux() {
        let mut frame = TrapFrame {
            spsr: 0x6000_0013,
            pc: 0x8000_1234,
            lr_svc: 0x8000_1000,
            ..Default::default()
        };
        for (index, value) in frame.r.iter_mut().enumerate() {
            *value = index as u32 * 0x11;
        }
        let dump = RegisterDump {
            frame: &frame,
            system: SystemRegisters { sctlr: 0x10c5_387d, ttbr0: 0x8000_4000, dacr: 0x51 },
        };
        let text = dump.to_string();
        let lines: std::vec::Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "pc : [<80001234>]    lr : [<80001000>]    psr: 60000013");
        assert!(lines[1].starts_with("sp : "));
        assert!(lines[1].ends_with("ip : 000000cc  fp : 000000bb"));
        assert_eq!(lines[2], "r10: 000000aa  r9 : 00000099  r8 : 00000088");
        assert_eq!(lines[4], "r3 : 00000033  r2 : 00000022  r1 : 00000011  r0 : 00000000");
        assert_eq!(lines[5], "Flags: nZCv  IRQs on  FIQs on  Mode SVC_32  ISA ARM");
        assert_eq!(lines[6], "Control: 10c5387d  Table: 80004000  DAC: 00000051");
    }
}
