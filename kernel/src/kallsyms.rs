//! The kernel's embedded symbol table: its format, with the writer and the reader side by side.
//!
//! The linker script reserves a zero-filled `.kallsyms` section of fixed size. After linking,
//! the `ksyms` host tool [`encode`]s the kernel's function symbols into it; at run time the
//! kernel [`Kallsyms::parse`]s it to name the addresses of an oops call trace the way Linux
//! does (`kernel_main+0x40/0x80`). Keeping both sides in one module keeps them in agreement.
//!
//! # Layout
//!
//! Every number is a little-endian `u32`:
//!
//! ```text
//! header   magic "KSYM", version (1), count, names_offset
//! entries  count × { address, size, name_offset }   sorted by address, ascending
//! names    NUL-terminated UTF-8 strings; name_offset counts from names_offset
//! ```
//!
//! A section that was never filled is all zeros: no magic, so [`Kallsyms::parse`] returns
//! `None` and the kernel prints bare addresses. Neither side allocates, and the reader never
//! panics, whatever the blob holds: a corrupted blob gives `None`, not a crash in the middle
//! of an oops.

use core::fmt;
use core::iter::FusedIterator;

/// The first four bytes of a filled table: `KSYM`.
pub const MAGIC: u32 = u32::from_le_bytes(*b"KSYM");
/// The format version this module writes and reads.
pub const VERSION: u32 = 1;
/// The size of the header: magic, version, count, names_offset.
pub const HEADER_SIZE: usize = 16;
/// The size of one entry: address, size, name_offset.
pub const ENTRY_SIZE: usize = 12;

/// Why [`encode`] refused its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The symbol at `index` has a lower address than the one before it.
    NotSorted {
        /// The index of the first symbol out of order.
        index: usize,
    },
    /// The name of the symbol at `index` contains a NUL byte, which would end it early.
    NulInName {
        /// The index of the symbol.
        index: usize,
    },
    /// The output buffer is smaller than the table.
    TooSmall {
        /// The bytes the table needs.
        needed: usize,
        /// The bytes the buffer has.
        available: usize,
    },
    /// The table would be larger than the 32-bit offsets of the format can address.
    TooLarge,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::NotSorted { index } => {
                write!(f, "symbol {index} is out of order: symbols must be sorted by address")
            }
            EncodeError::NulInName { index } => write!(f, "the name of symbol {index} holds a NUL"),
            EncodeError::TooSmall { needed, available } => {
                write!(f, "the table needs {needed} bytes but only {available} are available")
            }
            EncodeError::TooLarge => write!(f, "the table is larger than 32-bit offsets allow"),
        }
    }
}

/// Writes `symbols`, given as `(address, size, name)` and sorted by address, into the start of
/// `out`, and returns how many bytes it used. Bytes of `out` past those are left untouched:
/// the caller zeroes the buffer if it wants a clean tail. Nothing is written on error.
pub fn encode(symbols: &[(u32, u32, &str)], out: &mut [u8]) -> Result<usize, EncodeError> {
    let mut previous_address = 0;
    let mut names_size: usize = 0;
    for (index, &(address, _, name)) in symbols.iter().enumerate() {
        if address < previous_address {
            return Err(EncodeError::NotSorted { index });
        }
        previous_address = address;
        if name.as_bytes().contains(&0) {
            return Err(EncodeError::NulInName { index });
        }
        names_size = names_size
            .checked_add(name.len())
            .and_then(|size| size.checked_add(1))
            .ok_or(EncodeError::TooLarge)?;
    }
    let names_offset = symbols
        .len()
        .checked_mul(ENTRY_SIZE)
        .and_then(|size| size.checked_add(HEADER_SIZE))
        .ok_or(EncodeError::TooLarge)?;
    let needed = names_offset.checked_add(names_size).ok_or(EncodeError::TooLarge)?;
    // Every offset the reader follows is a u32, so the whole table must be addressable by one.
    if u32::try_from(needed).is_err() {
        return Err(EncodeError::TooLarge);
    }
    if needed > out.len() {
        return Err(EncodeError::TooSmall { needed, available: out.len() });
    }
    let out = out.get_mut(..needed).ok_or(EncodeError::TooSmall { needed, available: 0 })?;
    let (header_and_entries, names) = out.split_at_mut(names_offset);
    let (header, entries) = header_and_entries.split_at_mut(HEADER_SIZE);

    // `needed` fits a u32, and every count and offset below is smaller than it.
    let as_u32 = |value: usize| u32::try_from(value).map_err(|_| EncodeError::TooLarge);
    let header_words = [MAGIC, VERSION, as_u32(symbols.len())?, as_u32(names_offset)?];
    for (slot, word) in header.chunks_exact_mut(4).zip(header_words) {
        slot.copy_from_slice(&word.to_le_bytes());
    }

    let mut name_offset: usize = 0;
    for (entry, &(address, size, name)) in entries.chunks_exact_mut(ENTRY_SIZE).zip(symbols) {
        let words = [address, size, as_u32(name_offset)?];
        for (slot, word) in entry.chunks_exact_mut(4).zip(words) {
            slot.copy_from_slice(&word.to_le_bytes());
        }
        // These sums stay below `needed`, computed above with checked arithmetic; checking
        // them again costs nothing and keeps every offset computation visibly safe.
        let name_end = name_offset.checked_add(name.len()).ok_or(EncodeError::TooLarge)?;
        let slot = names.get_mut(name_offset..name_end).ok_or(EncodeError::TooLarge)?;
        slot.copy_from_slice(name.as_bytes());
        *names.get_mut(name_end).ok_or(EncodeError::TooLarge)? = 0;
        name_offset = name_end.checked_add(1).ok_or(EncodeError::TooLarge)?;
    }
    Ok(needed)
}

