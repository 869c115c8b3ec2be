//! VMSAv7 short-descriptor translation table entries: encoders and decoders.
//!
//! ARM ARM (DDI 0406C) B3.5.1. A first-level (L1) table has 4096 entries, one per MiB; an entry
//! is a fault, a section (a whole MiB), a supersection (not used here) or a pointer to a
//! second-level (L2) table of 256 entries, one per 4 KiB small page.
//!
//! ```text
//! L1 section     31..20 base | 19 NS | 18 0 | 17 nG | 16 S | 15 AP2 | 14..12 TEX | 11..10 AP
//!                | 9 - | 8..5 domain | 4 XN | 3 C | 2 B | 1 1 | 0 PXN
//! L1 page table  31..10 L2 base | 9 - | 8..5 domain | 4 0 | 3 NS | 2 PXN (for the table) | 1..0 01
//! L2 small page  31..12 base | 11 nG | 10 S | 9 AP2 | 8..6 TEX | 5..4 AP | 3 C | 2 B | 1 1 | 0 XN
//! ```
//!
//! Small pages have no PXN bit: the page-table descriptor's PXN ("PXNTABLE") covers all 256
//! pages below it. The domain lives only in the L1 entry. Access permissions use the full AP
//! model (SCTLR.AFE = 0) and memory types the TEX/C/B encodings (SCTLR.TRE = 0).
//!
//! Pure `const fn`s, unit-tested on the host against bit patterns worked out from the ARM ARM.

use crate::domain::Domain;

/// Bytes mapped by a section (one L1 entry).
pub const SECTION_SIZE: u32 = 1 << 20;
/// Bytes mapped by a small page (one L2 entry).
pub const PAGE_SIZE: u32 = 1 << 12;
/// Entries in a full L1 table (16 KiB, 16 KiB aligned).
pub const L1_ENTRIES: usize = 4096;
/// Entries in an L2 table (1 KiB, 1 KiB aligned).
pub const L2_ENTRIES: usize = 256;
/// Bytes in an L2 table.
pub const L2_TABLE_SIZE: u32 = (L2_ENTRIES * 4) as u32;

/// AP\[2:0\]: who may read and write (ARM ARM B3.7.1, table B3-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessPermissions {
    /// 0b000: nobody.
    NoAccess,
    /// 0b001: the kernel reads and writes; user mode has no access.
    KernelReadWrite,
    /// 0b010: the kernel reads and writes; user mode reads.
    KernelReadWriteUserRead,
    /// 0b011: both read and write.
    ReadWrite,
    /// 0b101: the kernel reads; user mode has no access.
    KernelRead,
    /// 0b111: both read, nobody writes.
    Read,
}

impl AccessPermissions {
    /// AP\[2\] in bit 2, AP\[1:0\] in bits 1:0.
    pub const fn bits(self) -> u32 {
        match self {
            AccessPermissions::NoAccess => 0b000,
            AccessPermissions::KernelReadWrite => 0b001,
            AccessPermissions::KernelReadWriteUserRead => 0b010,
            AccessPermissions::ReadWrite => 0b011,
            AccessPermissions::KernelRead => 0b101,
            AccessPermissions::Read => 0b111,
        }
    }

    /// Decodes AP\[2:0\]; 0b100 is reserved and 0b110 is the deprecated twin of 0b111.
    pub const fn from_bits(bits: u32) -> Option<AccessPermissions> {
        match bits & 0b111 {
            0b000 => Some(AccessPermissions::NoAccess),
            0b001 => Some(AccessPermissions::KernelReadWrite),
            0b010 => Some(AccessPermissions::KernelReadWriteUserRead),
            0b011 => Some(AccessPermissions::ReadWrite),
            0b101 => Some(AccessPermissions::KernelRead),
            0b110 | 0b111 => Some(AccessPermissions::Read),
            _ => None,
        }
    }

    /// The kernel (PL1) may write.
    pub const fn kernel_writable(self) -> bool {
        matches!(
            self,
            AccessPermissions::KernelReadWrite
                | AccessPermissions::KernelReadWriteUserRead
                | AccessPermissions::ReadWrite
        )
    }

    /// User mode (PL0) may read.
    pub const fn user_readable(self) -> bool {
        matches!(
            self,
            AccessPermissions::KernelReadWriteUserRead
                | AccessPermissions::ReadWrite
                | AccessPermissions::Read
        )
    }

