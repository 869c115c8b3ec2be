//! The walk of the live translation tables, and the dump on the console.

use super::ranges::{Dump, Granule, Mapping};
use crate::mm::descriptor::{self, L1Entry, L2Entry, PAGE_SIZE, SECTION_SIZE};
use crate::mm::kernel_map::kernel_l1;
use crate::mm::linear;
use crate::println;

/// Walks L1 entries `[first, last)` of `entry(index)`.
fn walk(dump: &mut Dump, first: usize, last: usize, entry: impl Fn(usize) -> u32) {
    for index in first..last {
        let base = (index as u32) << 20;
        match descriptor::decode_l1(entry(index)) {
            L1Entry::Section { domain, attributes: Some(attributes), .. } => {
                let mapping = Mapping { domain, attributes, granule: Granule::Section };
                dump.add(base, SECTION_SIZE as u64, mapping);
            }
            L1Entry::PageTable { table, domain, privileged_execute_never } => {
                let entries = linear(table) as *const u32;
                for slot in 0..descriptor::L2_ENTRIES {
                    // SAFETY: `table` is a live L2 table of the tables being dumped.
                    let raw = unsafe { entries.add(slot).read_volatile() };
                    if let L2Entry::SmallPage { attributes: Some(mut attributes), .. } =
                        descriptor::decode_l2(raw)
                    {
                        attributes.privileged_execute_never |= privileged_execute_never;
                        let mapping = Mapping { domain, attributes, granule: Granule::Page };
                        dump.add(base + slot as u32 * PAGE_SIZE, PAGE_SIZE as u64, mapping);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The kernel half, from the kernel's L1 table.
pub fn dump_kernel() -> Dump {
    let mut dump = Dump::new();
    let table = kernel_l1();
    walk(&mut dump, 2048, 4096, |index| table.0[index]);
    dump
}

/// The user half that the L1 table at physical address `table` translates.
///
/// # Safety
///
/// `table` must be a user L1 table (`AddressSpace::ttbr0` without its attribute bits) that
/// stays alive and unchanged during the walk: the running process's own, read in one of
/// its system calls (only a process changes its tables, in its own system calls).
pub unsafe fn dump_user(table: u32) -> Dump {
    let mut dump = Dump::new();
    let entries = linear(table) as *const u32;
    walk(&mut dump, 0, 2048, |index| {
        // SAFETY: the caller's contract; `index` < 2048, the user half's entries, inside
        // the table, which the linear map maps.
        unsafe { entries.add(index).read_volatile() }
    });
    dump
}

/// Prints both halves on the console: the user half of process `pid` (the L1 table at
/// `table`; none for the kernel itself), then the kernel's.
///
/// # Safety
///
/// As for [`dump_user`].
pub unsafe fn print(pid: u32, table: Option<u32>) {
    println!("---[ User space: TTBR0 of process {pid} ]---");
    if let Some(table) = table {
        // SAFETY: the caller's contract.
        for range in unsafe { dump_user(table) }.ranges() {
            println!("{range}");
        }
    }
    println!("---[ Kernel: TTBR1 ]---");
    for range in dump_kernel().ranges() {
        println!("{range}");
    }
}
