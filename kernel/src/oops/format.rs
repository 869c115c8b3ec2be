//! The lines of a kernel failure report, as Linux words them: pure formatting, host-tested.

use crate::arch::trap_frame::TrapFrame;
use crate::fault::FaultStatus;
use crate::logbuf::Kptr;
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
    /// The addresses and registers go through [`Kptr`]: the console shows them, a reader of
    /// the kernel log sees them as its `kptr_restrict` allows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frame = self.frame;
        let r = frame.r.map(Kptr);
        writeln!(
            f,
            "pc : [<{}>]    lr : [<{}>]    psr: {:08x}",
            Kptr(frame.pc),
            Kptr(frame.lr()),
            frame.spsr
        )?;
        writeln!(f, "sp : {}  ip : {}  fp : {}", Kptr(frame.sp()), r[12], r[11])?;
        writeln!(f, "r10: {}  r9 : {}  r8 : {}", r[10], r[9], r[8])?;
        writeln!(f, "r7 : {}  r6 : {}  r5 : {}  r4 : {}", r[7], r[6], r[5], r[4])?;
        writeln!(f, "r3 : {}  r2 : {}  r1 : {}  r0 : {}", r[3], r[2], r[1], r[0])?;
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
        let stored = dump.to_string();
        // The addresses and registers are %pK fields in the log; psr and CP15 state are not.
        assert!(stored.starts_with("pc : [<\u{1}80001234\u{2}>]    lr : [<\u{1}80001000\u{2}>]"));
        assert!(stored.contains("r0 : \u{1}00000000\u{2}\nFlags"));
        assert!(stored.contains("psr: 60000013\n"));
        // The console leaves the marks out.
        let text = stored.replace(['\u{1}', '\u{2}'], "");
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
