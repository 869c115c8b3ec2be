//! Reports of kernel failures, in the shape of Linux's: the cause, the registers, the DACR.
//!
//! [`RegisterDump`] is pure formatting (unit-tested on the host); the functions that print
//! and power off exist on the target only.

use crate::arch::trap_frame::TrapFrame;
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

#[cfg(target_arch = "arm")]
pub use target::*;

#[cfg(target_arch = "arm")]
mod target {
    use super::{RegisterDump, SystemRegisters};
    use crate::arch::cpu;
    use crate::arch::exception::{Event, ExceptionKind};
    use crate::arch::trap_frame::TrapFrame;
    use crate::console::EmergencyWriter;
    use crate::power::{self, ExitStatus};
    use crate::selftest;
    use aarch32_cpu::register::{Dacr, Sctlr, SysRegRead, Ttbr0};
    use core::fmt::Write;

    /// The CP15 registers shown in a report, read now.
    pub fn system_registers() -> SystemRegisters {
        SystemRegisters {
            sctlr: <Sctlr as SysRegRead>::read_raw(),
            ttbr0: <Ttbr0 as SysRegRead>::read_raw(),
            dacr: <Dacr as SysRegRead>::read_raw(),
        }
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
        let dump = RegisterDump { frame, system: system_registers() };
        let _ = writeln!(out, "{dump}");
        selftest::abandon_current("unexpected exception");
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
