//! A process's memory regions: what is mapped where, with which protection, and why.
//!
//! The list is the bookkeeping behind `mmap`, `munmap` and `maps`; the translation tables
//! are the truth the hardware uses. Pure logic, unit-tested on the host.

use crate::errno::Errno;
use alloc::vec::Vec;
use core::fmt;
use swpan_abi::protection;

/// Bytes in a page.
pub const PAGE: u32 = 4096;

/// What a region holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// A segment of the program's ELF image.
    Program,
    /// The user stack.
    Stack,
    /// Anonymous memory from `mmap`.
    Anonymous,
}

/// One mapped range, page aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First address.
    pub start: u32,
    /// One past the last address.
    pub end: u32,
    /// `protection::READ | WRITE | EXEC`.
    pub protection: u32,
    /// What it holds.
    pub kind: RegionKind,
}

impl fmt::Display for Region {
    /// `00010000-00012000 r-xp program`, as /proc/self/maps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flag = |bit, letter| if self.protection & bit != 0 { letter } else { '-' };
        let name = match self.kind {
            RegionKind::Program => "program",
            RegionKind::Stack => "[stack]",
            RegionKind::Anonymous => "[anon]",
        };
        write!(
            f,
            "{:08x}-{:08x} {}{}{}p {name}",
            self.start,
            self.end,
            flag(protection::READ, 'r'),
            flag(protection::WRITE, 'w'),
            flag(protection::EXEC, 'x')
        )
    }
}

/// The regions of one process, sorted and disjoint.
#[derive(Debug, Default)]
pub struct Regions {
    regions: Vec<Region>,
}

impl Regions {
    /// No regions.
    pub const fn new() -> Regions {
        Regions { regions: Vec::new() }
    }

    /// The regions in address order.
    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// True when `[start, end)` touches no region.
    pub fn is_free(&self, start: u32, end: u32) -> bool {
        self.regions.iter().all(|region| end <= region.start || start >= region.end)
    }

    /// Adds a region; it must not overlap any other.
    pub fn insert(&mut self, region: Region) -> Result<(), Errno> {
        if region.start >= region.end
            || !region.start.is_multiple_of(PAGE)
            || !region.end.is_multiple_of(PAGE)
        {
            return Err(Errno::EINVAL);
        }
        if !self.is_free(region.start, region.end) {
            return Err(Errno::EEXIST);
        }
        self.regions.try_reserve(1).map_err(|_| Errno::ENOMEM)?;
        let index = self.regions.partition_point(|existing| existing.start < region.start);
        self.regions.insert(index, region);
        Ok(())
    }

    /// The lowest start address at or above `low` where `length` bytes fit below `high`.
    pub fn find_free(&self, length: u32, low: u32, high: u32) -> Option<u32> {
        let mut candidate = low;
        for region in self.regions.iter().filter(|region| region.end > low) {
            if candidate.checked_add(length)? <= region.start {
                break;
            }
            candidate = candidate.max(region.end);
        }
        (candidate.checked_add(length)? <= high).then_some(candidate)
    }

