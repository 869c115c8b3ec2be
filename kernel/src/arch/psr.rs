//! Program status registers (CPSR, SPSR): processor modes and flags.
//!
//! ARM ARM B1.3.1. Pure logic, unit-tested on the host; the assembly receives these values as
//! `const` operands so they are written down once.

use core::fmt;

/// CPSR.M\[4:0\]: the processor mode field mask.
pub const MODE_MASK: u32 = 0x1F;
/// User mode: unprivileged, where user processes run.
pub const MODE_USR: u32 = 0x10;
/// FIQ mode.
pub const MODE_FIQ: u32 = 0x11;
/// IRQ mode.
pub const MODE_IRQ: u32 = 0x12;
/// Supervisor mode: the kernel runs here, whatever exception brought it in.
pub const MODE_SVC: u32 = 0x13;
/// Monitor mode (Security Extensions).
pub const MODE_MON: u32 = 0x16;
/// Abort mode.
pub const MODE_ABT: u32 = 0x17;
/// Hypervisor mode (Virtualization Extensions); QEMU may enter the kernel here.
pub const MODE_HYP: u32 = 0x1A;
/// Undefined mode.
pub const MODE_UND: u32 = 0x1B;
/// System mode: privileged, with the User mode registers.
pub const MODE_SYS: u32 = 0x1F;
/// CPSR.T: the Thumb instruction set.
pub const PSR_T: u32 = 1 << 5;
/// CPSR.F: FIQs masked.
pub const PSR_F: u32 = 1 << 6;
/// CPSR.I: IRQs masked.
pub const PSR_I: u32 = 1 << 7;
/// CPSR.A: asynchronous aborts masked.
pub const PSR_A: u32 = 1 << 8;

/// A CPSR or SPSR value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Psr(pub u32);

impl Psr {
    /// The mode field.
    pub const fn mode(self) -> u32 {
        self.0 & MODE_MASK
    }

    /// True when the mode is User: the state belongs to a user process.
    pub const fn is_user(self) -> bool {
        self.mode() == MODE_USR
    }

    /// True in Thumb state.
    pub const fn is_thumb(self) -> bool {
        self.0 & PSR_T != 0
    }

    /// The mode's name as Linux prints it (`SVC_32`).
    pub const fn mode_name(self) -> &'static str {
        match self.mode() {
            MODE_USR => "USER_32",
            MODE_FIQ => "FIQ_32",
            MODE_IRQ => "IRQ_32",
            MODE_SVC => "SVC_32",
            MODE_MON => "MON_32",
            MODE_ABT => "ABT_32",
            MODE_HYP => "HYP_32",
            MODE_UND => "UND_32",
            MODE_SYS => "SYSTEM_32",
            _ => "UK_32",
        }
    }
}

impl fmt::Display for Psr {
    /// `nzCv  IRQs on  FIQs off  Mode SVC_32  ISA ARM`: upper case for a set flag.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (bit, set, clear) in [(31, 'N', 'n'), (30, 'Z', 'z'), (29, 'C', 'c'), (28, 'V', 'v')] {
            f.write_fmt(format_args!("{}", if self.0 & (1 << bit) != 0 { set } else { clear }))?;
        }
        let on_off = |mask| if self.0 & mask != 0 { "off" } else { "on" };
        write!(
            f,
            "  IRQs {}  FIQs {}  Mode {}  ISA {}",
            on_off(PSR_I),
            on_off(PSR_F),
            self.mode_name(),
            if self.is_thumb() { "Thumb" } else { "ARM" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;

    #[test]
    fn qemu_entry_state() {
        // platform.md: QEMU enters the kernel with CPSR = 0x400001d3.
        let psr = Psr(0x4000_01d3);
        assert_eq!(psr.mode(), MODE_SVC);
        assert!(!psr.is_user());
        assert_eq!(psr.to_string(), "nZcv  IRQs off  FIQs off  Mode SVC_32  ISA ARM");
    }

    #[test]
    fn user_thumb() {
        let psr = Psr(0x2000_0030);
        assert!(psr.is_user());
        assert!(psr.is_thumb());
        assert_eq!(psr.to_string(), "nzCv  IRQs on  FIQs on  Mode USER_32  ISA Thumb");
        assert_eq!(Psr(0x1a).mode_name(), "HYP_32");
    }
}
