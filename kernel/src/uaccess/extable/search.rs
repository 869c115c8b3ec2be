//! Exception-table entries and their binary search (pure, host-tested).

/// Kind of an entry for a user access: fixed up on a translation or permission fault.
pub const USER_ACCESS: u32 = 1;
/// Kind of an entry for an access to the kernel's buffer inside a window: never fixed up.
pub const KERNEL_BUFFER: u32 = 2;

/// One entry: an access inside a window, its fixup, its kind.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Address of the instruction.
    pub instruction: u32,
    /// Address of its fixup (user accesses only).
    pub fixup: u32,
    /// [`USER_ACCESS`] or [`KERNEL_BUFFER`].
    pub kind: u32,
}

/// The entry for `instruction` in a table sorted by instruction address.
pub fn search(table: &[Entry], instruction: u32) -> Option<&Entry> {
    table
        .binary_search_by_key(&instruction, |entry| entry.instruction)
        .ok()
        .map(|index| &table[index])
}

/// The fixup for a faulting `instruction`: only user accesses have one.
pub fn fixup(table: &[Entry], instruction: u32) -> Option<u32> {
    search(table, instruction).filter(|entry| entry.kind == USER_ACCESS).map(|entry| entry.fixup)
}

/// Sorts a table by instruction address; returns false if an instruction is listed twice.
pub fn sort(table: &mut [Entry]) -> bool {
    table.sort_unstable_by_key(|entry| entry.instruction);
    table.windows(2).all(|pair| pair[0].instruction != pair[1].instruction)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(instruction: u32, fixup: u32) -> Entry {
        Entry { instruction, fixup, kind: USER_ACCESS }
    }

    #[test]
    fn sorted_then_found() {
        let mut table = [entry(0x8000_0300, 3), entry(0x8000_0100, 1), entry(0x8000_0200, 2)];
        assert!(sort(&mut table));
        assert_eq!(table.map(|entry| entry.instruction), [0x8000_0100, 0x8000_0200, 0x8000_0300]);
        assert_eq!(fixup(&table, 0x8000_0200), Some(2));
        assert_eq!(fixup(&table, 0x8000_0100), Some(1));
        assert_eq!(fixup(&table, 0x8000_0300), Some(3));
    }

    #[test]
    fn only_listed_instructions_have_fixups() {
        let mut table = [entry(0x8000_0100, 1), entry(0x8000_0200, 2)];
        assert!(sort(&mut table));
        for address in [0, 0x8000_00FC, 0x8000_0104, 0x8000_01FC, 0x8000_0204, u32::MAX] {
            assert_eq!(fixup(&table, address), None, "{address:#x}");
        }
        assert_eq!(fixup(&[], 0x8000_0100), None);
    }

    #[test]
    fn kernel_buffer_accesses_are_listed_but_never_fixed_up() {
        let mut table = [
            entry(0x8000_0100, 1),
            Entry { instruction: 0x8000_0104, fixup: 0, kind: KERNEL_BUFFER },
        ];
        assert!(sort(&mut table));
        assert_eq!(search(&table, 0x8000_0104).map(|entry| entry.kind), Some(KERNEL_BUFFER));
        assert_eq!(fixup(&table, 0x8000_0104), None);
        assert_eq!(fixup(&table, 0x8000_0100), Some(1));
    }

    #[test]
    fn duplicates_are_refused() {
        let mut table = [entry(0x8000_0100, 1), entry(0x8000_0100, 2)];
        assert!(!sort(&mut table));
    }
}
