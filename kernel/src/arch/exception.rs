//! Exception handlers: where the entry stubs of `vectors.s` land, one per vector.
//!
//! Every stub has already saved the interrupted DACR in the trap frame and closed the window
//! (pan=on), so no handler ever runs with user memory open. Each handler builds an [`Event`]
//! (what happened, the decoded fault status, the faulting address) and decides, in this order:
//! 1. a fault in user mode is the process's own: [`oops::user_fault`] kills it with a signal;
//! 2. a kernel-mode data abort on an instruction listed in the exception table, with a
//!    translation, access flag or permission fault, resumes at the fixup (a user access that
//!    hit an unmapped or read-only page); the return restores the saved DACR, so the fixup runs
//!    with the window still open and closes it itself. A domain fault is never fixed up: inside
//!    the kernel it means the kernel touched user memory outside a window, a bug;
//! 3. a self-test that declared this exception takes it;
//! 4. any other kernel-mode abort is an oops ([`oops::kernel_fault`]); anything else nobody
//!    expected is reported by [`oops::fatal_exception`].

use super::psr::MODE_SVC;
use super::trap_frame::{
    FRAME_DACR, FRAME_LR_SVC, FRAME_SIZE, FRAME_SP_USR, FRAME_SPSR, TrapFrame,
};
use super::{cpu, mmu};
use crate::domain::{DACR_KERNEL, DACR_USER};
use crate::fault::FaultStatus;
use crate::memory_map::VECTORS;
use crate::oops::{self, AbortKind, FaultHeadline};
use crate::{interrupts, invariants, process, selftest, syscall, uaccess};
use aarch32_cpu::register::{Dfar, Dfsr, Ifar, Ifsr, SysRegRead};
use core::fmt;

core::arch::global_asm!(
    include_str!("vectors.s"),
    MODE_SVC = const MODE_SVC,
    MODE_ABT = const super::psr::MODE_ABT,
    FRAME_SIZE = const FRAME_SIZE,
    FRAME_SP_USR = const FRAME_SP_USR,
    FRAME_LR_SVC = const FRAME_LR_SVC,
    FRAME_DACR = const FRAME_DACR,
    FRAME_SPSR = const FRAME_SPSR,
    DACR_KERNEL = const DACR_KERNEL,
    DACR_USER = const DACR_USER,
);

unsafe extern "C" {
    static exception_vectors_pan: u8;
    static exception_vectors_nopan: u8;
    fn return_to_user_pan() -> !;
    fn return_to_user_nopan() -> !;
}

crate::ro_after_init! {
    /// Whether the vectors with software PAN are installed.
    static PAN: bool = true;
}

/// Installs the vector set for `pan` at its alias in the VECTORS domain. Call right after
/// the MMU is on (before, VBAR holds the link address of the PAN set, set by `_start`).
///
/// # Safety
///
/// The vector page must be mapped at [`VECTORS`] (see `mm::kernel_map`), and the DACR must
/// already hold the kernel value that matches `pan`.
pub unsafe fn install(pan: bool) {
    let (with, without) = (&raw const exception_vectors_pan, &raw const exception_vectors_nopan);
    let offset = if pan { 0 } else { without as usize - with as usize };
    PAN.set(pan);
    // SAFETY: the caller's contract: the page is mapped there and the set matches the DACR.
    unsafe { mmu::write_vbar((VECTORS + offset) as u32) };
}

/// True when exceptions save, close and restore the DACR (pan=on).
pub fn pan_enabled() -> bool {
    PAN.get()
}

/// The DACR of kernel mode with the window closed, for this boot.
pub fn kernel_dacr() -> u32 {
    if pan_enabled() { DACR_KERNEL } else { DACR_USER }
}

/// Writes DACR_KERNEL, whatever the DACR holds now: for the paths that must never pass an
/// open window on (an oops, a process exit, a context switch that found the window open).
/// With pan=off the DACR is one constant and there is no window to close.
pub fn close_window() {
    if pan_enabled() {
        // SAFETY: DACR_KERNEL is the kernel-mode value of a pan=on boot (never Manager).
        // Writing it can only take the user domain away from the code running now, which is
        // what these paths want; a user access that still followed would take a domain fault
        // and oops, never succeed.
        unsafe { mmu::write_dacr(DACR_KERNEL) };
    }
}