    /// User mode (PL0) may write.
    pub const fn user_writable(self) -> bool {
        matches!(self, AccessPermissions::ReadWrite)
    }
}

/// The memory type, as TEX\[2:0\], C and B (ARM ARM B3.8.2, table B3-10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryType {
    /// TEX 000, C 0, B 0.
    StronglyOrdered,
    /// TEX 000, C 0, B 1: shareable Device, for device registers.
    Device,
    /// TEX 001, C 0, B 0: Normal, not cacheable.
    NormalUncached,
    /// TEX 001, C 1, B 1: Normal, write-back write-allocate, inner and outer.
    NormalWriteBack,
    /// Any other combination (not used by this kernel), kept for decoding.
    Other {
        /// TEX\[2:0\].
        tex: u8,
        /// C.
        cacheable: bool,
        /// B.
        bufferable: bool,
    },
}

impl MemoryType {
    /// The word the kernel's ptdump prints for the type: `SO`, `DEVICE`, `NC`, `WBWA`, and
    /// `OTHER` for every encoding the kernel does not name.
    pub const fn abbreviation(self) -> &'static str {
        match self {
            MemoryType::StronglyOrdered => "SO",
            MemoryType::Device => "DEVICE",
            MemoryType::NormalUncached => "NC",
            MemoryType::NormalWriteBack => "WBWA",
            MemoryType::Other { .. } => "OTHER",
        }
    }

    /// (TEX, C, B).
    pub const fn tex_c_b(self) -> (u32, u32, u32) {
        match self {
            MemoryType::StronglyOrdered => (0b000, 0, 0),
            MemoryType::Device => (0b000, 0, 1),
            MemoryType::NormalUncached => (0b001, 0, 0),
            MemoryType::NormalWriteBack => (0b001, 1, 1),
            MemoryType::Other { tex, cacheable, bufferable } => {
                ((tex & 0b111) as u32, cacheable as u32, bufferable as u32)
            }
        }
    }

    /// Decodes (TEX, C, B).
    pub const fn from_tex_c_b(tex: u32, cacheable: u32, bufferable: u32) -> MemoryType {
        match (tex & 0b111, cacheable & 1, bufferable & 1) {
            (0b000, 0, 0) => MemoryType::StronglyOrdered,
            (0b000, 0, 1) => MemoryType::Device,
            (0b001, 0, 0) => MemoryType::NormalUncached,
            (0b001, 1, 1) => MemoryType::NormalWriteBack,
            (tex, cacheable, bufferable) => MemoryType::Other {
                tex: tex as u8,
                cacheable: cacheable != 0,
                bufferable: bufferable != 0,
            },
        }
    }
}

/// Everything a leaf entry (section or small page) says about its memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attributes {
    /// AP\[2:0\].
    pub access: AccessPermissions,
    /// TEX/C/B.
    pub memory: MemoryType,
    /// XN: nobody executes from here.
    pub execute_never: bool,
    /// PXN: the kernel never executes from here. Sections only; for small pages it comes from
    /// the page-table descriptor and decodes as false.
    pub privileged_execute_never: bool,
    /// S: shareable (Normal memory only).
    pub shareable: bool,
    /// Not nG: the TLB entry is global rather than tagged with the ASID.
    pub global: bool,
}

impl Attributes {
    /// Kernel RAM that holds code: read-only, executable, global.
    pub const KERNEL_TEXT: Attributes = Attributes {
        access: AccessPermissions::KernelRead,
        memory: MemoryType::NormalWriteBack,
        execute_never: false,
        privileged_execute_never: false,
        shareable: true,
        global: true,
    };
    /// Kernel read-only data: read-only, never executable.
    pub const KERNEL_READ_ONLY: Attributes = Attributes {
        access: AccessPermissions::KernelRead,
        execute_never: true,
        privileged_execute_never: true,
        ..Attributes::KERNEL_TEXT
    };
    /// Kernel data: read-write, never executable.
    pub const KERNEL_DATA: Attributes = Attributes {
        access: AccessPermissions::KernelReadWrite,
        execute_never: true,
        privileged_execute_never: true,
        ..Attributes::KERNEL_TEXT
    };
    /// Device registers: kernel read-write, Device memory, never executable.
    pub const DEVICE: Attributes = Attributes {
        access: AccessPermissions::KernelReadWrite,
        memory: MemoryType::Device,
        execute_never: true,
        privileged_execute_never: true,
        shareable: false,
        global: true,
    };

