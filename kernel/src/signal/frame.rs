//! The signal frame as pure logic: the record a handler's entry writes below the interrupted
//! SP, the registers the handler starts with, and `rt_sigreturn`'s check and restore.
//!
//! The frame holds the user registers, CPSR included, in user memory, where the process can
//! rewrite them before it calls `rt_sigreturn`. So the restored CPSR is checked as Linux's
//! `valid_user_regs` does: the mode must be User and the A, I and F masks must stay as they
//! were. A forged frame that asks for SVC mode (or any privileged mode) would otherwise make
//! the exception return land in the kernel's mode at an address the attacker chose.

use crate::arch::psr::{MODE_MASK, MODE_USR, PSR_A, PSR_F, PSR_I, PSR_T};
use crate::arch::trap_frame::TrapFrame;
use crate::process::signal_state::{Action, Info};
use swpan_abi::signal::{self, SignalFrame, UCONTEXT_OFFSET, UNBLOCKABLE};

/// The frame's size in bytes.
pub const FRAME_BYTES: u32 = core::mem::size_of::<SignalFrame>() as u32;

/// CPSR.J: Jazelle state, which no user process may enter.
const PSR_J: u32 = 1 << 24;
/// CPSR.IT\[7:2\] and IT\[1:0\]: the Thumb If-Then state.
const PSR_IT: u32 = 0x0600_FC00;
/// The interrupt masks a user process cannot change.
const PSR_MASKS: u32 = PSR_A | PSR_I | PSR_F;

/// Whether `restored` may become the CPSR of a process whose CPSR is now `current`: User
/// mode, ARM or Thumb state (never Jazelle), and the A, I and F masks exactly as they are.
/// The flags, GE, IT and E bits are the process's own to set.
pub const fn valid_user_cpsr(restored: u32, current: u32) -> bool {
    restored & MODE_MASK == MODE_USR
        && restored & PSR_J == 0
        && restored & PSR_MASKS == current & PSR_MASKS
}

/// Where the frame goes for a process whose SP is `sp`: below it, 8-byte aligned, as Linux's
/// `get_sigframe`. `None` when it would wrap below address 0.
pub const fn frame_address(sp: u32) -> Option<u32> {
    match sp.checked_sub(FRAME_BYTES) {
        Some(address) => Some(address & !7),
        None => None,
    }
}

/// The frame for delivering `signal` with `info` to the process interrupted in `registers`,
/// which had `blocked` blocked before the handler.
pub fn build(registers: &TrapFrame, signal: u32, info: &Info, blocked: u64) -> SignalFrame {
    let mut frame = SignalFrame::empty();
    frame.signal = signal;
    frame.errno = info.errno;
    frame.code = info.code;
    frame.fields[0] = info.first;
    frame.fields[1] = info.second;
    frame.fields[2] = info.third;
    frame.trap_no = info.trap_number;
    frame.error_code = info.error_code;
    frame.fault_address = if info.trap_number != 0 { info.first } else { 0 };
    frame.oldmask = blocked as u32;
    frame.r.copy_from_slice(&registers.r[..11]);
    frame.fp = registers.r[11];
    frame.ip = registers.r[12];
    frame.sp = registers.sp_usr;
    frame.lr = registers.lr_usr;
    frame.pc = registers.pc;
    frame.cpsr = registers.spsr;
    frame.sigmask = signal::set_words(blocked);
    frame
}

/// Points the user registers at the handler of `action`, with the frame at `address`:
/// r0 the signal, r1 the `siginfo_t`, r2 the `ucontext`, SP the frame, LR the restorer, PC
/// the handler (Thumb state if its address is odd), no If-Then state.
pub fn enter_handler(registers: &mut TrapFrame, address: u32, signal: u32, action: &Action) {
    registers.r[0] = signal;
    registers.r[1] = address;
    registers.r[2] = address + UCONTEXT_OFFSET;
    registers.sp_usr = address;
    registers.lr_usr = action.restorer;
    registers.pc = action.handler & !1;
    let thumb = if action.handler & 1 != 0 { PSR_T } else { 0 };
    registers.spsr = (registers.spsr & !(PSR_T | PSR_IT)) | thumb;
}

/// A frame `rt_sigreturn` refuses: the process dies with SIGSEGV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadFrame;