/// The exception return into user mode for the installed vector set: where a new process's
/// first frame is restored from.
pub fn return_to_user_path() -> unsafe extern "C" fn() -> ! {
    if pan_enabled() { return_to_user_pan } else { return_to_user_nopan }
}

/// The DACR the interrupted context ran with: the saved value for a kernel frame with PAN on,
/// DACR_USER for a user frame, and the constant DACR with PAN off.
pub fn interrupted_dacr(frame: &TrapFrame) -> u32 {
    if frame.from_user() {
        DACR_USER
    } else if pan_enabled() {
        frame.dacr
    } else {
        mmu::read_dacr()
    }
}

/// The eight ways into the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExceptionKind {
    /// Vector 0x00 entered by a branch (a reset restarts at `_start`, not here).
    ResetVector,
    /// An UNDEFINED instruction.
    UndefinedInstruction,
    /// An SVC instruction.
    SupervisorCall,
    /// An instruction fetch abort.
    PrefetchAbort,
    /// A data access abort.
    DataAbort,
    /// Vector 0x14, used only by HYP mode.
    UnusedVector,
    /// An interrupt.
    Irq,
    /// A fast interrupt (never enabled).
    Fiq,
}

impl fmt::Display for ExceptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExceptionKind::ResetVector => "branch through the reset vector",
            ExceptionKind::UndefinedInstruction => "undefined instruction",
            ExceptionKind::SupervisorCall => "supervisor call",
            ExceptionKind::PrefetchAbort => "prefetch abort",
            ExceptionKind::DataAbort => "data abort",
            ExceptionKind::UnusedVector => "unused vector 0x14",
            ExceptionKind::Irq => "IRQ",
            ExceptionKind::Fiq => "FIQ",
        })
    }
}

/// One exception as the handler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Which vector.
    pub kind: ExceptionKind,
    /// DFSR or IFSR, for aborts.
    pub status: Option<FaultStatus>,
    /// DFAR or IFAR for aborts, the instruction's address for undefined instructions.
    pub address: Option<u32>,
}

impl Event {
    fn new(kind: ExceptionKind) -> Event {
        Event { kind, status: None, address: None }
    }
}

/// The SVC immediate of an Arm semihosting call in ARM state.
const SEMIHOSTING_SVC: u32 = 0xEF12_3456;

fn dispatch_unexpected(frame: &mut TrapFrame, event: Event) {
    if selftest::catch_expected(frame, &event) {
        return;
    }
    oops::fatal_exception(frame, &event)
}

#[unsafe(no_mangle)]
extern "C" fn handle_reset_vector(frame: &mut TrapFrame) {
    dispatch_unexpected(frame, Event::new(ExceptionKind::ResetVector));
}

#[unsafe(no_mangle)]
extern "C" fn handle_unused_vector(frame: &mut TrapFrame) {
    dispatch_unexpected(frame, Event::new(ExceptionKind::UnusedVector));
}

#[unsafe(no_mangle)]
extern "C" fn handle_undefined_instruction(frame: &mut TrapFrame) {
    invariants::check_entry(ExceptionKind::UndefinedInstruction, frame);
    // LR is the instruction's address + 4 in ARM state, + 2 in Thumb state (ARM ARM B1.8.3).
    let size = if frame.psr().is_thumb() { 2 } else { 4 };
    frame.pc = frame.pc.wrapping_sub(size);
    let event =
        Event { address: Some(frame.pc), ..Event::new(ExceptionKind::UndefinedInstruction) };
    if frame.from_user() {
        oops::user_fault(frame, &event)
    }
    dispatch_unexpected(frame, event);
}

