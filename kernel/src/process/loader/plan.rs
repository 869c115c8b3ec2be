//! The loader's plan: what an image's segments ask for, checked (pure, host-tested).

use crate::elf::{Elf, PF_R, PF_W, PF_X};
use crate::memory_map::USER_START;
use crate::process::regions::PAGE;
use alloc::vec::Vec;
use core::fmt;
use swpan_abi::protection;

/// User programs live between [`USER_START`] and here; mmap hands out memory above.
pub const PROGRAM_END: u32 = 0x4000_0000;

/// Why an image was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The ELF headers are malformed.
    Elf(crate::elf::Error),
    /// No PT_LOAD segment.
    NothingToLoad,
    /// A segment lies (partly) outside the program area.
    OutsideProgramArea {
        /// Its virtual address.
        address: u32,
    },
    /// A segment is not readable.
    NotReadable {
        /// Its virtual address.
        address: u32,
    },
    /// Two segments share a page.
    Overlap {
        /// The later segment's virtual address.
        address: u32,
    },
    /// The entry point is not in the file bytes of an executable segment.
    BadEntry(u32),
    /// The entry point has bit 0 set: Thumb code, which processes never start in (the
    /// initial CPSR has T clear).
    ThumbEntry(u32),
    /// The entry point is not word-aligned (bit 1 set), which no ARM instruction is.
    MisalignedEntry(u32),
    /// Out of kernel memory for the plan.
    OutOfMemory,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Elf(error) => write!(f, "bad ELF: {error}"),
            LoadError::NothingToLoad => f.write_str("no loadable segment"),
            LoadError::OutsideProgramArea { address } => {
                write!(f, "segment at {address:#010x} outside the program area")
            }
            LoadError::NotReadable { address } => {
                write!(f, "segment at {address:#010x} is not readable")
            }
            LoadError::Overlap { address } => {
                write!(f, "segment at {address:#010x} shares a page with another")
            }
            LoadError::BadEntry(entry) => {
                write!(f, "entry point {entry:#010x} is not in an executable segment")
            }
            LoadError::ThumbEntry(entry) => {
                write!(f, "entry point {entry:#010x} is Thumb code: processes start in ARM state")
            }
            LoadError::MisalignedEntry(entry) => {
                write!(f, "entry point {entry:#010x} is not word-aligned")
            }
            LoadError::OutOfMemory => f.write_str("out of memory"),
        }
    }
}

/// One segment to map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentPlan {
    /// First page.
    pub start: u32,
    /// One past the last page.
    pub end: u32,
    /// Where the file bytes go.
    pub virtual_address: u32,
    /// The file bytes (copied at `virtual_address`; the rest of the pages stays zero).
    pub file_offset: u32,
    /// How many file bytes.
    pub file_size: u32,
    /// `protection::READ | WRITE | EXEC`.
    pub protection: u32,
}

/// What to map for an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadPlan {
    /// The entry point.
    pub entry: u32,
    /// The segments, in address order.
    pub segments: Vec<SegmentPlan>,
}