    /// Removes `[start, end)` from the anonymous regions it covers, splitting them where the
    /// range ends inside one. Returns the removed ranges (to unmap). Program and stack regions
    /// in the range are refused with EINVAL, and nothing changes.
    pub fn remove_anonymous(&mut self, start: u32, end: u32) -> Result<Vec<(u32, u32)>, Errno> {
        let overlapping = |region: &Region| region.start < end && start < region.end;
        if self
            .regions
            .iter()
            .any(|region| overlapping(region) && region.kind != RegionKind::Anonymous)
        {
            return Err(Errno::EINVAL);
        }
        let mut removed = Vec::new();
        let mut kept = Vec::new();
        removed.try_reserve(self.regions.len()).map_err(|_| Errno::ENOMEM)?;
        kept.try_reserve(self.regions.len() + 1).map_err(|_| Errno::ENOMEM)?;
        for region in self.regions.drain(..) {
            if !overlapping(&region) {
                kept.push(region);
                continue;
            }
            removed.push((region.start.max(start), region.end.min(end)));
            if region.start < start {
                kept.push(Region { end: start, ..region });
            }
            if region.end > end {
                kept.push(Region { start: end, ..region });
            }
        }
        self.regions = kept;
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;

    fn anonymous(start: u32, end: u32) -> Region {
        Region {
            start,
            end,
            protection: protection::READ | protection::WRITE,
            kind: RegionKind::Anonymous,
        }
    }

    #[test]
    fn insert_keeps_order_and_refuses_overlaps() {
        let mut regions = Regions::new();
        regions.insert(anonymous(0x4000_2000, 0x4000_3000)).unwrap();
        regions.insert(anonymous(0x4000_0000, 0x4000_1000)).unwrap();
        assert_eq!(regions.insert(anonymous(0x4000_0000, 0x4000_2000)), Err(Errno::EEXIST));
        assert_eq!(regions.insert(anonymous(0x4000_1000, 0x4000_1000)), Err(Errno::EINVAL));
        assert_eq!(regions.insert(anonymous(0x4000_1001, 0x4000_2000)), Err(Errno::EINVAL));
        let starts: std::vec::Vec<u32> = regions.iter().map(|region| region.start).collect();
        assert_eq!(starts, [0x4000_0000, 0x4000_2000]);
    }

    #[test]
    fn free_space_is_found_first_fit() {
        let mut regions = Regions::new();
        regions.insert(anonymous(0x4000_0000, 0x4000_1000)).unwrap();
        regions.insert(anonymous(0x4000_2000, 0x4000_3000)).unwrap();
        assert_eq!(regions.find_free(0x1000, 0x4000_0000, 0x5000_0000), Some(0x4000_1000));
        assert_eq!(regions.find_free(0x2000, 0x4000_0000, 0x5000_0000), Some(0x4000_3000));
        assert_eq!(regions.find_free(0x2000, 0x4000_0000, 0x4000_4000), None);
        assert_eq!(regions.find_free(u32::MAX, 0x4000_0000, 0x5000_0000), None);
    }

    #[test]
    fn removal_splits_and_refuses_other_kinds() {
        let mut regions = Regions::new();
        regions.insert(anonymous(0x4000_0000, 0x4000_4000)).unwrap();
        let removed = regions.remove_anonymous(0x4000_1000, 0x4000_2000).unwrap();
        assert_eq!(removed, [(0x4000_1000, 0x4000_2000)]);
        let left: std::vec::Vec<(u32, u32)> = regions.iter().map(|r| (r.start, r.end)).collect();
        assert_eq!(left, [(0x4000_0000, 0x4000_1000), (0x4000_2000, 0x4000_4000)]);
        regions
            .insert(Region {
                start: 0x1_0000,
                end: 0x1_2000,
                protection: protection::READ,
                kind: RegionKind::Program,
            })
            .unwrap();
        assert_eq!(regions.remove_anonymous(0x1_0000, 0x1_1000), Err(Errno::EINVAL));
        assert_eq!(regions.remove_anonymous(0x5000_0000, 0x5000_1000), Ok(std::vec::Vec::new()));
        // The end of a region, then the whole of what is left.
        let mut regions = Regions::new();
        regions.insert(anonymous(0x4000_0000, 0x4000_2000)).unwrap();
        assert_eq!(
            regions.remove_anonymous(0x4000_1000, 0x4000_2000),
            Ok(std::vec![(0x4000_1000, 0x4000_2000)])
        );
        assert!(regions.is_free(0x4000_1000, 0x4000_2000));
        assert!(!regions.is_free(0x4000_0000, 0x4000_1000));
        assert_eq!(
            regions.remove_anonymous(0x4000_0000, 0x4000_1000),
            Ok(std::vec![(0x4000_0000, 0x4000_1000)])
        );
        assert_eq!(regions.iter().count(), 0);
    }

    #[test]
    fn maps_line() {
        let region = Region {
            start: 0x1_0000,
            end: 0x1_2000,
            protection: protection::READ | protection::EXEC,
            kind: RegionKind::Program,
        };
        assert_eq!(region.to_string(), "00010000-00012000 r-xp program");
        assert_eq!(
            anonymous(0x4000_0000, 0x4000_1000).to_string(),
            "40000000-40001000 rw-p [anon]"
        );
    }
}
