//! What happens on each exception: the kernel's policy above the vectors.
//!
//! The entry stubs of `arch/vectors.s` have saved the interrupted DACR in the trap frame and
//! closed the window (pan=on) before any of this runs, so no handler ever runs with user memory
//! open. Each handler builds an [`Event`] (what happened, the decoded fault status, the
//! faulting address) and decides, in this order:
//! 1. a fault in user mode is the process's own: a signal ([`signal::fault`]), which its
//!    handler takes or which kills it ([`oops::user_fault`]);
//! 2. a kernel-mode data abort on an instruction listed in the exception table, with a
//!    translation, access flag or permission fault, resumes at the fixup (a user access that
//!    hit an unmapped or read-only page); the return restores the saved DACR, so the fixup runs
//!    with the window still open and closes it itself. A domain fault is never fixed up: inside
//!    the kernel it means the kernel touched user memory outside a window, a bug;
//! 3. a self-test that declared this exception takes it ([`expected_exception`]);
//! 4. any other kernel-mode abort is an oops ([`oops::kernel_fault`]); anything else nobody
//!    expected is reported by [`oops::fatal_exception`].
//!
//! A system call ([`syscall::dispatch`]) and an interrupt ([`interrupts::handle`]) end, when
//! they return to user mode, with the scheduler's turn and the DACR checks ([`invariants`]).

use crate::arch::exception::{ExceptionKind, kernel_dacr};
use crate::arch::trap_frame::TrapFrame;
use crate::arch::{cpu, mmu};
use crate::expected_exception;
use crate::fault::{Event, FaultStatus};
use crate::oops::{self, AbortKind, FaultHeadline};
use crate::{interrupts, invariants, process, signal, syscall, uaccess};
use aarch32_cpu::register::{Dfar, Dfsr, Ifar, Ifsr, SysRegRead};

/// The SVC immediate of an Arm semihosting call in ARM state.
const SEMIHOSTING_SVC: u32 = 0xEF12_3456;

fn dispatch_unexpected(frame: &mut TrapFrame, event: Event) {
    if expected_exception::catch_expected(frame, &event) {
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
        return user_fault(frame, &event);
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
    // The entry stub has checked the DACR (`dacr_wrong_at_syscall_entry` below).
    let entry_dacr = mmu::read_dacr();
    // System calls run with interrupts on: a long copy can be interrupted, the window
    // included (the IRQ entry closes it and the return reopens it).
    // SAFETY: no lock is held, and the vectors are installed.
    unsafe { cpu::unmask_irqs() };
    syscall::dispatch(frame, entry_dacr);
    let _ = cpu::mask_irqs();
    return_to_user(frame);
}

/// The way back to user mode after a system call, an interrupt or a fault a handler takes:
/// the scheduler's turn, a pending signal. The DACR check follows in the return path itself
/// (`return_to_user_*` in `arch/vectors.s`, [`dacr_wrong_at_return_to_user`]).
#[inline(always)]
fn return_to_user(frame: &mut TrapFrame) {
    process::before_return_to_user();
    if process::signals_may_be_pending() {
        signal::deliver_pending(frame);
    }
}

/// Called by the system call entry stub when the DACR it reads back after closing the window
/// is not the kernel-mode value (`found`): reported and counted. Returns the frame, which the
/// stub passes on to [`handle_supervisor_call`].
#[unsafe(no_mangle)]
extern "C" fn dacr_wrong_at_syscall_entry(frame: &mut TrapFrame, found: u32) -> &mut TrapFrame {
    invariants::entry_violation(ExceptionKind::SupervisorCall, frame, found, kernel_dacr());
    frame
}

/// Called by the return to user mode when it finds the DACR (`found`) not closed: the kernel
/// left a window open. Reported and counted; the return then writes the user DACR.
#[unsafe(no_mangle)]
extern "C" fn dacr_wrong_at_return_to_user(frame: &TrapFrame, found: u32) {
    invariants::window_leak(frame, process::current_pid(), found, kernel_dacr());
}

/// A fault or undefined instruction in user mode is the process's own: a signal. With a
/// handler, the process goes on in it; without one it dies, reported as Linux's `user_debug`
/// reports it ([`oops::user_fault`]).
fn user_fault(frame: &mut TrapFrame, event: &Event) {
    if !signal::fault(event) {
        oops::user_fault(frame, event)
    }
    return_to_user(frame);
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
        return user_fault(frame, &event);
    }
    if expected_exception::catch_expected(frame, &event) {
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
        return user_fault(frame, &event);
    }
    let instruction_status = || FaultStatus::instruction(<Ifsr as SysRegRead>::read_raw());
    if status.is_fixable(instruction_status)
        && let Some(fixup) = uaccess::extable::fixup_for(frame.pc)
    {
        frame.pc = fixup;
        return;
    }
    if expected_exception::catch_expected(frame, &event) {
        return;
    }
    oops::kernel_fault(frame, &FaultHeadline { kind: AbortKind::Data, status, address })
}

#[unsafe(no_mangle)]
extern "C" fn handle_irq(frame: &mut TrapFrame) {
    invariants::check_entry(ExceptionKind::Irq, frame);
    if expected_exception::catch_expected(frame, &Event::new(ExceptionKind::Irq)) {
        return;
    }
    interrupts::handle();
    if frame.from_user() {
        return_to_user(frame);
    }
}

#[unsafe(no_mangle)]
extern "C" fn handle_fiq(frame: &mut TrapFrame) {
    dispatch_unexpected(frame, Event::new(ExceptionKind::Fiq));
}
