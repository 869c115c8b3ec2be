//! The whole 32-bit address space as a list of bands: every range of the dump and every gap
//! between ranges, in the two halves that `TTBCR.N = 1` gives to TTBR0 (the current process)
//! and TTBR1 (the kernel).
//!
//! Gaps get a name from where they are, by the kernel's own constants: the first
//! `MMAP_MIN_ADDR` bytes are the NULL gap, never mapped, so a NULL dereference faults (what
//! lies above it, up to the first range, is plainly unmapped); in RAM's linear map the
//! kernel image comes first and its one hole is the boot stack's guard page, so every later
//! hole there is frames a process owns, which exclusive page-frame ownership took out of the
//! linear map; elsewhere in the kernel half a single 4 KiB page missing between two ranges is
//! a guard page (a stack that runs into it faults instead of overwriting its neighbour); any
//! other gap is plainly unmapped.
//!
//! Ranges get a role from the same facts and their permissions: in RAM the image's parts in
//! the linker script's order (text, the only executable part; read-only data; data and .bss;
//! then, above the guard page, the stacks, the heap and the free frames), the vmalloc area,
//! the devices and the vectors; in the user half the program's text, read-only data and data,
//! and the stack at the top.

use super::error::Error;
use super::facts::{
    IO, MMAP_MIN_ADDR, PAGE_SIZE, RAM_END, RAM_FIRST, TTBR1_FIRST, VECTORS, VMALLOC_END,
    VMALLOC_START,
};
use super::ptdump::Access;
use super::ptdump::{MappedRange, Ptdump};

/// One of the two halves of the address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Half {
    /// `0x00000000-0x7fffffff`: the current process's user space, through TTBR0.
    Ttbr0,
    /// `0x80000000-0xffffffff`: the kernel, the same in every process, through TTBR1.
    Ttbr1,
}

impl Half {
    /// The halves, in address order.
    pub const ALL: [Half; 2] = [Half::Ttbr0, Half::Ttbr1];

    /// The register that translates it.
    pub fn register(self) -> &'static str {
        match self {
            Half::Ttbr0 => "TTBR0",
            Half::Ttbr1 => "TTBR1",
        }
    }

    /// Its first address.
    pub fn first(self) -> u32 {
        match self {
            Half::Ttbr0 => 0,
            Half::Ttbr1 => TTBR1_FIRST,
        }
    }

    /// Its last address.
    pub fn last(self) -> u32 {
        match self {
            Half::Ttbr0 => TTBR1_FIRST - 1,
            Half::Ttbr1 => u32::MAX,
        }
    }

    /// The half `address` is in.
    fn of(address: u32) -> Half {
        if address < TTBR1_FIRST { Half::Ttbr0 } else { Half::Ttbr1 }
    }
}

/// What a run of unmapped addresses is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// The NULL gap, from address 0 up to `MMAP_MIN_ADDR` at most: never mapped, so NULL
    /// dereferences fault.
    NeverMapped,
    /// One 4 KiB page missing between two kernel ranges: the boot stack's guard in RAM, a
    /// vmalloc allocation's guard elsewhere.
    GuardPage,
    /// A hole in RAM's linear map above the image: frames a process owns.
    OwnedFrames,
    /// Any other gap.
    Unmapped,
}

/// What a mapped range holds, as far as the kernel's constants and the range's permissions
/// tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The user program's code (executable).
    UserText,
    /// The user program's read-only data.
    UserReadOnly,
    /// The user program's data, or memory it mapped.
    UserData,
    /// The user stack, ending at the top of the user half.
    UserStack,
    /// The kernel's code: the only executable part of RAM.
    KernelText,
    /// The kernel's read-only data (rodata, and ro_after_init once sealed).
    KernelReadOnly,
    /// The kernel's data and .bss, below the boot stack's guard page.
    KernelData,
    /// Above the guard page: the stacks, then the heap and the free frames.
    StacksAndHeap,
    /// The rest of RAM, in the linear map.
    Ram,
    /// An allocation in the vmalloc area (a process's kernel stack, for one).
    Vmalloc,
    /// Device registers.
    Devices,
    /// The exception vectors' alias.
    Vectors,
    /// A kernel range none of the above.
    Kernel,
}

