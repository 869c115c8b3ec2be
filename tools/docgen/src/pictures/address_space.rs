//! The whole 32-bit address space as a list of bands: every range of the dump and every gap
//! between ranges, in the two halves that `TTBCR.N = 1` gives to TTBR0 (the current process)
//! and TTBR1 (the kernel).
//!
//! Gaps get a name from where they are: the one at address 0 is the NULL gap, unmapped, so a
//! NULL dereference faults; a single 4 KiB page missing between two kernel ranges is a
//! guard page (a stack that runs into it faults instead of overwriting its neighbour); any other
//! gap is plainly unmapped.

use super::error::Error;
use super::facts::{PAGE_SIZE, TTBR1_FIRST};
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
    /// The gap at address 0 (the NULL gap): unmapped, so NULL dereferences fault.
    NeverMapped,
    /// One 4 KiB page missing between two kernel ranges.
    GuardPage,
    /// Any other gap.
    Unmapped,
}

/// What fills a band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BandContent<'a> {
    /// A range of the dump.
    Mapped(&'a MappedRange),
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
    // The next address to cover; u64, since the last range can end at 2^32.
    let mut next = u64::from(half.first());
    let mut after_a_range = false;
    for range in ptdump.ranges().filter(|range| Half::of(range.first) == half) {
        if u64::from(range.first) > next {
            let gap = gap_kind(next, u64::from(range.first) - next, half, after_a_range);
            bands.push(Band {
                first: address(next),
                last: range.first - 1,
                content: BandContent::Gap(gap),
            });
        }
        bands.push(Band {
            first: range.first,
            last: range.last,
            content: BandContent::Mapped(range),
        });
        next = u64::from(range.last) + 1;
        after_a_range = true;
    }
    if next <= u64::from(half.last()) {
        let gap = gap_kind(next, u64::from(half.last()) + 1 - next, half, false);
        bands.push(Band {
            first: address(next),
            last: half.last(),
            content: BandContent::Gap(gap),
        });
    }
    HalfMap { half, titles, bands }
}

/// What the `size` bytes unmapped at `first` are; `between_ranges` when a range of the same
/// half precedes the gap and another follows it.
fn gap_kind(first: u64, size: u64, half: Half, between_ranges: bool) -> Gap {
    if first == 0 {
        Gap::NeverMapped
    } else if half == Half::Ttbr1 && size == PAGE_SIZE && between_ranges {
        Gap::GuardPage
    } else {
        Gap::Unmapped
    }
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
                    BandContent::Mapped(_) => None,
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
                (0, 0x000f_ffff, Some(Gap::NeverMapped)),
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
                (0x8000_3000, 0x8000_4fff, Some(Gap::Unmapped)),
                (0x8000_5000, 0x8000_5fff, None),
                (0x8000_6000, 0xffff_efff, Some(Gap::Unmapped)),
                (0xffff_f000, 0xffff_ffff, None),
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
