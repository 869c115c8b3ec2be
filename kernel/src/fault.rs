//! Decoding the fault status registers (DFSR, IFSR) of the VMSAv7 short-descriptor format.
//!
//! ARM ARM (DDI 0406C) B4.1.52 DFSR and B4.1.96 IFSR: the fault status FS is bits [3:0] with
//! bit 10 as FS[4]; the DFSR adds the domain (bits [7:4]), WnR (bit 11), ExT (bit 12) and CM
//! (bit 13). The names follow the ones Linux prints, so an oops here reads like one there.
//! Pure logic, unit-tested on the host.

use crate::arch::exception_kind::ExceptionKind;
use core::fmt;

/// Which translation level a fault was found at: a section (level 1) or a page (level 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// First-level descriptor: a section, or the walk's first step.
    Section,
    /// Second-level descriptor: a small page, or the walk's second step.
    Page,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Section => "section",
            Level::Page => "page",
        }
    }
}

/// The cause of an abort, from FS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// FS 0x01: an unaligned access where alignment is required.
    Alignment,
    /// FS 0x02: a debug event (BKPT, a watchpoint).
    Debug,
    /// FS 0x03 / 0x06: the descriptor's access flag is clear.
    AccessFlag(Level),
    /// FS 0x04: a fault on an instruction cache maintenance operation by address (ICIMVAU),
    /// as cores without the Large Physical Address Extension report it in the DFSR; the fault
    /// the operation took (translation, permission...) is then in the IFSR. Cores with it, the
    /// Cortex-A15 among them, report that fault itself in the DFSR, with CM set.
    CacheMaintenance,
    /// FS 0x05 / 0x07: no valid descriptor.
    Translation(Level),
    /// FS 0x08: a synchronous external abort.
    SyncExternal,
    /// FS 0x09 / 0x0B: the domain is set to No access (or the reserved value) in the DACR.
    Domain(Level),
    /// FS 0x0C / 0x0E: an external abort on the translation table walk.
    ExternalOnWalk(Level),
    /// FS 0x0D / 0x0F: the access permissions (AP, XN, PXN) forbid the access.
    Permission(Level),
    /// FS 0x10: a TLB conflict abort.
    TlbConflict,
    /// FS 0x14: implementation defined, lockdown.
    Lockdown,
    /// FS 0x16: an asynchronous external abort.
    AsyncExternal,
    /// FS 0x18: an asynchronous parity error on a memory access.
    AsyncParity,
    /// FS 0x19: a synchronous parity error on a memory access.
    SyncParity,
    /// FS 0x1A: implementation defined, coprocessor abort.
    Coprocessor,
    /// FS 0x1C / 0x1E: a parity error on the translation table walk.
    ParityOnWalk(Level),
    /// Any other FS value: reserved by the architecture.
    Reserved(u8),
}

impl FaultKind {
    /// Decodes a 5-bit FS value.
    pub const fn from_status(status: u8) -> FaultKind {
        match status {
            0x01 => FaultKind::Alignment,
            0x02 => FaultKind::Debug,
            0x03 => FaultKind::AccessFlag(Level::Section),
            0x04 => FaultKind::CacheMaintenance,
            0x05 => FaultKind::Translation(Level::Section),
            0x06 => FaultKind::AccessFlag(Level::Page),
            0x07 => FaultKind::Translation(Level::Page),
            0x08 => FaultKind::SyncExternal,
            0x09 => FaultKind::Domain(Level::Section),
            0x0B => FaultKind::Domain(Level::Page),
            0x0C => FaultKind::ExternalOnWalk(Level::Section),
            0x0D => FaultKind::Permission(Level::Section),
            0x0E => FaultKind::ExternalOnWalk(Level::Page),
            0x0F => FaultKind::Permission(Level::Page),
            0x10 => FaultKind::TlbConflict,
            0x14 => FaultKind::Lockdown,
            0x16 => FaultKind::AsyncExternal,
            0x18 => FaultKind::AsyncParity,
            0x19 => FaultKind::SyncParity,
            0x1A => FaultKind::Coprocessor,
            0x1C => FaultKind::ParityOnWalk(Level::Section),
            0x1E => FaultKind::ParityOnWalk(Level::Page),
            other => FaultKind::Reserved(other),
        }
    }