impl Role {
    /// How the picture names it.
    pub fn label(self) -> &'static str {
        match self {
            Role::UserText => "program text",
            Role::UserReadOnly => "program rodata",
            Role::UserData => "program data, mmap",
            Role::UserStack => "user stack",
            Role::KernelText => "kernel text",
            Role::KernelReadOnly => "kernel rodata",
            Role::KernelData => "kernel data, bss",
            Role::StacksAndHeap => "stacks, heap, RAM",
            Role::Ram => "RAM (linear map)",
            Role::Vmalloc => "vmalloc: kernel stacks",
            Role::Devices => "devices",
            Role::Vectors => "exception vectors",
            Role::Kernel => "kernel",
        }
    }
}

/// What fills a band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BandContent<'a> {
    /// A range of the dump, and what it holds.
    Mapped(&'a MappedRange, Role),
    /// Addresses no range covers.
    Gap(Gap),
}

/// A run of addresses drawn as one band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band<'a> {
    /// The first address.
    pub first: u32,
    /// The last address (inclusive).
    pub last: u32,
    /// What is there.
    pub content: BandContent<'a>,
}

impl Band<'_> {
    /// The band's size in bytes (a band can reach 2^31).
    pub fn size(&self) -> u64 {
        u64::from(self.last) - u64::from(self.first) + 1
    }
}

/// One half of the address space, covered by bands from its first address to its last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HalfMap<'a> {
    /// Which half.
    pub half: Half,
    /// The titles of the dump's sections with ranges in this half.
    pub titles: Vec<&'a str>,
    /// The bands, in address order, without a hole between them.
    pub bands: Vec<Band<'a>>,
}

/// Both halves of the address space the dump describes, in address order. A range that
/// crosses from one half into the other cannot come from two tables: it is an error on its
/// line.
pub fn address_space(ptdump: &Ptdump) -> Result<[HalfMap<'_>; 2], Error> {
    if let Some(range) = ptdump.ranges().find(|range| Half::of(range.first) != Half::of(range.last))
    {
        return Err(Error::MalformedPtdumpLine {
            line: range.line,
            problem: format!(
                "the range {:#010x}-{:#010x} crosses the TTBR0/TTBR1 split at {TTBR1_FIRST:#010x}",
                range.first, range.last
            ),
        });
    }
    Ok(Half::ALL.map(|half| half_map(ptdump, half)))
}

/// The bands of one half: its ranges, with the gaps before, between and after them.
fn half_map(ptdump: &Ptdump, half: Half) -> HalfMap<'_> {
    let titles = ptdump
        .sections
        .iter()
        .filter(|section| section.ranges.iter().any(|range| Half::of(range.first) == half))
        .map(|section| section.title.as_str())
        .collect();
    let mut bands = Vec::new();
    let mut walk = Walk::default();
    // The next address to cover; u64, since the last range can end at 2^32.
    let mut next = u64::from(half.first());
    let mut after_a_range = false;
    for range in ptdump.ranges().filter(|range| Half::of(range.first) == half) {
        if u64::from(range.first) > next {
            gaps(&mut bands, &mut walk, next, u64::from(range.first), half, after_a_range);
        }
        let role = walk.role(range);
        bands.push(Band {
            first: range.first,
            last: range.last,
            content: BandContent::Mapped(range, role),
        });
        next = u64::from(range.last) + 1;
        after_a_range = true;
    }
    if next <= u64::from(half.last()) {
        gaps(&mut bands, &mut walk, next, u64::from(half.last()) + 1, half, false);
    }
    HalfMap { half, titles, bands }
}

/// What the walk up a half has seen so far that names what comes next.
#[derive(Default)]
struct Walk {
    /// A hole in RAM's linear map was passed: the boot stack's guard page.
    passed_the_guard: bool,
    /// A range right after the guard page was named.
    named_the_stacks: bool,
}

