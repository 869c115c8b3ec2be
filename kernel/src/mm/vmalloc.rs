//! The vmalloc area: kernel allocations mapped page by page into a range of their own, each
//! with an unmapped guard page on both sides, read-write and never executable.
//!
//! A run past the end of an allocation (or before its start) lands on a guard page and takes
//! a translation fault instead of reading or corrupting the neighbour. The area's L2 tables
//! are created on demand and kept (four to a frame, like the user tables).

use super::descriptor::{self, Attributes, L2_TABLE_SIZE, PAGE_SIZE, l1_index};
use super::frames::FRAME_SIZE;
use super::{frames_allocate, frames_free, kernel_map, linear};
use crate::arch::mmu;
use crate::domain;
use crate::errno::Errno;
use crate::memory_map::{VMALLOC_END, VMALLOC_START};
use crate::sync::IrqSafeLock;

const PAGES: usize = (VMALLOC_END - VMALLOC_START) / PAGE_SIZE as usize;

/// Which pages of the area are taken (by an allocation or its guards).
struct Area {
    taken: [u32; PAGES / 32],
    /// Physical address of the L2 table frame for each group of four L1 entries, 0 if none.
    tables: [u32; (VMALLOC_END - VMALLOC_START) / (4 << 20)],
}

static AREA: IrqSafeLock<Area> = IrqSafeLock::new(Area { taken: [0; PAGES / 32], tables: [0; 64] });

impl Area {
    fn is_taken(&self, page: usize) -> bool {
        self.taken[page / 32] & (1 << (page % 32)) != 0
    }

    fn set_taken(&mut self, page: usize, taken: bool) {
        if taken {
            self.taken[page / 32] |= 1 << (page % 32);
        } else {
            self.taken[page / 32] &= !(1 << (page % 32));
        }
    }

    /// The first run of `count` free pages.
    fn find(&self, count: usize) -> Option<usize> {
        let mut start = 0;
        while start + count <= PAGES {
            match (start..start + count).find(|&page| self.is_taken(page)) {
                Some(taken) => start = taken + 1,
                None => return Some(start),
            }
        }
        None
    }

    /// The L2 entry for the vmalloc page at `address`, creating its table if needed.
    fn entry(&mut self, address: u32) -> Result<*mut u32, Errno> {
        let group = (address as usize - VMALLOC_START) / (4 << 20);
        if self.tables[group] == 0 {
            let frame = frames_allocate(1, FRAME_SIZE)?;
            let first = l1_index(VMALLOC_START as u32 + (group as u32) * (4 << 20));
            for member in 0..4 {
                let table = frame + member as u32 * L2_TABLE_SIZE;
                // SAFETY: the frame is zeroed, owned by the area for the kernel's lifetime, and
                // these L1 entries (inside the vmalloc area) were faults until now.
                unsafe {
                    kernel_map::set_kernel_l1_entry(
                        first + member,
                        descriptor::page_table(table, domain::KERNEL, true),
                    )
                };
            }
            self.tables[group] = frame;
        }
        let table_index = (address as usize - VMALLOC_START) / (1 << 20) % 4;
        let table = self.tables[group] + table_index as u32 * L2_TABLE_SIZE;
        // SAFETY: `table` is one of the area's L2 tables; the index is below 256.
        Ok(unsafe { (linear(table) as *mut u32).add(descriptor::l2_index(address)) })
    }
}

/// A page-mapped allocation in the vmalloc area; dropping it unmaps and frees it.
pub struct VmallocBox {
    address: u32,
    pages: usize,
}

impl VmallocBox {
    /// The first byte.
    pub fn address(&self) -> u32 {
        self.address
    }

    /// The size in bytes (whole pages).
    pub fn size(&self) -> usize {
        self.pages * PAGE_SIZE as usize
    }

    /// The memory, zeroed at allocation.
    pub fn as_mut_ptr(&self) -> *mut u8 {
        self.address as *mut u8
    }
}

/// Allocates `size` bytes (rounded up to pages), zeroed, between two guard pages.
pub fn vmalloc(size: usize) -> Result<VmallocBox, Errno> {
    let pages = size.div_ceil(PAGE_SIZE as usize).max(1);
    let mut area = AREA.lock();
    // [guard][pages][guard]: only the middle is mapped.
    let first = area.find(pages + 2).ok_or(Errno::ENOMEM)?;
    for page in first..first + pages + 2 {
        area.set_taken(page, true);
    }
    let address = VMALLOC_START as u32 + (first as u32 + 1) * PAGE_SIZE;
    for index in 0..pages {
        let page_address = address + index as u32 * PAGE_SIZE;
        let mapped =
            frames_allocate(1, FRAME_SIZE).and_then(|frame| match area.entry(page_address) {
                Ok(entry) => Ok((frame, entry)),
                Err(error) => {
                    frames_free(frame, 1);
                    Err(error)
                }
            });
        match mapped {
            Ok((frame, entry)) => {
                // SAFETY: `entry` is this page's L2 entry, a fault until now.
                unsafe {
                    entry.write_volatile(descriptor::small_page(frame, Attributes::KERNEL_DATA))
                };
                mmu::publish_table_entry(entry);
            }
            Err(error) => {
                drop(area);
                vfree(address, index, pages);
                return Err(error);
            }
        }
    }
    Ok(VmallocBox { address, pages })
}

/// Unmaps the first `mapped` pages of an allocation of `pages` at `address` and releases its
/// range (guards included).
fn vfree(address: u32, mapped: usize, pages: usize) {
    let mut area = AREA.lock();
    for index in 0..mapped {
        let page_address = address + index as u32 * PAGE_SIZE;
        if let Ok(entry) = area.entry(page_address) {
            // SAFETY: `entry` is this page's L2 entry.
            let raw = unsafe { entry.read_volatile() };
            // SAFETY: as above.
            unsafe { entry.write_volatile(0) };
            mmu::publish_table_entry(entry);
            mmu::invalidate_tlb_page(page_address, 0);
            if let descriptor::L2Entry::SmallPage { base, .. } = descriptor::decode_l2(raw) {
                frames_free(base, 1);
            }
        }
    }
    let first = (address as usize - VMALLOC_START) / PAGE_SIZE as usize - 1;
    for page in first..first + pages + 2 {
        area.set_taken(page, false);
    }
}

impl Drop for VmallocBox {
    fn drop(&mut self) {
        vfree(self.address, self.pages, self.pages);
    }
}
