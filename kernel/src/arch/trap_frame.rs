//! The trap frame: the state of the interrupted context, saved by every exception entry.
//!
//! The entry stubs in `vectors.s` build it on the SVC stack and the exception return
//! restores from it; Rust handlers see it as `&mut TrapFrame`. The assembly takes every
//! offset below as a `const` operand, so the layout is written down once, here, and the
//! assertions at the end of this file check it at compile time.

use super::psr::Psr;
use core::mem::{offset_of, size_of};

/// Registers of an interrupted context, in the order the entry stubs store them.
///
/// `pc` and `spsr` sit at the top because `srsdb` pushes them first, and `rfeia` pops them
/// last. The User-mode SP and LR are saved with `stm {sp, lr}^` whatever the interrupted
/// mode; when the interrupted context is the kernel (SVC mode), its own SP is the frame's
/// end (`frame address + size_of::<TrapFrame>()`) and its LR is `lr_svc`.
#[repr(C)]
#[derive(Clone, Debug, Default)]
pub struct TrapFrame {
    /// r0-r12.
    pub r: [u32; 13],
    /// SP_usr.
    pub sp_usr: u32,
    /// LR_usr.
    pub lr_usr: u32,
    /// LR_svc: the kernel's link register if the kernel was interrupted.
    pub lr_svc: u32,
    /// The DACR of the interrupted context. Saved on entry from kernel mode and restored on
    /// the return there; a return to user mode writes the user value instead.
    pub dacr: u32,
    /// Keeps the frame a multiple of 8 bytes.
    pub reserved: u32,
    /// The preferred return address: where the interrupted context resumes.
    pub pc: u32,
    /// SPSR: the interrupted context's CPSR.
    pub spsr: u32,
}

impl TrapFrame {
    /// The interrupted context's status register.
    pub const fn psr(&self) -> Psr {
        Psr(self.spsr)
    }

    /// True when the exception came from a user process.
    pub const fn from_user(&self) -> bool {
        self.psr().is_user()
    }

    /// The interrupted context's stack pointer.
    pub fn sp(&self) -> u32 {
        if self.from_user() {
            self.sp_usr
        } else {
            // The frame sits right below the SP the kernel had when it was interrupted.
            (self as *const TrapFrame as u32).wrapping_add(size_of::<TrapFrame>() as u32)
        }
    }

    /// The interrupted context's link register.
    pub const fn lr(&self) -> u32 {
        if self.from_user() { self.lr_usr } else { self.lr_svc }
    }

    /// The frame pointer (r11 in the ARM-state procedure call standard).
    pub const fn fp(&self) -> u32 {
        self.r[11]
    }
}

/// Size of the frame in bytes.
pub const FRAME_SIZE: usize = size_of::<TrapFrame>();
/// Offset of `sp_usr`; `lr_usr` follows it, for `stm {sp, lr}^`.
pub const FRAME_SP_USR: usize = offset_of!(TrapFrame, sp_usr);
/// Offset of `lr_svc`.
pub const FRAME_LR_SVC: usize = offset_of!(TrapFrame, lr_svc);
/// Offset of `dacr`.
pub const FRAME_DACR: usize = offset_of!(TrapFrame, dacr);
/// Offset of `pc`; `spsr` follows it, for `srsdb` / `rfeia`.
pub const FRAME_PC: usize = offset_of!(TrapFrame, pc);
/// Offset of `spsr`.
pub const FRAME_SPSR: usize = offset_of!(TrapFrame, spsr);

const _: () = {
    assert!(offset_of!(TrapFrame, r) == 0, "stmia sp, {{r0-r12}} stores at the frame base");
    assert!(FRAME_SP_USR == 13 * 4);
    assert!(offset_of!(TrapFrame, lr_usr) == FRAME_SP_USR + 4, "stm {{sp, lr}}^ stores a pair");
    assert!(FRAME_SPSR == FRAME_PC + 4, "srsdb stores {{lr, spsr}} as a pair");
    assert!(FRAME_SPSR + 4 == FRAME_SIZE, "srsdb stores the pair at the top of the frame");
    assert!(FRAME_SIZE.is_multiple_of(8), "the frame keeps an 8-byte aligned SP 8-byte aligned");
    // Immediate operands in the stubs: `sub sp, sp, #imm` must be an ARM modified immediate.
    assert!(FRAME_SIZE - 8 < 256);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_entry_stubs() {
        assert_eq!(FRAME_SIZE, 80);
        assert_eq!(FRAME_LR_SVC, 60);
        assert_eq!(FRAME_DACR, 64);
        assert_eq!(FRAME_PC, 72);
    }

    #[test]
    fn user_and_kernel_registers() {
        let mut frame =
            TrapFrame { spsr: 0x10, sp_usr: 0x7000_0000, lr_usr: 0x1234, ..Default::default() };
        assert!(frame.from_user());
        assert_eq!(frame.sp(), 0x7000_0000);
        assert_eq!(frame.lr(), 0x1234);
        frame.spsr = 0x13;
        frame.lr_svc = 0x8000_1000;
        assert!(!frame.from_user());
        assert_eq!(frame.lr(), 0x8000_1000);
        assert_eq!(frame.sp(), (&frame as *const TrapFrame as u32).wrapping_add(80));
    }
}
