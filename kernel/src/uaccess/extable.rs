//! The exception table: which instructions may fault on a user address, and where each
//! resumes if it does.
//!
//! Every instruction of a uaccess routine that touches user memory is listed, with the address
//! of its fixup, by the assembler (`.pushsection __ex_table`) as it is emitted; the linker
//! gathers the entries between `__ex_table_start` and `__ex_table_end_exclusive`. They arrive in
//! link order, so [`init`] sorts them once at boot and [`search`] is a binary search. Only a
//! translation, access flag or permission fault is fixed up (see `arch::exception`): a domain
//! fault is a kernel bug and oopses even on a listed instruction.

/// One entry: a user-access instruction and where to resume if it faults.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Address of the instruction.
    pub instruction: u32,
    /// Address of its fixup.
    pub fixup: u32,
}

/// The fixup for `instruction` in a table sorted by instruction address.
pub fn search(table: &[Entry], instruction: u32) -> Option<u32> {
    table
        .binary_search_by_key(&instruction, |entry| entry.instruction)
        .ok()
        .map(|index| table[index].fixup)
}

/// Sorts a table by instruction address; returns false if an instruction is listed twice.
pub fn sort(table: &mut [Entry]) -> bool {
    table.sort_unstable_by_key(|entry| entry.instruction);
    table.windows(2).all(|pair| pair[0].instruction != pair[1].instruction)
}

#[cfg(target_arch = "arm")]
pub use target::*;

#[cfg(target_arch = "arm")]
mod target {
    use super::{Entry, search, sort};
    use core::sync::atomic::{AtomicBool, Ordering};

    unsafe extern "C" {
        static mut __ex_table_start: Entry;
        static __ex_table_end_exclusive: Entry;
    }

    static SORTED: AtomicBool = AtomicBool::new(false);

    fn table_bounds() -> (*mut Entry, usize) {
        // Only the addresses of the linker symbols are taken.
        let (start, end) = (&raw mut __ex_table_start, &raw const __ex_table_end_exclusive);
        // The linker script asserts the size is a multiple of the entry size.
        (start, (end as usize - start as usize) / core::mem::size_of::<Entry>())
    }

    /// The table, sorted.
    pub fn table() -> &'static [Entry] {
        let (start, length) = table_bounds();
        debug_assert!(SORTED.load(Ordering::Relaxed));
        // SAFETY: the linker section holds `length` entries; after `init` nothing writes it.
        unsafe { core::slice::from_raw_parts(start, length) }
    }

    /// Sorts the table. Call once at boot, before any user access.
    pub fn init() {
        let (start, length) = table_bounds();
        // SAFETY: boot is single-threaded and nothing has read the table yet; the section is
        // writable data.
        let entries = unsafe { core::slice::from_raw_parts_mut(start, length) };
        assert!(sort(entries), "an instruction is listed twice in the exception table");
        SORTED.store(true, Ordering::Relaxed);
    }

    /// The fixup for a faulting instruction, if it is a listed user access.
    pub fn fixup_for(instruction: u32) -> Option<u32> {
        search(table(), instruction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(instruction: u32, fixup: u32) -> Entry {
        Entry { instruction, fixup }
    }

    #[test]
    fn sorted_then_found() {
        let mut table = [entry(0x8000_0300, 3), entry(0x8000_0100, 1), entry(0x8000_0200, 2)];
        assert!(sort(&mut table));
        assert_eq!(table.map(|entry| entry.instruction), [0x8000_0100, 0x8000_0200, 0x8000_0300]);
        assert_eq!(search(&table, 0x8000_0200), Some(2));
        assert_eq!(search(&table, 0x8000_0100), Some(1));
        assert_eq!(search(&table, 0x8000_0300), Some(3));
    }

    #[test]
    fn only_listed_instructions_have_fixups() {
        let mut table = [entry(0x8000_0100, 1), entry(0x8000_0200, 2)];
        assert!(sort(&mut table));
        for address in [0, 0x8000_00FC, 0x8000_0104, 0x8000_01FC, 0x8000_0204, u32::MAX] {
            assert_eq!(search(&table, address), None, "{address:#x}");
        }
        assert_eq!(search(&[], 0x8000_0100), None);
    }

    #[test]
    fn duplicates_are_refused() {
        let mut table = [entry(0x8000_0100, 1), entry(0x8000_0100, 2)];
        assert!(!sort(&mut table));
    }
}