impl Walk {
    /// The role of `range`, the next one up.
    fn role(&mut self, range: &MappedRange) -> Role {
        let first = u64::from(range.first);
        let in_ram = (u64::from(RAM_FIRST)..u64::from(RAM_END)).contains(&first);
        if Half::of(range.first) == Half::Ttbr0 {
            if !range.execute_never {
                Role::UserText
            } else if range.user == Access::ReadOnly {
                Role::UserReadOnly
            } else if u64::from(range.last) + 1 == u64::from(TTBR1_FIRST) {
                Role::UserStack
            } else {
                Role::UserData
            }
        } else if range.domain == VECTORS {
            Role::Vectors
        } else if range.domain == IO {
            Role::Devices
        } else if (u64::from(VMALLOC_START)..u64::from(VMALLOC_END)).contains(&first) {
            Role::Vmalloc
        } else if !in_ram {
            Role::Kernel
        } else if !range.execute_never {
            Role::KernelText
        } else if range.kernel == Access::ReadOnly {
            Role::KernelReadOnly
        } else if !self.passed_the_guard {
            Role::KernelData
        } else if !self.named_the_stacks {
            self.named_the_stacks = true;
            Role::StacksAndHeap
        } else {
            Role::Ram
        }
    }
}

/// Pushes the gap bands for `[first, end)`; `between_ranges` when a range of the same half
/// precedes the gap and another follows it.
fn gaps<'a>(
    bands: &mut Vec<Band<'a>>,
    walk: &mut Walk,
    first: u64,
    end: u64,
    half: Half,
    between_ranges: bool,
) {
    let null_end = u64::from(MMAP_MIN_ADDR).min(end);
    let mut start = first;
    if first == 0 {
        bands.push(Band {
            first: 0,
            last: address(null_end - 1),
            content: BandContent::Gap(Gap::NeverMapped),
        });
        start = null_end;
        if start == end {
            return;
        }
    }
    let in_ram = start >= u64::from(RAM_FIRST) && end <= u64::from(RAM_END);
    let gap = if half == Half::Ttbr1 && in_ram && between_ranges {
        if walk.passed_the_guard {
            Gap::OwnedFrames
        } else {
            walk.passed_the_guard = true;
            if end - start == PAGE_SIZE { Gap::GuardPage } else { Gap::Unmapped }
        }
    } else if half == Half::Ttbr1 && end - start == PAGE_SIZE && between_ranges {
        Gap::GuardPage
    } else {
        Gap::Unmapped
    };
    bands.push(Band {
        first: address(start),
        last: address(end - 1),
        content: BandContent::Gap(gap),
    });
}