    /// A user page: `access` for both levels, executable by user mode unless `execute_never`,
    /// tagged with the address space's ASID.
    pub const fn user(access: AccessPermissions, execute_never: bool) -> Attributes {
        Attributes {
            access,
            memory: MemoryType::NormalWriteBack,
            execute_never,
            privileged_execute_never: false,
            shareable: true,
            global: false,
        }
    }

    /// Kernel mode may execute (neither XN nor PXN).
    pub const fn kernel_executable(self) -> bool {
        !self.execute_never && !self.privileged_execute_never
    }
}

const SECTION_BASE_MASK: u32 = 0xFFF0_0000;
const PAGE_TABLE_BASE_MASK: u32 = 0xFFFF_FC00;
const PAGE_BASE_MASK: u32 = 0xFFFF_F000;

/// An L1 section entry mapping the MiB at `physical` (1 MiB aligned; low bits are dropped).
pub const fn section(physical: u32, domain: Domain, attributes: Attributes) -> u32 {
    let (tex, c, b) = attributes.memory.tex_c_b();
    let ap = attributes.access.bits();
    (physical & SECTION_BASE_MASK)
        | ((!attributes.global as u32) << 17)
        | ((attributes.shareable as u32) << 16)
        | ((ap >> 2) << 15)
        | (tex << 12)
        | ((ap & 0b11) << 10)
        | ((domain & 0xF) << 5)
        | ((attributes.execute_never as u32) << 4)
        | (c << 3)
        | (b << 2)
        | 0b10
        | (attributes.privileged_execute_never as u32)
}

/// An L1 entry pointing at the L2 table at `table` (1 KiB aligned). `privileged_execute_never`
/// is PXNTABLE: the kernel can execute none of the table's pages.
pub const fn page_table(table: u32, domain: Domain, privileged_execute_never: bool) -> u32 {
    (table & PAGE_TABLE_BASE_MASK)
        | ((domain & 0xF) << 5)
        | ((privileged_execute_never as u32) << 2)
        | 0b01
}

/// An L2 small-page entry mapping the page at `physical` (4 KiB aligned).
pub const fn small_page(physical: u32, attributes: Attributes) -> u32 {
    let (tex, c, b) = attributes.memory.tex_c_b();
    let ap = attributes.access.bits();
    (physical & PAGE_BASE_MASK)
        | ((!attributes.global as u32) << 11)
        | ((attributes.shareable as u32) << 10)
        | ((ap >> 2) << 9)
        | (tex << 6)
        | ((ap & 0b11) << 4)
        | (c << 3)
        | (b << 2)
        | 0b10
        | (attributes.execute_never as u32)
}

/// A decoded L1 entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L1Entry {
    /// No mapping: a translation fault (section).
    Fault,
    /// A pointer to an L2 table.
    PageTable {
        /// Physical address of the L2 table.
        table: u32,
        /// The domain of every page in the table.
        domain: Domain,
        /// PXNTABLE.
        privileged_execute_never: bool,
    },
    /// A 1 MiB section.
    Section {
        /// Physical base.
        base: u32,
        /// Its domain.
        domain: Domain,
        /// Its attributes (with a reserved AP value decoded as `None`).
        attributes: Option<Attributes>,
    },
    /// A 16 MiB supersection (never created by this kernel).
    Supersection(u32),
}

/// Decodes an L1 entry.
pub const fn decode_l1(raw: u32) -> L1Entry {
    match raw & 0b11 {
        0b00 => L1Entry::Fault,
        0b01 => L1Entry::PageTable {
            table: raw & PAGE_TABLE_BASE_MASK,
            domain: (raw >> 5) & 0xF,
            privileged_execute_never: raw & (1 << 2) != 0,
        },
        _ if raw & (1 << 18) != 0 => L1Entry::Supersection(raw),
        _ => {
            let ap = ((raw >> 13) & 0b100) | ((raw >> 10) & 0b11);
            let attributes = match AccessPermissions::from_bits(ap) {
                Some(access) => Some(Attributes {
                    access,
                    memory: MemoryType::from_tex_c_b(
                        (raw >> 12) & 0b111,
                        (raw >> 3) & 1,
                        (raw >> 2) & 1,
                    ),
                    execute_never: raw & (1 << 4) != 0,
                    privileged_execute_never: raw & 1 != 0,
                    shareable: raw & (1 << 16) != 0,
                    global: raw & (1 << 17) == 0,
                }),
                None => None,
            };
            L1Entry::Section { base: raw & SECTION_BASE_MASK, domain: (raw >> 5) & 0xF, attributes }
        }
    }
}

