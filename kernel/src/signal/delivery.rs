//! Delivering signals on the way back to user mode, a user fault as a signal, and
//! `rt_sigreturn`: the two crossings of the signal frame through uaccess.

use super::frame::{self, FRAME_BYTES};
use crate::arch::trap_frame::TrapFrame;
use crate::errno::Errno;
use crate::fault::{Event, FaultKind};
use crate::process::signal_state::{Disposition, Info};
use crate::process::{self, Cause, Death};
use crate::uaccess::{UserPtr, copy_from_user, copy_record_to_user};
use swpan_abi::Record;
use swpan_abi::signal::{SIGILL, SIGSEGV, SignalFrame, code};

/// Linux's `trap_no` for an abort (the data abort's vector number, as arch/arm/mm/fault.c).
const TRAP_ABORT: u32 = 14;
/// Linux's `trap_no` for an undefined instruction.
const TRAP_UNDEFINED: u32 = 6;

/// Delivers the next pending signal of the running process, if any, to the user registers in
/// `registers` (a user frame about to be returned to): an ignored one is dropped, a default
/// "term" or "core" ends the process, a handler gets its frame. One handler per return: the
/// others wait for the next one (the handler's `rt_sigreturn` is one). IRQs are masked.
pub fn deliver_pending(registers: &mut TrapFrame) {
    loop {
        let taken = process::with_current_if_signalled(|process| {
            let signal = process.signals.next()?;
            let blocked = process.signals.blocked;
            let (disposition, info) = process.signals.take(signal);
            Some((signal, blocked, disposition, info))
        });
        let Some((signal, blocked, disposition, info)) = taken.flatten() else { return };
        match disposition {
            Disposition::Ignore => continue,
            Disposition::Terminate => {
                process::exit_current(Death::Killed { signal, cause: Cause::Signal })
            }
            Disposition::Handle(action) => {
                let record = frame::build(registers, signal, &info, blocked);
                let address = frame::frame_address(registers.sp_usr).ok_or(Errno::EFAULT);
                let written = address.and_then(|address| {
                    copy_record_to_user(UserPtr::<SignalFrame>::new(address), &record)
                        .map(|()| address)
                });
                match written {
                    Ok(address) => frame::enter_handler(registers, address, signal, &action),
                    Err(_) => bad_stack(registers),
                }
                return;
            }
        }
    }
}

/// The handler's frame does not fit where the SP points (unmapped, read-only, the kernel
/// half, or below address 0): the process dies with SIGSEGV, as on Linux.
fn bad_stack(registers: &TrapFrame) -> ! {
    crate::println!(
        "{}[{}]: cannot write a signal frame below sp {:08x}: SIGSEGV",
        process::current_name(),
        process::current_pid(),
        registers.sp_usr
    );
    process::exit_current(Death::Killed { signal: SIGSEGV, cause: Cause::Signal })
}

/// A user-mode fault or undefined instruction (`event`) as a signal: SIGSEGV with
/// SEGV_MAPERR (nothing mapped) or SEGV_ACCERR (mapped, no permission) and the address, or
/// SIGILL with ILL_ILLOPC and the PC. Forced through a block or an ignore, as Linux does.
/// Returns true when a handler will run (delivered by [`deliver_pending`]); false when the
/// default action applies, for the caller to report and kill as before.
pub fn fault(event: &Event) -> bool {
    let (signal, info) = match (event.status, event.address) {
        (Some(status), Some(address)) => {
            let unmapped = matches!(status.kind(), FaultKind::Translation(_));
            let code = if unmapped { code::SEGV_MAPERR } else { code::SEGV_ACCERR };
            let trap_number = TRAP_ABORT;
            let info = Info {
                code,
                first: address,
                trap_number,
                error_code: status.raw(),
                ..Info::default()
            };
            (SIGSEGV, info)
        }
        (_, address) => {
            let first = address.unwrap_or(0);
            let info = Info {
                code: code::ILL_ILLOPC,
                first,
                trap_number: TRAP_UNDEFINED,
                ..Info::default()
            };
            (SIGILL, info)
        }
    };
    process::change_current_signals(|signals| {
        signals.force(signal, info);
        let handled = signals.action(signal).handler > swpan_abi::signal::SIG_IGN;
        if !handled {
            // The default action kills: the caller ends the process with its report.
            signals.pending &= !swpan_abi::signal::bit(signal);
        }
        handled
    })
}

/// `rt_sigreturn`: restores the registers and the blocked set from the frame at SP, which
/// must be 8-byte aligned and wholly readable user memory. A frame that is not, or whose CPSR
/// is not a user CPSR with the masks unchanged, is SIGSEGV (forced: it kills unless a
/// handler takes it), and the registers stay as they were. Returns the restored r0, which
/// the dispatcher puts back in r0.
pub fn sigreturn(registers: &mut TrapFrame) -> Result<u32, Errno> {
    let sp = registers.sp_usr;
    let mut bytes = [0u8; FRAME_BYTES as usize];
    let read =
        if sp & 7 != 0 { Err(Errno::EFAULT) } else { copy_from_user(&mut bytes, UserPtr::new(sp)) };
    let restored = read.ok().and_then(|()| {
        let saved = SignalFrame::from_bytes(&bytes);
        frame::restore(registers, &saved).ok()
    });
    match restored {
        Some(blocked) => {
            process::change_current_signals(|signals| signals.blocked = blocked);
            Ok(registers.r[0])
        }
        None => {
            let info = Info { code: code::SI_KERNEL, ..Info::default() };
            process::change_current_signals(|signals| signals.force(SIGSEGV, info));
            Ok(registers.r[0])
        }
    }
}