/// `rt_sigreturn`'s restore: the user registers from `frame`, if its CPSR is one the process
/// may have. Returns the blocked set to restore (never SIGKILL or SIGSTOP). A refused frame
/// leaves `registers` untouched.
pub fn restore(registers: &mut TrapFrame, frame: &SignalFrame) -> Result<u64, BadFrame> {
    if !valid_user_cpsr(frame.cpsr, registers.spsr) {
        return Err(BadFrame);
    }
    registers.r[..11].copy_from_slice(&frame.r);
    registers.r[11] = frame.fp;
    registers.r[12] = frame.ip;
    registers.sp_usr = frame.sp;
    registers.lr_usr = frame.lr;
    registers.pc = frame.pc;
    registers.spsr = frame.cpsr;
    Ok(signal::set_from_words(frame.sigmask) & !UNBLOCKABLE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::psr::{MODE_ABT, MODE_IRQ, MODE_SVC, MODE_SYS};
    use swpan_abi::signal::{SIGSEGV, SIGUSR1, bit, flags};

    /// The CPSR every process starts with (`spawn`).
    const USER: u32 = MODE_USR | PSR_F;

    fn interrupted() -> TrapFrame {
        let mut registers = TrapFrame {
            sp_usr: 0x7FFF_F000,
            lr_usr: 0x1_0101,
            pc: 0x1_0200,
            spsr: USER | 0x2000_0000,
            ..TrapFrame::default()
        };
        for (index, register) in registers.r.iter_mut().enumerate() {
            *register = 0x100 + index as u32;
        }
        registers
    }

    #[test]
    fn only_user_mode_with_the_same_masks_is_valid() {
        assert!(valid_user_cpsr(USER, USER));
        assert!(valid_user_cpsr(USER | PSR_T | 0xF800_0000 | 0x000F_0000, USER), "flags, GE");
        for mode in [MODE_SVC, MODE_SYS, MODE_IRQ, MODE_ABT, 0x1A, 0x16, 0x11, 0x1B] {
            assert!(!valid_user_cpsr((USER & !MODE_MASK) | mode, USER), "mode {mode:#x}");
        }
        assert!(!valid_user_cpsr(USER | PSR_I, USER), "IRQs masked");
        assert!(!valid_user_cpsr(USER | PSR_A, USER), "aborts masked");
        assert!(!valid_user_cpsr(MODE_USR, USER), "FIQ mask changed");
        assert!(!valid_user_cpsr(USER | PSR_J, USER), "Jazelle");
    }

    #[test]
    fn frame_goes_below_the_stack_aligned() {
        assert_eq!(frame_address(0x7FFF_F000), Some((0x7FFF_F000 - 880) & !7));
        assert_eq!(frame_address(0x7FFF_F004).map(|address| address % 8), Some(0));
        assert_eq!(frame_address(100), None);
    }

    #[test]
    fn handler_entry_and_return_round_trip() {
        let mut registers = interrupted();
        let before = registers.clone();
        let info =
            Info { code: 1, first: 0xDEAD_0000, trap_number: 14, error_code: 7, ..Info::default() };
        let frame = build(&registers, SIGSEGV, &info, bit(SIGUSR1));
        assert_eq!((frame.signal, frame.code, frame.fields[0]), (SIGSEGV, 1, 0xDEAD_0000));
        assert_eq!((frame.trap_no, frame.error_code, frame.fault_address), (14, 7, 0xDEAD_0000));
        assert_eq!((frame.r[10], frame.fp, frame.ip), (0x10A, 0x10B, 0x10C));
        assert_eq!((frame.sp, frame.pc, frame.cpsr), (0x7FFF_F000, 0x1_0200, before.spsr));
        assert_eq!(signal::set_from_words(frame.sigmask), bit(SIGUSR1));

        let action =
            Action { handler: 0x2_0001, flags: flags::SA_RESTORER, restorer: 0x3000, mask: 0 };
        let address = frame_address(registers.sp_usr).unwrap();
        enter_handler(&mut registers, address, SIGSEGV, &action);
        assert_eq!(registers.r[..3], [SIGSEGV, address, address + 128]);
        assert_eq!((registers.sp_usr, registers.lr_usr), (address, 0x3000));
        assert_eq!(registers.pc, 0x2_0000);
        assert!(registers.psr().is_thumb() && registers.psr().is_user());

        assert_eq!(restore(&mut registers, &frame), Ok(bit(SIGUSR1)));
        assert_eq!(registers.r, before.r);
        assert_eq!((registers.sp_usr, registers.lr_usr), (before.sp_usr, before.lr_usr));
        assert_eq!((registers.pc, registers.spsr), (before.pc, before.spsr));
    }

    #[test]
    fn a_seccomp_trap_s_siginfo_is_at_linux_s_offsets() {
        use swpan_abi::Record;
        let info = Info {
            code: swpan_abi::signal::code::SYS_SECCOMP,
            errno: 0x1234,
            first: 0x8124,
            second: 20,
            third: 0x4000_0028,
            ..Info::default()
        };
        let bytes = build(&interrupted(), swpan_abi::signal::SIGSYS, &info, 0).to_bytes();
        let word =
            |offset: usize| u32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap());
        // signo 0, errno 4, code 8, call_addr 12, syscall 16, arch 20.
        assert_eq!([0, 4, 8, 12, 16, 20].map(word), [31, 0x1234, 1, 0x8124, 20, 0x4000_0028]);
        assert_eq!(build(&interrupted(), 31, &info, 0).fault_address, 0);
    }

    #[test]
    fn a_forged_privileged_frame_is_refused_untouched() {
        let mut registers = interrupted();
        let mut frame = build(&registers, SIGUSR1, &Info::default(), 0);
        frame.cpsr = (frame.cpsr & !MODE_MASK) | MODE_SVC;
        frame.pc = 0x8000_0000;
        let before = registers.clone();
        assert_eq!(restore(&mut registers, &frame), Err(BadFrame));
        assert_eq!((registers.pc, registers.spsr, registers.r), (before.pc, before.spsr, before.r));
        frame.cpsr = USER;
        frame.sigmask = [u32::MAX, u32::MAX];
        assert_eq!(restore(&mut registers, &frame), Ok(!UNBLOCKABLE));
    }
}