    /// True for the faults the MMU raises from the tables and the DACR, the ones an exception
    /// table fixup may handle (translation, access flag, permission). Domain faults are not in
    /// this set on purpose: in this kernel a domain fault is always a bug.
    pub const fn is_translation_or_permission(self) -> bool {
        matches!(
            self,
            FaultKind::Translation(_) | FaultKind::AccessFlag(_) | FaultKind::Permission(_)
        )
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::Alignment => f.write_str("alignment exception"),
            FaultKind::Debug => f.write_str("debug event"),
            FaultKind::AccessFlag(level) => write!(f, "{} access flag fault", level.name()),
            FaultKind::CacheMaintenance => f.write_str("I-cache maintenance fault"),
            FaultKind::Translation(level) => write!(f, "{} translation fault", level.name()),
            FaultKind::SyncExternal => f.write_str("synchronous external abort"),
            FaultKind::Domain(level) => write!(f, "{} domain fault", level.name()),
            FaultKind::ExternalOnWalk(level) => {
                write!(f, "external abort on translation ({} walk)", level.name())
            }
            FaultKind::Permission(level) => write!(f, "{} permission fault", level.name()),
            FaultKind::TlbConflict => f.write_str("TLB conflict abort"),
            FaultKind::Lockdown => f.write_str("lockdown abort"),
            FaultKind::AsyncExternal => f.write_str("asynchronous external abort"),
            FaultKind::AsyncParity => f.write_str("asynchronous parity error"),
            FaultKind::SyncParity => f.write_str("synchronous parity error"),
            FaultKind::Coprocessor => f.write_str("coprocessor abort"),
            FaultKind::ParityOnWalk(level) => {
                write!(f, "parity error on translation ({} walk)", level.name())
            }
            FaultKind::Reserved(status) => write!(f, "reserved fault status {status:#04x}"),
        }
    }
}

/// What the faulting access tried to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Execute,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Execute => "execute",
        })
    }
}

/// The IFSR bits the short-descriptor format defines: FS[3:0], FS[4] (bit 10), ExT (bit 12).
const IFSR_DEFINED_BITS: u32 = 0x140F;

/// A raw fault status register value, DFSR or IFSR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultStatus {
    raw: u32,
    instruction: bool,
}

impl FaultStatus {
    /// A DFSR value (data abort).
    pub const fn data(raw: u32) -> FaultStatus {
        FaultStatus { raw, instruction: false }
    }

    /// An IFSR value (prefetch abort). Only FS and ExT are kept: bits [7:4] of the IFSR are
    /// UNK in the architecture (QEMU happens to put the domain there), so they are dropped, as
    /// they would read on hardware that leaves them zero.
    pub const fn instruction(raw: u32) -> FaultStatus {
        FaultStatus { raw: raw & IFSR_DEFINED_BITS, instruction: true }
    }

    /// The register value as read.
    pub const fn raw(self) -> u32 {
        self.raw
    }

    /// FS[4:0]: bits [3:0] with bit 10 as FS[4].
    pub const fn status(self) -> u8 {
        ((self.raw & 0xF) | ((self.raw >> 6) & 0x10)) as u8
    }

    /// The decoded cause.
    pub const fn kind(self) -> FaultKind {
        FaultKind::from_status(self.status())
    }

    /// The domain of the faulting address (DFSR bits [7:4]); meaningful for domain faults.
    /// An IFSR has no domain field: `None`.
    pub const fn domain(self) -> Option<u8> {
        if self.instruction { None } else { Some(((self.raw >> 4) & 0xF) as u8) }
    }

    /// Read, write (DFSR.WnR, bit 11) or instruction fetch.
    pub const fn access(self) -> Access {
        if self.instruction {
            Access::Execute
        } else if self.raw & (1 << 11) != 0 {
            Access::Write
        } else {
            Access::Read
        }
    }

    /// DFSR.ExT (bit 12): the implementation-defined classification of an external abort.
    pub const fn external_type(self) -> bool {
        self.raw & (1 << 12) != 0
    }