/// A decoded L2 entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L2Entry {
    /// No mapping: a translation fault (page).
    Fault,
    /// A 64 KiB large page (never created by this kernel).
    LargePage(u32),
    /// A 4 KiB small page.
    SmallPage {
        /// Physical base.
        base: u32,
        /// Its attributes (with a reserved AP value decoded as `None`).
        attributes: Option<Attributes>,
    },
}

/// Decodes an L2 entry.
pub const fn decode_l2(raw: u32) -> L2Entry {
    if raw & 0b10 != 0 {
        let ap = ((raw >> 7) & 0b100) | ((raw >> 4) & 0b11);
        let attributes = match AccessPermissions::from_bits(ap) {
            Some(access) => Some(Attributes {
                access,
                memory: MemoryType::from_tex_c_b(
                    (raw >> 6) & 0b111,
                    (raw >> 3) & 1,
                    (raw >> 2) & 1,
                ),
                execute_never: raw & 1 != 0,
                privileged_execute_never: false,
                shareable: raw & (1 << 10) != 0,
                global: raw & (1 << 11) == 0,
            }),
            None => None,
        };
        L2Entry::SmallPage { base: raw & PAGE_BASE_MASK, attributes }
    } else if raw & 0b11 == 0b01 {
        L2Entry::LargePage(raw)
    } else {
        L2Entry::Fault
    }
}

/// Index of `virtual_address` in an L1 table.
pub const fn l1_index(virtual_address: u32) -> usize {
    (virtual_address >> 20) as usize
}