#[unsafe(no_mangle)]
extern "C" fn handle_supervisor_call(frame: &mut TrapFrame) {
    if !frame.from_user() && is_semihosting_call(frame.pc.wrapping_sub(4)) {
        // QEMU traps semihosting SVCs before they become exceptions; one that arrives here
        // means semihosting is off, and returning would re-run the failed call.
        oops::semihosting_disabled()
    }
    if !frame.from_user() {
        // The kernel itself never issues an SVC, and the stub returns through
        // `return_to_user`, which must never see a kernel frame: fatal, never caught. The stub
        // does not save the DACR for a user caller; windowcheck proves that no SVC runs inside
        // a window, so the interrupted kernel code ran with the closed value.
        frame.dacr = kernel_dacr();
        oops::fatal_exception(frame, &Event::new(ExceptionKind::SupervisorCall))
    }
    invariants::check_entry(ExceptionKind::SupervisorCall, frame);
    let entry_dacr = mmu::read_dacr();
    // System calls run with interrupts on: a long copy can be interrupted, the window
    // included (the IRQ entry closes it and the return reopens it).
    // SAFETY: no lock is held, and the vectors are installed.
    unsafe { cpu::unmask_irqs() };
    syscall::dispatch(frame, entry_dacr);
    let _ = cpu::mask_irqs();
    process::before_return_to_user();
    invariants::check_return_to_user(frame);
}

fn is_semihosting_call(address: u32) -> bool {
    // SAFETY: the SVC came from kernel mode, so `address` is the kernel text word that holds
    // the SVC instruction just executed: mapped, readable and aligned.
    unsafe { core::ptr::read_volatile(address as *const u32) == SEMIHOSTING_SVC }
}

#[unsafe(no_mangle)]
extern "C" fn handle_prefetch_abort(frame: &mut TrapFrame) {
    invariants::check_entry(ExceptionKind::PrefetchAbort, frame);
    let status = FaultStatus::instruction(<Ifsr as SysRegRead>::read_raw());
    let address = Ifar::read().0;
    let event =
        Event { kind: ExceptionKind::PrefetchAbort, status: Some(status), address: Some(address) };
    if frame.from_user() {
        oops::user_fault(frame, &event)
    }
    if selftest::catch_expected(frame, &event) {
        return;
    }
    // Never retried and never fixed up: the kernel tried to execute where it must not.
    oops::kernel_fault(frame, &FaultHeadline { kind: AbortKind::Prefetch, status, address })
}

#[unsafe(no_mangle)]
extern "C" fn handle_data_abort(frame: &mut TrapFrame) {
    invariants::check_entry(ExceptionKind::DataAbort, frame);
    let status = FaultStatus::data(<Dfsr as SysRegRead>::read_raw());
    let address = Dfar::read().0;
    if crate::mm::image::overflow_stack().contains(&(frame as *const TrapFrame as u32)) {
        // The entry stub found its own push faulting and moved to the overflow stack.
        oops::stack_overflow(frame, &FaultHeadline { kind: AbortKind::Data, status, address })
    }
    let event =
        Event { kind: ExceptionKind::DataAbort, status: Some(status), address: Some(address) };
    if frame.from_user() {
        oops::user_fault(frame, &event)
    }
    let instruction_status = || FaultStatus::instruction(<Ifsr as SysRegRead>::read_raw());
    if status.is_fixable(instruction_status)
        && let Some(fixup) = uaccess::extable::fixup_for(frame.pc)
    {
        frame.pc = fixup;
        return;
    }
    if selftest::catch_expected(frame, &event) {
        return;
    }
    oops::kernel_fault(frame, &FaultHeadline { kind: AbortKind::Data, status, address })
}

#[unsafe(no_mangle)]
extern "C" fn handle_irq(frame: &mut TrapFrame) {
    invariants::check_entry(ExceptionKind::Irq, frame);
    if selftest::catch_expected(frame, &Event::new(ExceptionKind::Irq)) {
        return;
    }
    interrupts::handle();
    if frame.from_user() {
        process::before_return_to_user();
        invariants::check_return_to_user(frame);
    }
}

#[unsafe(no_mangle)]
extern "C" fn handle_fiq(frame: &mut TrapFrame) {
    dispatch_unexpected(frame, Event::new(ExceptionKind::Fiq));
}