    /// DFSR.CM (bit 13): the abort came from a cache maintenance operation.
    pub const fn cache_maintenance(self) -> bool {
        !self.instruction && self.raw & (1 << 13) != 0
    }

    /// The fault behind a data abort: the DFSR's own, except for an instruction cache
    /// maintenance fault (FS 0b00100), where the architecture puts the fault the operation
    /// took in the IFSR. `ifsr` is read only in that case.
    pub fn underlying_kind(self, ifsr: impl FnOnce() -> FaultStatus) -> FaultKind {
        match self.kind() {
            FaultKind::CacheMaintenance if !self.instruction => ifsr().kind(),
            kind => kind,
        }
    }

    /// True when a listed user access that took this abort resumes at its exception-table
    /// fixup: the underlying fault is a translation, access flag or permission fault, also
    /// when a cache maintenance operation by address took it (CM set on cores with the Large
    /// Physical Address Extension, FS 0b00100 with the cause in the IFSR on the others). A
    /// domain fault never is, whichever register reports it.
    pub fn is_fixable(self, ifsr: impl FnOnce() -> FaultStatus) -> bool {
        self.underlying_kind(ifsr).is_translation_or_permission()
    }
}

impl fmt::Display for FaultStatus {
    /// `page domain fault (0x01b), domain 1, read`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:#05x})", self.kind(), self.raw)?;
        if let (Some(domain), FaultKind::Domain(_)) = (self.domain(), self.kind()) {
            write!(f, ", domain {domain}")?;
        }
        write!(f, ", {}", self.access())?;
        if self.cache_maintenance() {
            f.write_str(", cache maintenance")?;
        }
        if self.external_type() {
            f.write_str(", ExT")?;
        }
        Ok(())
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
    /// An exception with no fault status and no address.
    pub fn new(kind: ExceptionKind) -> Event {
        Event { kind, status: None, address: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;

    // Values worked out from ARM ARM B4.1.52 and observed under QEMU.
    #[test]
    fn kernel_read_of_a_user_page_in_domain_1() {
        // Domain 1 in bits [7:4], FS 0b01011 (page domain fault), WnR clear.
        let dfsr = FaultStatus::data(0x01B);
        assert_eq!(dfsr.status(), 0x0B);
        assert_eq!(dfsr.kind(), FaultKind::Domain(Level::Page));
        assert_eq!(dfsr.domain(), Some(1));
        assert_eq!(dfsr.access(), Access::Read);
        assert_eq!(dfsr.to_string(), "page domain fault (0x01b), domain 1, read");
    }

    #[test]
    fn kernel_write_sets_wnr() {
        let dfsr = FaultStatus::data(0x81B);
        assert_eq!(dfsr.access(), Access::Write);
        assert_eq!(dfsr.kind(), FaultKind::Domain(Level::Page));
    }

    #[test]
    fn section_domain_fault_seen_under_qemu() {
        assert_eq!(FaultStatus::data(0x19).kind(), FaultKind::Domain(Level::Section));
        assert_eq!(FaultStatus::instruction(0x19).kind(), FaultKind::Domain(Level::Section));
        assert_eq!(FaultStatus::instruction(0x19).domain(), None);
        assert_eq!(FaultStatus::instruction(0x1d).kind(), FaultKind::Permission(Level::Section));
        assert_eq!(FaultStatus::instruction(0x00b).access(), Access::Execute);
        // QEMU reports the domain in IFSR[7:4], which the architecture leaves UNK.
        assert_eq!(FaultStatus::instruction(0x01b).raw(), 0x00b);
    }

    #[test]
    fn bit_10_is_fs4() {
        // FS 0b10110: asynchronous external abort; bit 10 set, bits [3:0] = 0b0110.
        let dfsr = FaultStatus::data(0x406);
        assert_eq!(dfsr.status(), 0x16);
        assert_eq!(dfsr.kind(), FaultKind::AsyncExternal);
        // Without bit 10 the same low bits are a page access flag fault.
        assert_eq!(FaultStatus::data(0x006).kind(), FaultKind::AccessFlag(Level::Page));
        assert_eq!(FaultStatus::data(0x400).kind(), FaultKind::TlbConflict);
        assert_eq!(FaultStatus::data(0x408).kind(), FaultKind::AsyncParity);
        assert_eq!(FaultStatus::data(0x409).kind(), FaultKind::SyncParity);
    }

    #[test]
    fn every_status_decodes() {
        let table = [
            (0x01, "alignment exception"),
            (0x02, "debug event"),
            (0x03, "section access flag fault"),
            (0x04, "I-cache maintenance fault"),
            (0x05, "section translation fault"),
            (0x06, "page access flag fault"),
            (0x07, "page translation fault"),
            (0x08, "synchronous external abort"),
            (0x09, "section domain fault"),
            (0x0B, "page domain fault"),
            (0x0C, "external abort on translation (section walk)"),
            (0x0D, "section permission fault"),
            (0x0E, "external abort on translation (page walk)"),
            (0x0F, "page permission fault"),
            (0x1C, "parity error on translation (section walk)"),
            (0x00, "reserved fault status 0x00"),
        ];
        for (status, name) in table {
            assert_eq!(FaultKind::from_status(status).to_string(), name, "FS {status:#x}");
        }
    }

    #[test]
    fn only_table_faults_are_fixable() {
        assert!(FaultKind::Translation(Level::Page).is_translation_or_permission());
        assert!(FaultKind::Permission(Level::Section).is_translation_or_permission());
        assert!(FaultKind::AccessFlag(Level::Page).is_translation_or_permission());
        assert!(!FaultKind::Domain(Level::Page).is_translation_or_permission());
        assert!(!FaultKind::Alignment.is_translation_or_permission());
        assert!(!FaultKind::SyncExternal.is_translation_or_permission());
    }

    fn no_ifsr() -> FaultStatus {
        panic!("the IFSR is only read for an I-cache maintenance fault")
    }

    #[test]
    fn cache_maintenance_faults_are_fixable_like_the_others() {
        // Cortex-A15 (LPAE): ICIMVAU or DCCMVAU on an unmapped page is a page translation
        // fault with CM and WnR set.
        let lpae = FaultStatus::data((1 << 13) | (1 << 11) | 0x07);
        assert_eq!(lpae.underlying_kind(no_ifsr), FaultKind::Translation(Level::Page));
        assert!(lpae.is_fixable(no_ifsr));
        // Without LPAE: FS 0b00100 in the DFSR, the translation fault in the IFSR.
        let icimvau = FaultStatus::data((1 << 11) | 0x04);
        assert_eq!(icimvau.kind(), FaultKind::CacheMaintenance);
        let section_translation = || FaultStatus::instruction(0x05);
        assert_eq!(
            icimvau.underlying_kind(section_translation),
            FaultKind::Translation(Level::Section)
        );
        assert!(icimvau.is_fixable(section_translation));
        assert!(icimvau.is_fixable(|| FaultStatus::instruction(0x0F)));
        // A domain fault stays a bug, however it is reported.
        assert!(!icimvau.is_fixable(|| FaultStatus::instruction(0x0B)));
        assert!(!FaultStatus::data((1 << 13) | 0x1B).is_fixable(no_ifsr));
        // The other faults read no IFSR and keep their verdict.
        assert!(FaultStatus::data(0x807).is_fixable(no_ifsr));
        assert!(!FaultStatus::data(0x01B).is_fixable(no_ifsr));
        assert!(!FaultStatus::data(0x001).is_fixable(no_ifsr));
        // FS 0b00100 in an IFSR is reserved, not a cache maintenance fault with a cause.
        assert!(!FaultStatus::instruction(0x04).is_fixable(no_ifsr));
        assert_eq!(icimvau.to_string(), "I-cache maintenance fault (0x804), write");
    }

    #[test]
    fn extra_bits() {
        let dfsr = FaultStatus::data((1 << 13) | (1 << 12) | 0x07);
        assert!(dfsr.cache_maintenance());
        assert!(dfsr.external_type());
        assert_eq!(
            dfsr.to_string(),
            "page translation fault (0x3007), read, cache maintenance, ExT"
        );
    }
}