/// A parsed table, borrowing the blob.
#[derive(Clone, Copy, Debug)]
pub struct Kallsyms<'a> {
    entries: &'a [u8],
    names: &'a [u8],
}

/// Where an address falls: a symbol and the offset into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location<'a> {
    /// The symbol's name.
    pub name: &'a str,
    /// The address minus the symbol's address.
    pub offset: u32,
    /// The symbol's size, zero when unknown.
    pub size: u32,
}

impl fmt::Display for Location<'_> {
    /// Linux's format: `kernel_main+0x40/0x80`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{:#x}/{:#x}", self.name, self.offset, self.size)
    }
}

/// One decoded entry.
#[derive(Clone, Copy)]
struct Entry {
    address: u32,
    size: u32,
    name_offset: u32,
}

impl<'a> Kallsyms<'a> {
    /// Parses a table, or returns `None` if the blob holds none (no magic: the section was
    /// never filled) or holds an inconsistent one: another version, entries running past the
    /// blob, a names area out of range, or entries out of address order.
    pub fn parse(blob: &'a [u8]) -> Option<Kallsyms<'a>> {
        if read_u32(blob, 0)? != MAGIC || read_u32(blob, 4)? != VERSION {
            return None;
        }
        let count = usize::try_from(read_u32(blob, 8)?).ok()?;
        let names_offset = usize::try_from(read_u32(blob, 12)?).ok()?;
        let entries_end = count.checked_mul(ENTRY_SIZE)?.checked_add(HEADER_SIZE)?;
        // The names follow the entries; overlapping them would be a corrupted blob.
        if names_offset < entries_end {
            return None;
        }
        let table = Kallsyms {
            entries: blob.get(HEADER_SIZE..entries_end)?,
            names: blob.get(names_offset..)?,
        };
        // Checked once here so that the binary search in `lookup` has a sorted table.
        let mut previous_address = 0;
        for index in 0..count {
            let address = table.entry(index)?.address;
            if address < previous_address {
                return None;
            }
            previous_address = address;
        }
        Some(table)
    }

    /// The number of symbols.
    pub fn len(&self) -> usize {
        self.entries.len() / ENTRY_SIZE
    }

    /// Whether the table holds no symbol.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The symbol containing `address`: the last one starting at or below it, provided the
    /// address is inside its size. A symbol of size zero (an assembly label whose size
    /// nobody declared) extends up to the next symbol. `None` below the first symbol, past
    /// the end of a sized symbol, or when the name is corrupted.
    pub fn lookup(&self, address: u32) -> Option<Location<'a>> {
        // Find the first entry above `address`; the one before it is the candidate.
        let mut low = 0;
        let mut high = self.len();
        while low < high {
            let middle = low + (high - low) / 2;
            if self.entry(middle)?.address <= address {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let entry = self.entry(low.checked_sub(1)?)?;
        let offset = address.checked_sub(entry.address)?;
        if entry.size != 0 && offset >= entry.size {
            return None;
        }
        Some(Location { name: self.name(entry.name_offset)?, offset, size: entry.size })
    }

    /// The address of the symbol called `name` (the first, in address order, if several
    /// share it), as `/proc/kallsyms` answers a search by name; `None` when no symbol has it.
    pub fn address_of(&self, name: &str) -> Option<u32> {
        self.iter().find(|&(_, _, found)| found == Some(name)).map(|(address, _, _)| address)
    }

    /// The symbols in address order, as `(address, size, name)`; the name is `None` if it is
    /// corrupted.
    pub fn iter(&self) -> Iter<'a> {
        Iter { table: *self, index: 0 }
    }

    fn entry(&self, index: usize) -> Option<Entry> {
        let start = index.checked_mul(ENTRY_SIZE)?;
        let entry = self.entries.get(start..)?;
        Some(Entry {
            address: read_u32(entry, 0)?,
            size: read_u32(entry, 4)?,
            name_offset: read_u32(entry, 8)?,
        })
    }

    fn name(&self, offset: u32) -> Option<&'a str> {
        let rest = self.names.get(usize::try_from(offset).ok()?..)?;
        let length = rest.iter().position(|&byte| byte == 0)?;
        core::str::from_utf8(rest.get(..length)?).ok()
    }
}

