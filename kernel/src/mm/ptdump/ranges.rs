//! Address ranges with their mappings, merged where equal, and their one-line format (pure).

use crate::domain;
use crate::mm::descriptor::{AccessPermissions, Attributes};
use alloc::vec::Vec;
use core::fmt;

/// The descriptor level a range was mapped at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granule {
    /// 1 MiB sections.
    Section,
    /// 4 KiB small pages.
    Page,
}

impl Granule {
    /// The word the dump prints for the level: `section` or `page`.
    pub const fn name(self) -> &'static str {
        match self {
            Granule::Section => "section",
            Granule::Page => "page",
        }
    }
}

/// Everything the dump shows about a mapped range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The domain (from the L1 entry).
    pub domain: u32,
    /// The leaf entry's attributes, with `privileged_execute_never` including PXNTABLE.
    pub attributes: Attributes,
    /// The level.
    pub granule: Granule,
}

/// A run of addresses mapped alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MappedRange {
    /// First address.
    pub start: u32,
    /// Bytes (u64: a range can end at 2^32).
    pub size: u64,
    /// How.
    pub mapping: Mapping,
}

/// Builds the merged list: add ranges in address order.
#[derive(Debug, Default)]
pub struct Dump {
    ranges: Vec<MappedRange>,
}

impl Dump {
    /// An empty dump.
    pub const fn new() -> Dump {
        Dump { ranges: Vec::new() }
    }

    /// Adds `size` bytes at `start` mapped as `mapping`, merging with the previous range when
    /// it ends at `start` with the same mapping.
    pub fn add(&mut self, start: u32, size: u64, mapping: Mapping) {
        if let Some(last) = self.ranges.last_mut()
            && last.mapping == mapping
            && last.start as u64 + last.size == start as u64
        {
            last.size += size;
            return;
        }
        self.ranges.push(MappedRange { start, size, mapping });
    }

    /// The ranges, in address order.
    pub fn ranges(&self) -> &[MappedRange] {
        &self.ranges
    }
}

fn access_text(readable: bool, writable: bool) -> &'static str {
    match (readable, writable) {
        (_, true) => "RW",
        (true, false) => "RO",
        (false, false) => "--",
    }
}

/// A size as the dump prints it: `4K`, `168K`, `2M`.
pub struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if self.0.is_multiple_of(1 << 20) {
            alloc::format!("{}M", self.0 >> 20)
        } else {
            alloc::format!("{}K", self.0 >> 10)
        };
        f.pad(&text)
    }
}

impl fmt::Display for MappedRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attributes = self.mapping.attributes;
        let access = attributes.access;
        let kernel_readable = !matches!(access, AccessPermissions::NoAccess);
        write!(
            f,
            "{:#010x}-{:#010x} {:>5}  k:{} u:{}  {} {}  dom {} {:<7}  {:<6} {:<6}  {}",
            self.start,
            (self.start as u64 + self.size - 1) as u32,
            Size(self.size),
            access_text(kernel_readable, access.kernel_writable()),
            access_text(access.user_readable(), access.user_writable()),
            if attributes.execute_never { "nx" } else { "x " },
            if attributes.privileged_execute_never { "pxn" } else { ".  " },
            self.mapping.domain,
            domain::name(self.mapping.domain),
            attributes.memory.abbreviation(),
            if attributes.global { "global" } else { "ng" },
            self.mapping.granule.name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;

    fn page(attributes: Attributes, domain: u32) -> Mapping {
        Mapping { domain, attributes, granule: Granule::Page }
    }

    #[test]
    fn equal_neighbours_merge_and_others_do_not() {
        let mut dump = Dump::new();
        let text = page(Attributes::KERNEL_TEXT, 0);
        let data = page(Attributes::KERNEL_DATA, 0);
        dump.add(0x8000_0000, 4096, text);
        dump.add(0x8000_1000, 4096, text);
        dump.add(0x8000_2000, 4096, data);
        // A hole: not merged even with equal attributes.
        dump.add(0x8000_4000, 4096, data);
        dump.add(0x8000_5000, 4096, page(Attributes::KERNEL_DATA, 1));
        let ranges = dump.ranges();
        assert_eq!(ranges.len(), 4);
        assert_eq!((ranges[0].start, ranges[0].size), (0x8000_0000, 0x2000));
        assert_eq!((ranges[2].start, ranges[2].size), (0x8000_4000, 0x1000));
    }

    #[test]
    fn level_names() {
        assert_eq!([Granule::Section, Granule::Page].map(Granule::name), ["section", "page"]);
    }

    #[test]
    fn lines_read_as_documented() {
        let text = MappedRange {
            start: 0x8000_0000,
            size: 0x2A000,
            mapping: page(Attributes::KERNEL_TEXT, 0),
        };
        assert_eq!(
            text.to_string(),
            "0x80000000-0x80029fff  168K  k:RO u:--  x  .    dom 0 KERNEL   WBWA   global  page"
        );
        let device = MappedRange {
            start: 0xF800_0000,
            size: 2 << 20,
            mapping: Mapping {
                domain: domain::IO,
                attributes: Attributes::DEVICE,
                granule: Granule::Section,
            },
        };
        assert_eq!(
            device.to_string(),
            "0xf8000000-0xf81fffff    2M  k:RW u:--  nx pxn  dom 2 IO       DEVICE global  section"
        );
        let user = MappedRange {
            start: 0x0010_0000,
            size: 0x2000,
            mapping: page(
                Attributes {
                    privileged_execute_never: true,
                    ..Attributes::user(AccessPermissions::Read, false)
                },
                1,
            ),
        };
        assert_eq!(
            user.to_string(),
            "0x00100000-0x00101fff    8K  k:RO u:RO  x  pxn  dom 1 USER     WBWA   ng      page"
        );
        let top = MappedRange {
            start: 0xFFF0_0000,
            size: 1 << 20,
            mapping: page(Attributes::KERNEL_DATA, 0),
        };
        assert!(top.to_string().starts_with("0xfff00000-0xffffffff    1M"));
    }
}
