//! Exception handlers: where the entry stubs of `vectors.s` land, one per vector.
//!
//! Each builds an [`Event`] (what happened, the decoded fault status, the faulting address)
//! and decides: a self-test that declared the exception takes it; anything else nobody
//! expects ends in [`crate::oops::fatal_exception`], a report and a power-off.

use super::psr::MODE_SVC;
use super::trap_frame::{FRAME_LR_SVC, FRAME_SIZE, FRAME_SP_USR, TrapFrame};
use crate::fault::FaultStatus;
use crate::{oops, selftest};
use aarch32_cpu::register::{Dfar, Dfsr, Ifar, Ifsr, SysRegRead};
use core::fmt;

core::arch::global_asm!(
    include_str!("vectors.s"),
    MODE_SVC = const MODE_SVC,
    FRAME_SIZE = const FRAME_SIZE,
    FRAME_SP_USR = const FRAME_SP_USR,
    FRAME_LR_SVC = const FRAME_LR_SVC,
);

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
    // LR is the instruction's address + 4 in ARM state, + 2 in Thumb state (ARM ARM B1.8.3).
    let size = if frame.psr().is_thumb() { 2 } else { 4 };
    frame.pc = frame.pc.wrapping_sub(size);
    let event =
        Event { address: Some(frame.pc), ..Event::new(ExceptionKind::UndefinedInstruction) };
    dispatch_unexpected(frame, event);
}

#[unsafe(no_mangle)]
extern "C" fn handle_supervisor_call(frame: &mut TrapFrame) {
    if !frame.from_user() && is_semihosting_call(frame.pc.wrapping_sub(4)) {
        // QEMU traps semihosting SVCs before they become exceptions; one that arrives here
        // means semihosting is off, and returning would re-run the failed call.
        oops::semihosting_disabled()
    }
    dispatch_unexpected(frame, Event::new(ExceptionKind::SupervisorCall));
}

fn is_semihosting_call(address: u32) -> bool {
    // SAFETY: the SVC came from kernel mode, so `address` is the kernel text word that holds
    // the SVC instruction just executed: mapped, readable and aligned.
    unsafe { core::ptr::read_volatile(address as *const u32) == SEMIHOSTING_SVC }
}

#[unsafe(no_mangle)]
extern "C" fn handle_prefetch_abort(frame: &mut TrapFrame) {
    let event = Event {
        kind: ExceptionKind::PrefetchAbort,
        status: Some(FaultStatus::instruction(<Ifsr as SysRegRead>::read_raw())),
        address: Some(Ifar::read().0),
    };
    dispatch_unexpected(frame, event);
}

#[unsafe(no_mangle)]
extern "C" fn handle_data_abort(frame: &mut TrapFrame) {
    let event = Event {
        kind: ExceptionKind::DataAbort,
        status: Some(FaultStatus::data(<Dfsr as SysRegRead>::read_raw())),
        address: Some(Dfar::read().0),
    };
    dispatch_unexpected(frame, event);
}

#[unsafe(no_mangle)]
extern "C" fn handle_irq(frame: &mut TrapFrame) {
    dispatch_unexpected(frame, Event::new(ExceptionKind::Irq));
}

#[unsafe(no_mangle)]
extern "C" fn handle_fiq(frame: &mut TrapFrame) {
    dispatch_unexpected(frame, Event::new(ExceptionKind::Fiq));
}