/// An address the caller knows to be below 2^32.
pub(super) fn address(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::super::ptdump;
    use super::*;

    fn dump(lines: &[&str]) -> Ptdump {
        ptdump::find(&lines.join("\n")).expect("a valid dump")
    }

    fn kinds<'a>(map: &'a HalfMap<'a>) -> Vec<(u32, u32, Option<Gap>)> {
        map.bands
            .iter()
            .map(|band| {
                let gap = match band.content {
                    BandContent::Gap(gap) => Some(gap),
                    BandContent::Mapped(..) => None,
                };
                (band.first, band.last, gap)
            })
            .collect()
    }

    #[test]
    fn bands_cover_each_half_and_name_their_gaps() {
        let dump = dump(&[
            "---[ User ]---",
            "0x00100000-0x00100fff 4K k:RO u:RO x pxn dom 1 USER WBWA ng page",
            "---[ Kernel ]---",
            "0x80000000-0x80000fff 4K k:RO u:-- x . dom 0 KERNEL WBWA global page",
            "0x80002000-0x80002fff 4K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
            "0x80005000-0x80005fff 4K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
            "0xfffff000-0xffffffff 4K k:RO u:-- x . dom 3 VECTORS WBWA global page",
        ]);
        let [low, high] = address_space(&dump).expect("valid");
        assert_eq!(low.titles, ["User"]);
        assert_eq!(
            kinds(&low),
            [
                (0, 0x0000_ffff, Some(Gap::NeverMapped)),
                (0x0001_0000, 0x000f_ffff, Some(Gap::Unmapped)),
                (0x0010_0000, 0x0010_0fff, None),
                (0x0010_1000, 0x7fff_ffff, Some(Gap::Unmapped)),
            ]
        );
        assert_eq!(high.titles, ["Kernel"]);
        assert_eq!(
            kinds(&high),
            [
                (0x8000_0000, 0x8000_0fff, None),
                (0x8000_1000, 0x8000_1fff, Some(Gap::GuardPage)),
                (0x8000_2000, 0x8000_2fff, None),
                (0x8000_3000, 0x8000_4fff, Some(Gap::OwnedFrames)),
                (0x8000_5000, 0x8000_5fff, None),
                (0x8000_6000, 0xffff_efff, Some(Gap::Unmapped)),
                (0xffff_f000, 0xffff_ffff, None),
            ]
        );
    }

    #[test]
    fn ranges_are_named_from_their_place_and_permissions() {
        let dump = dump(&[
            "---[ User ]---",
            "0x00100000-0x00100fff 4K k:RO u:RO x pxn dom 1 USER WBWA ng page",
            "0x00101000-0x00101fff 4K k:RO u:RO nx pxn dom 1 USER WBWA ng page",
            "0x00102000-0x00102fff 4K k:RW u:RW nx pxn dom 1 USER WBWA ng page",
            "0x7ffff000-0x7fffffff 4K k:RW u:RW nx pxn dom 1 USER WBWA ng page",
            "---[ Kernel ]---",
            "0x80000000-0x80000fff 4K k:RO u:-- x . dom 0 KERNEL WBWA global page",
            "0x80001000-0x80001fff 4K k:RO u:-- nx . dom 0 KERNEL WBWA global page",
            "0x80002000-0x80002fff 4K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
            "0x80004000-0x80004fff 4K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
            "0x80006000-0x80006fff 4K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
            "0xe0001000-0xe0004fff 16K k:RW u:-- nx pxn dom 0 KERNEL WBWA global page",
            "0xf8000000-0xf82fffff 3M k:RW u:-- nx pxn dom 2 IO DEVICE global section",
            "0xffff0000-0xffff0fff 4K k:RO u:-- x . dom 3 VECTORS WBWA global page",
        ]);
        let roles: Vec<Role> = address_space(&dump)
            .expect("valid")
            .iter()
            .flat_map(|half| half.bands.clone())
            .filter_map(|band| match band.content {
                BandContent::Mapped(_, role) => Some(role),
                BandContent::Gap(_) => None,
            })
            .collect();
        assert_eq!(
            roles,
            [
                Role::UserText,
                Role::UserReadOnly,
                Role::UserData,
                Role::UserStack,
                Role::KernelText,
                Role::KernelReadOnly,
                Role::KernelData,
                Role::StacksAndHeap,
                Role::Ram,
                Role::Vmalloc,
                Role::Devices,
                Role::Vectors,
            ]
        );
    }

    #[test]
    fn a_page_gap_at_the_edge_of_a_half_or_in_user_space_is_no_guard_page() {
        let dump = dump(&[
            "---[ User ]---",
            "0x00001000-0x00001fff 4K k:RO u:RO x pxn dom 1 USER WBWA ng page",
            "0x00003000-0x7fffefff 2097136K k:RW u:RW nx pxn dom 1 USER WBWA ng page",
            "---[ Kernel ]---",
            "0x80001000-0xffffefff 2097144K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
        ]);
        let [low, high] = address_space(&dump).expect("valid");
        let gaps = |map: &HalfMap| -> Vec<Gap> {
            kinds(map).into_iter().filter_map(|(_, _, gap)| gap).collect()
        };
        assert_eq!(gaps(&low), [Gap::NeverMapped, Gap::Unmapped, Gap::Unmapped]);
        assert_eq!(gaps(&high), [Gap::Unmapped, Gap::Unmapped]);
    }

    #[test]
    fn a_range_across_the_split_is_an_error_on_its_line() {
        let dump = dump(&[
            "---[ Kernel ]---",
            "0x7ff00000-0x800fffff 2M k:RW u:-- nx . dom 0 KERNEL WBWA global section",
        ]);
        let Err(Error::MalformedPtdumpLine { line: 2, problem }) = address_space(&dump) else {
            panic!("the crossing is not reported");
        };
        assert!(problem.contains("crosses the TTBR0/TTBR1 split"), "{problem}");
    }
}