/// The symbols of a [`Kallsyms`] table, from [`Kallsyms::iter`].
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    table: Kallsyms<'a>,
    index: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (u32, u32, Option<&'a str>);

    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.table.entry(self.index)?;
        self.index = self.index.saturating_add(1);
        Some((entry.address, entry.size, self.table.name(entry.name_offset)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.table.len().saturating_sub(self.index);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl FusedIterator for Iter<'_> {}

/// The little-endian `u32` at `offset`, if it lies inside `bytes`.
fn read_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    bytes.get(offset..)?.first_chunk().map(|chunk| u32::from_le_bytes(*chunk))
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;
    use std::vec;
    use std::vec::Vec;

    const SYMBOLS: &[(u32, u32, &str)] = &[
        (0x8000_0000, 0, "_start"),
        (0x8000_0040, 0x80, "kernel_main"),
        (0x8000_0100, 0x10, "swpan::oops::fatal_exception"),
        (0x8000_0110, 0x4, "tiny"),
        (0x8000_0200, 0x20, "last"),
    ];

    fn encoded(symbols: &[(u32, u32, &str)]) -> (Vec<u8>, usize) {
        let mut blob = vec![0; 512];
        let used = encode(symbols, &mut blob).unwrap();
        (blob, used)
    }

    fn location(name: &str, offset: u32, size: u32) -> Option<Location<'_>> {
        Some(Location { name, offset, size })
    }

    #[test]
    fn layout_is_as_documented() {
        let (blob, used) = encoded(&[(0x1000, 0x20, "a"), (0x2000, 0, "bc")]);
        let words: Vec<u32> = blob[..40]
            .chunks_exact(4)
            .map(|word| u32::from_le_bytes(word.try_into().unwrap()))
            .collect();
        assert_eq!(&blob[..4], b"KSYM");
        assert_eq!(words, [MAGIC, 1, 2, 40, 0x1000, 0x20, 0, 0x2000, 0, 2]);
        assert_eq!(&blob[40..45], b"a\0bc\0");
        assert_eq!(used, 45);
        assert!(blob[used..].iter().all(|&byte| byte == 0));
    }

    #[test]
    fn names_find_their_addresses() {
        let (blob, _) = encoded(SYMBOLS);
        let table = Kallsyms::parse(&blob).unwrap();
        assert_eq!(table.address_of("kernel_main"), Some(0x8000_0040));
        assert_eq!(table.address_of("swpan::oops::fatal_exception"), Some(0x8000_0100));
        assert_eq!(table.address_of("last"), Some(0x8000_0200));
        assert_eq!(table.address_of("kernel"), None, "a prefix is not a name");
        assert_eq!(table.address_of(""), None);
        let (twice, _) = encoded(&[(0x10, 0, "same"), (0x20, 0, "same")]);
        assert_eq!(Kallsyms::parse(&twice).unwrap().address_of("same"), Some(0x10));
    }

    #[test]
    fn round_trip_lookups() {
        let (blob, used) = encoded(SYMBOLS);
        let table = Kallsyms::parse(&blob).unwrap();
        assert_eq!(table.len(), SYMBOLS.len());
        assert!(!table.is_empty());
        let listed: Vec<_> = table.iter().collect();
        let expected: Vec<_> =
            SYMBOLS.iter().map(|&(address, size, name)| (address, size, Some(name))).collect();
        assert_eq!(listed, expected);
        assert_eq!(table.iter().len(), SYMBOLS.len());

        // Before the first symbol.
        assert_eq!(table.lookup(0), None);
        assert_eq!(table.lookup(0x7fff_ffff), None);
        // A zero-size symbol extends to the next one.
        assert_eq!(table.lookup(0x8000_0000), location("_start", 0, 0));
        assert_eq!(table.lookup(0x8000_003f), location("_start", 0x3f, 0));
        // Exact start, inside, last byte, one past.
        assert_eq!(table.lookup(0x8000_0040), location("kernel_main", 0, 0x80));
        assert_eq!(table.lookup(0x8000_0080), location("kernel_main", 0x40, 0x80));
        assert_eq!(table.lookup(0x8000_00bf), location("kernel_main", 0x7f, 0x80));
        assert_eq!(table.lookup(0x8000_00c0), None);
        // Adjacent symbols.
        assert_eq!(table.lookup(0x8000_010f), location("swpan::oops::fatal_exception", 0xf, 0x10));
        assert_eq!(table.lookup(0x8000_0110), location("tiny", 0, 4));
        // A gap.
        assert_eq!(table.lookup(0x8000_0114), None);
        assert_eq!(table.lookup(0x8000_01ff), None);
        // The last symbol and beyond.
        assert_eq!(table.lookup(0x8000_021f), location("last", 0x1f, 0x20));
        assert_eq!(table.lookup(0x8000_0220), None);
        assert_eq!(table.lookup(u32::MAX), None);
        // The parse does not depend on the exact blob length.
        assert_eq!(
            Kallsyms::parse(&blob[..used]).unwrap().lookup(0x8000_0110),
            table.lookup(0x8000_0110)
        );
    }

    #[test]
    fn last_symbol_without_size_covers_the_rest() {
        let (blob, _) = encoded(&[(0x100, 0x10, "sized"), (0x200, 0, "label")]);
        let table = Kallsyms::parse(&blob).unwrap();
        assert_eq!(table.lookup(0x1ff), None);
        assert_eq!(table.lookup(u32::MAX), location("label", u32::MAX - 0x200, 0));
    }

    #[test]
    fn duplicate_addresses_are_accepted() {
        let (blob, _) = encoded(&[(0x100, 0x10, "first"), (0x100, 0x10, "second")]);
        let table = Kallsyms::parse(&blob).unwrap();
        assert_eq!(table.lookup(0x104), location("second", 4, 0x10));
    }

    #[test]
    fn empty_table() {
        let (blob, used) = encoded(&[]);
        assert_eq!(used, HEADER_SIZE);
        let table = Kallsyms::parse(&blob).unwrap();
        assert!(table.is_empty());
        assert_eq!(table.lookup(0x8000_0000), None);
        assert_eq!(table.iter().next(), None);
    }

    #[test]
    fn unfilled_section_is_none() {
        assert!(Kallsyms::parse(&[0; 4096]).is_none());
        assert!(Kallsyms::parse(&[]).is_none());
    }

    #[test]
    fn inconsistent_headers_are_none() {
        let (valid, _) = encoded(SYMBOLS);
        let patched = |offset: usize, value: u32| {
            let mut blob = valid.clone();
            blob[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
            Kallsyms::parse(&blob).is_none()
        };
        assert!(patched(4, 2), "another version");
        assert!(patched(8, 1000), "count past the blob");
        assert!(patched(8, u32::MAX), "count overflowing");
        assert!(patched(12, 16), "names over the entries");
        assert!(patched(12, 513), "names past the blob");
        assert!(patched(16 + 12, 0x7000_0000), "entries out of order");
        assert!(!patched(12, 512), "an empty names area is consistent");
    }

    #[test]
    fn corrupted_names_fail_their_lookups_only() {
        let (mut blob, used) = encoded(&[(0x100, 0x10, "good"), (0x200, 0x10, "bad")]);
        // The second name offset points past the names; then the last NUL disappears.
        blob[16 + 12 + 8..16 + 12 + 12].copy_from_slice(&1000u32.to_le_bytes());
        let table = Kallsyms::parse(&blob[..used]).unwrap();
        assert_eq!(table.lookup(0x104), location("good", 4, 0x10));
        assert_eq!(table.lookup(0x204), None);
        assert_eq!(table.iter().nth(1), Some((0x200, 0x10, None)));

        let (mut blob, used) = encoded(&[(0x100, 0x10, "good"), (0x200, 0x10, "bad")]);
        blob[used - 1] = b'!';
        let table = Kallsyms::parse(&blob[..used]).unwrap();
        assert_eq!(table.lookup(0x204), None);

        let (mut blob, used) = encoded(&[(0x100, 0x10, "good")]);
        blob[used - 2] = 0xff;
        assert_eq!(Kallsyms::parse(&blob).unwrap().lookup(0x100), None);
    }

    #[test]
    fn every_truncation_is_none_or_consistent() {
        let (blob, used) = encoded(SYMBOLS);
        let full = Kallsyms::parse(&blob).unwrap();
        let addresses: Vec<u32> = (0x7fff_fff0..0x8000_0230).step_by(3).collect();
        for length in 0..=used {
            let Some(table) = Kallsyms::parse(&blob[..length]) else { continue };
            // Only the names can be cut: the entries must all be there.
            assert!(length >= HEADER_SIZE + SYMBOLS.len() * ENTRY_SIZE);
            assert_eq!(table.len(), full.len());
            for &address in &addresses {
                if let Some(found) = table.lookup(address) {
                    assert_eq!(Some(found), full.lookup(address));
                }
            }
        }
        assert_eq!(
            Kallsyms::parse(&blob[..used]).unwrap().lookup(0x8000_0200),
            full.lookup(0x8000_0200)
        );
    }

    #[test]
    fn corrupted_bytes_never_panic() {
        let (blob, used) = encoded(SYMBOLS);
        for index in 0..used {
            for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut corrupted = blob[..used].to_vec();
                corrupted[index] = value;
                if let Some(table) = Kallsyms::parse(&corrupted) {
                    for address in [0, 0x8000_0000, 0x8000_0044, 0x8000_0200, u32::MAX] {
                        let _ = table.lookup(address).map(|found| found.to_string());
                    }
                    assert_eq!(table.iter().count(), table.len());
                }
            }
        }
    }

    #[test]
    fn unsorted_input_is_refused() {
        let mut out = [0xa5; 256];
        let unsorted = [(0x200, 4, "b"), (0x100, 4, "a")];
        assert_eq!(encode(&unsorted, &mut out), Err(EncodeError::NotSorted { index: 1 }));
        assert!(out.iter().all(|&byte| byte == 0xa5), "nothing written on error");
    }

    #[test]
    fn nul_in_name_is_refused() {
        let mut out = [0; 256];
        assert_eq!(
            encode(&[(0x100, 4, "a"), (0x200, 4, "b\0c")], &mut out),
            Err(EncodeError::NulInName { index: 1 })
        );
    }

    #[test]
    fn too_small_buffer_is_refused() {
        let symbols = [(0x100, 4, "abc")];
        let needed = HEADER_SIZE + ENTRY_SIZE + 4;
        let mut out = vec![0; needed - 1];
        assert_eq!(
            encode(&symbols, &mut out),
            Err(EncodeError::TooSmall { needed, available: needed - 1 })
        );
        let mut out = vec![0; needed];
        assert_eq!(encode(&symbols, &mut out), Ok(needed));
    }

    #[test]
    fn location_prints_like_linux() {
        let found = Location { name: "kernel_main", offset: 0x40, size: 0x80 };
        assert_eq!(found.to_string(), "kernel_main+0x40/0x80");
        let label = Location { name: "_start", offset: 0xABC, size: 0 };
        assert_eq!(label.to_string(), "_start+0xabc/0x0");
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            EncodeError::TooSmall { needed: 100, available: 64 }.to_string(),
            "the table needs 100 bytes but only 64 are available"
        );
        assert!(EncodeError::NotSorted { index: 3 }.to_string().contains("symbol 3"));
        assert!(EncodeError::NulInName { index: 2 }.to_string().contains("symbol 2"));
        assert!(!EncodeError::TooLarge.to_string().is_empty());
    }
}