/// Index of `virtual_address` in its L2 table.
pub const fn l2_index(virtual_address: u32) -> usize {
    ((virtual_address >> 12) & 0xFF) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain;

    // Each expected value below is summed by hand from the bit layout in the module doc.

    #[test]
    fn kernel_text_section() {
        // base 0x8000_0000 | S (1<<16) | AP2 (1<<15) | TEX 001 (1<<12) | AP 01 (1<<10)
        // | C (1<<3) | B (1<<2) | 0b10
        let raw = section(0x8000_0000, domain::KERNEL, Attributes::KERNEL_TEXT);
        assert_eq!(raw, 0x8001_940E);
        assert_eq!(
            decode_l1(raw),
            L1Entry::Section {
                base: 0x8000_0000,
                domain: 0,
                attributes: Some(Attributes::KERNEL_TEXT)
            }
        );
    }

    #[test]
    fn device_section_in_the_io_domain() {
        // 0x1C00_0000 | AP 01 (0x400) | domain 2 (0x40) | XN (0x10) | B (0x4) | 0b10 | PXN (1)
        let raw = section(0x1C00_0000, domain::IO, Attributes::DEVICE);
        assert_eq!(raw, 0x1C00_0457);
        assert_eq!(
            decode_l1(raw),
            L1Entry::Section { base: 0x1C00_0000, domain: 2, attributes: Some(Attributes::DEVICE) }
        );
    }

    #[test]
    fn section_pxn_is_bit_0() {
        let user = Attributes::user(AccessPermissions::ReadWrite, false);
        let without = section(0x8010_0000, domain::USER, user);
        let with = section(
            0x8010_0000,
            domain::USER,
            Attributes { privileged_execute_never: true, ..user },
        );
        assert_eq!(with, without | 1);
        // nG (1<<17) | S (1<<16) | TEX 001 | AP 11 (0xC00) | domain 1 (0x20) | C | B | 0b10
        assert_eq!(without, 0x8013_1C2E);
    }

    #[test]
    fn user_page_table_with_pxntable() {
        // 0x8012_3400 | domain 1 (0x20) | PXN (0x4) | 0b01
        let raw = page_table(0x8012_3400, domain::USER, true);
        assert_eq!(raw, 0x8012_3425);
        assert_eq!(
            decode_l1(raw),
            L1Entry::PageTable { table: 0x8012_3400, domain: 1, privileged_execute_never: true }
        );
        assert_eq!(page_table(0x8012_3400, domain::USER, false), 0x8012_3421);
    }

    #[test]
    fn user_read_write_page() {
        // 0x8765_4000 | nG (0x800) | S (0x400) | TEX 001 (0x40) | AP 11 (0x30) | C | B | 0b10
        let attributes = Attributes::user(AccessPermissions::ReadWrite, false);
        let raw = small_page(0x8765_4000, attributes);
        assert_eq!(raw, 0x8765_4C7E);
        assert_eq!(
            decode_l2(raw),
            L2Entry::SmallPage { base: 0x8765_4000, attributes: Some(attributes) }
        );
    }

    #[test]
    fn user_read_only_never_executable_page() {
        // AP 111: AP2 (0x200) + AP 11 (0x30); XN is bit 0.
        let attributes = Attributes::user(AccessPermissions::Read, true);
        assert_eq!(small_page(0x8000_1000, attributes), 0x8000_1E7F);
    }

    #[test]
    fn kernel_data_page() {
        // AP 001 (0x10) | TEX 001 | S | C | B | 0b10 | XN; global, no PXN bit in a page.
        let raw = small_page(0x8000_C000, Attributes::KERNEL_DATA);
        assert_eq!(raw, 0x8000_C45F);
        let decoded = decode_l2(raw);
        let expected = Attributes { privileged_execute_never: false, ..Attributes::KERNEL_DATA };
        assert_eq!(decoded, L2Entry::SmallPage { base: 0x8000_C000, attributes: Some(expected) });
    }

    #[test]
    fn faults_and_other_kinds() {
        assert_eq!(decode_l1(0), L1Entry::Fault);
        assert_eq!(decode_l2(0), L2Entry::Fault);
        assert_eq!(decode_l2(0x1234_0001), L2Entry::LargePage(0x1234_0001));
        assert_eq!(decode_l1(0x0104_0002), L1Entry::Supersection(0x0104_0002));
        // AP 100 is reserved.
        let reserved = decode_l1(0x8000_8002);
        assert_eq!(reserved, L1Entry::Section { base: 0x8000_0000, domain: 0, attributes: None });
    }

    #[test]
    fn every_access_permission_round_trips() {
        use AccessPermissions::*;
        for access in
            [NoAccess, KernelReadWrite, KernelReadWriteUserRead, ReadWrite, KernelRead, Read]
        {
            assert_eq!(AccessPermissions::from_bits(access.bits()), Some(access));
            let attributes = Attributes { access, ..Attributes::KERNEL_DATA };
            match decode_l2(small_page(0x8000_0000, attributes)) {
                L2Entry::SmallPage { attributes: Some(decoded), .. } => {
                    assert_eq!(decoded.access, access)
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(ReadWrite.user_writable() && ReadWrite.kernel_writable());
        assert!(!Read.kernel_writable() && Read.user_readable());
        assert!(!KernelReadWrite.user_readable());
    }

    #[test]
    fn memory_types() {
        for memory in [
            MemoryType::StronglyOrdered,
            MemoryType::Device,
            MemoryType::NormalUncached,
            MemoryType::NormalWriteBack,
        ] {
            let (tex, c, b) = memory.tex_c_b();
            assert_eq!(MemoryType::from_tex_c_b(tex, c, b), memory);
        }
        assert_eq!(
            MemoryType::from_tex_c_b(0b101, 0, 1),
            MemoryType::Other { tex: 0b101, cacheable: false, bufferable: true }
        );
    }

    #[test]
    fn memory_type_abbreviations() {
        // Decoded from (TEX, C, B) so each word is pinned to its encoding in table B3-10.
        let words = [(0b000, 0, 0), (0b000, 0, 1), (0b001, 0, 0), (0b001, 1, 1), (0b111, 1, 1)]
            .map(|(tex, c, b)| MemoryType::from_tex_c_b(tex, c, b).abbreviation());
        assert_eq!(words, ["SO", "DEVICE", "NC", "WBWA", "OTHER"]);
    }

    #[test]
    fn indices() {
        assert_eq!(l1_index(0x8000_0000), 2048);
        assert_eq!(l1_index(0x0040_0000), 4);
        assert_eq!(l2_index(0x0040_3000), 3);
        assert_eq!(l2_index(0xFFFF_F000), 255);
    }
}