/// Checks `image` and says what to map.
pub fn plan(image: &[u8]) -> Result<LoadPlan, LoadError> {
    let elf = Elf::parse(image).map_err(LoadError::Elf)?;
    let mut segments: Vec<SegmentPlan> = Vec::new();
    for header in elf.program_headers().filter(|header| header.is_load() && header.memory_size > 0)
    {
        let address = header.virtual_address;
        // parse() checked file ranges, file_size <= memory_size and that the end does not wrap.
        let end = address + header.memory_size;
        let start_page = address - address % PAGE;
        let end_page =
            end.checked_next_multiple_of(PAGE).ok_or(LoadError::OutsideProgramArea { address })?;
        if (start_page as usize) < USER_START || end_page > PROGRAM_END {
            return Err(LoadError::OutsideProgramArea { address });
        }
        if header.flags & PF_R == 0 {
            return Err(LoadError::NotReadable { address });
        }
        let mut protection = protection::READ;
        if header.flags & PF_W != 0 {
            protection |= protection::WRITE;
        }
        if header.flags & PF_X != 0 {
            protection |= protection::EXEC;
        }
        segments.try_reserve(1).map_err(|_| LoadError::OutOfMemory)?;
        segments.push(SegmentPlan {
            start: start_page,
            end: end_page,
            virtual_address: address,
            file_offset: header.offset,
            file_size: header.file_size,
            protection,
        });
    }
    if segments.is_empty() {
        return Err(LoadError::NothingToLoad);
    }
    segments.sort_unstable_by_key(|segment| segment.start);
    for pair in segments.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(LoadError::Overlap { address: pair[1].virtual_address });
        }
    }
    let entry = elf.entry();
    if entry & 1 != 0 {
        return Err(LoadError::ThumbEntry(entry));
    }
    if entry & 2 != 0 {
        return Err(LoadError::MisalignedEntry(entry));
    }
    // The segment's own bytes, not its pages: the rest of its first and last page is not the
    // program's, and the bytes past p_filesz are zeros, not code.
    let executable = |segment: &&SegmentPlan| segment.protection & protection::EXEC != 0;
    if !segments.iter().filter(executable).any(|segment| {
        entry.checked_sub(segment.virtual_address).is_some_and(|offset| offset < segment.file_size)
    }) {
        return Err(LoadError::BadEntry(entry));
    }
    Ok(LoadPlan { entry, segments })
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;
    use std::vec;

    /// A minimal ARM executable: ELF header, `segments` program headers (vaddr, memsz,
    /// flags), and 16 bytes of "code" at file offset 0x100 that every segment points at.
    fn image(entry: u32, segments: &[(u32, u32, u32)]) -> std::vec::Vec<u8> {
        let mut data = vec![0u8; 0x200];
        data[..4].copy_from_slice(b"\x7fELF");
        data[4] = 1; // 32-bit
        data[5] = 1; // little-endian
        data[6] = 1; // version
        data[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        data[18..20].copy_from_slice(&40u16.to_le_bytes()); // EM_ARM
        data[20..24].copy_from_slice(&1u32.to_le_bytes());
        data[24..28].copy_from_slice(&entry.to_le_bytes());
        data[28..32].copy_from_slice(&52u32.to_le_bytes()); // phoff
        data[40..42].copy_from_slice(&52u16.to_le_bytes()); // ehsize
        data[42..44].copy_from_slice(&32u16.to_le_bytes()); // phentsize
        data[44..46].copy_from_slice(&(segments.len() as u16).to_le_bytes());
        for (index, (address, memory_size, flags)) in segments.iter().enumerate() {
            let header = 52 + index * 32;
            let field = |offset: usize| header + offset;
            data[field(0)..field(4)].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
            data[field(4)..field(8)].copy_from_slice(&0x100u32.to_le_bytes());
            data[field(8)..field(12)].copy_from_slice(&address.to_le_bytes());
            data[field(12)..field(16)].copy_from_slice(&address.to_le_bytes());
            data[field(16)..field(20)].copy_from_slice(&16u32.min(*memory_size).to_le_bytes());
            data[field(20)..field(24)].copy_from_slice(&memory_size.to_le_bytes());
            data[field(24)..field(28)].copy_from_slice(&flags.to_le_bytes());
            data[field(28)..field(32)].copy_from_slice(&PAGE.to_le_bytes());
        }
        data
    }

    const RX: u32 = PF_R | PF_X;
    const RW: u32 = PF_R | PF_W;

    #[test]
    fn a_well_formed_program_is_planned() {
        let plan = plan(&image(
            0x1_0000,
            &[(0x1_0000, 0x1800, RX), (0x1_2000, 0x100, PF_R), (0x1_3000, 0x2000, RW)],
        ))
        .unwrap();
        assert_eq!(plan.entry, 0x1_0000);
        assert_eq!(plan.segments.len(), 3);
        assert_eq!((plan.segments[0].start, plan.segments[0].end), (0x1_0000, 0x1_2000));
        assert_eq!(plan.segments[0].protection, protection::READ | protection::EXEC);
        assert_eq!(plan.segments[2].protection, protection::READ | protection::WRITE);
        assert_eq!(plan.segments[2].file_size, 16);
    }

    #[test]
    fn bad_images_are_refused() {
        assert!(matches!(plan(b"not an elf"), Err(LoadError::Elf(_))));
        assert_eq!(plan(&image(0x1_0000, &[])), Err(LoadError::NothingToLoad));
        assert_eq!(
            plan(&image(0x1_0000, &[(0x1_0000, 0x100, PF_X)])),
            Err(LoadError::NotReadable { address: 0x1_0000 })
        );
        // In the never-mapped first 64 KiB, in the mmap area, in the kernel half.
        for address in [0x0, 0xF000, 0x4000_0000, 0x8000_0000, 0xFFFF_F000] {
            assert_eq!(
                plan(&image(address, &[(address, 0x100, RX)])),
                Err(LoadError::OutsideProgramArea { address }),
                "{address:#x}"
            );
        }
        assert_eq!(
            plan(&image(0x1_0000, &[(0x1_0000, 0x1100, RX), (0x1_1000, 0x100, RW)])),
            Err(LoadError::Overlap { address: 0x1_1000 })
        );
        assert_eq!(
            plan(&image(0x1_3000, &[(0x1_0000, 0x100, RX), (0x1_3000, 0x100, RW)])),
            Err(LoadError::BadEntry(0x1_3000))
        );
        assert_eq!(
            plan(&image(0x5000_0000, &[(0x1_0000, 0x100, RX)])),
            Err(LoadError::BadEntry(0x5000_0000))
        );
    }

    #[test]
    fn a_writable_and_executable_segment_is_mapped_so() {
        // Linux's policy, as for mmap: W+X is the program's choice.
        let plan = plan(&image(0x1_0000, &[(0x1_0000, 0x100, PF_R | PF_W | PF_X)])).unwrap();
        assert_eq!(
            plan.segments[0].protection,
            protection::READ | protection::WRITE | protection::EXEC
        );
    }

    #[test]
    fn the_entry_is_checked_against_the_segment_not_its_pages() {
        // A segment that starts 0x100 into its page, with 16 file bytes and 0x100 in memory.
        let segment = [(0x1_0100, 0x100, RX)];
        for entry in [0x1_0100, 0x1_010C] {
            assert_eq!(plan(&image(entry, &segment)).map(|plan| plan.entry), Ok(entry));
        }
        // Past the page-rounded length added to the unaligned start: the next page.
        assert_eq!(plan(&image(0x1_1000, &segment)), Err(LoadError::BadEntry(0x1_1000)));
        assert_eq!(plan(&image(0x1_10FC, &segment)), Err(LoadError::BadEntry(0x1_10FC)));
        // In the segment's page but before it, and in its zero-filled memory past the file.
        assert_eq!(plan(&image(0x1_0000, &segment)), Err(LoadError::BadEntry(0x1_0000)));
        assert_eq!(plan(&image(0x1_0110, &segment)), Err(LoadError::BadEntry(0x1_0110)));
    }

    #[test]
    fn thumb_and_misaligned_entries_are_refused() {
        let segment = [(0x1_0000, 0x100, RX)];
        assert_eq!(plan(&image(0x1_0001, &segment)), Err(LoadError::ThumbEntry(0x1_0001)));
        assert_eq!(plan(&image(0x1_0003, &segment)), Err(LoadError::ThumbEntry(0x1_0003)));
        assert_eq!(plan(&image(0x1_0002, &segment)), Err(LoadError::MisalignedEntry(0x1_0002)));
        assert_eq!(
            LoadError::ThumbEntry(0x1_0001).to_string(),
            "entry point 0x00010001 is Thumb code: processes start in ARM state"
        );
    }

    #[test]
    fn truncated_images_never_panic() {
        let data = image(0x1_0000, &[(0x1_0000, 0x1800, RX), (0x1_3000, 0x2000, RW)]);
        for length in 0..data.len() {
            let _ = plan(&data[..length]);
        }
    }
}
