//! The kernel's own exception table: sorted at boot, searched on every kernel data abort.

use super::search::{Entry, fixup, sort};
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
    fixup(table(), instruction)
}
