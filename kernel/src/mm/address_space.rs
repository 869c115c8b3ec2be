//! User address spaces: a TTBR0 table and an ASID per space, every page in the USER domain.
//!
//! With TTBCR.N = 1 a user L1 table has 2048 entries (8 KiB, 8 KiB aligned) and covers
//! 0x0000_0000-0x7FFF_FFFF. L2 tables are 1 KiB; they are taken four to a frame, the four
//! serving four consecutive L1 entries (a 4 MiB aligned range), so that a frame is found from
//! any of its entries in use and freed with the space. Every L1 page-table entry carries the USER
//! domain and, when PXN is on, PXNTABLE: the kernel can never execute a user page, whatever
//! the DACR says. An address space owns the frames mapped into it and frees them on drop.
//!
//! Mapping a frame gives it to the space and unmapping takes it back (`mm::ownership`): while
//! the space owns a frame, the kernel's linear map does not map it. Page tables stay kernel
//! frames.

use super::descriptor::{self, Attributes, L1Entry, L2_TABLE_SIZE, L2Entry, PAGE_SIZE};
use super::frames::FRAME_SIZE;
use super::{frames_allocate, frames_free, linear, ownership};
use crate::arch::mmu;
use crate::domain;
use crate::errno::Errno;
use crate::memory_map::USER_END;
use crate::sync::IrqSafeLock;

/// Entries in a user L1 table (TTBCR.N = 1).
pub const USER_L1_ENTRIES: usize = 2048;
const USER_L1_BYTES: u32 = (USER_L1_ENTRIES * 4) as u32;
/// L2 tables per frame.
const L2_PER_FRAME: usize = (FRAME_SIZE / L2_TABLE_SIZE) as usize;

crate::ro_after_init! {
    /// PXNTABLE in new user page-table entries, set at boot from `pxn=` and the CPU's support.
    static PRIVILEGED_EXECUTE_NEVER: bool = true;
}

/// Chooses whether user page tables carry PXNTABLE. Boot only.
pub fn set_privileged_execute_never(enabled: bool) {
    PRIVILEGED_EXECUTE_NEVER.set(enabled);
}

/// True when user page tables carry PXNTABLE.
pub fn privileged_execute_never() -> bool {
    PRIVILEGED_EXECUTE_NEVER.get()
}

/// The ASID of the switch sequence alone ([`mmu::switch_user_table`]): live only between its
/// first and last instruction, so whatever the table walker caches under it never matches
/// later.
pub const SWITCH_ASID: u8 = 0;
/// The ASID of the empty user half ([`deactivate`]): a live context of its own (the kernel's
/// job runs with it), so it is neither the switch's ASID nor any process's.
pub const NO_PROCESS_ASID: u8 = 255;

/// ASIDs in use: bit n for ASID n. [`SWITCH_ASID`] and [`NO_PROCESS_ASID`] are taken for
/// good, so processes get 1..=254.
static ASIDS: IrqSafeLock<[u32; 8]> =
    IrqSafeLock::new([1 << SWITCH_ASID, 0, 0, 0, 0, 0, 0, 1 << (NO_PROCESS_ASID % 32)]);

/// True while this CPU is inside the ASID allocator (the oops path checks before freeing a space).
pub fn asid_lock_held() -> bool {
    ASIDS.held_here()
}

fn allocate_asid() -> Result<u8, Errno> {
    let mut used = ASIDS.lock();
    for asid in 1..NO_PROCESS_ASID as usize {
        if used[asid / 32] & (1 << (asid % 32)) == 0 {
            used[asid / 32] |= 1 << (asid % 32);
            return Ok(asid as u8);
        }
    }
    Err(Errno::EAGAIN)
}

fn free_asid(asid: u8) {
    // Entries tagged with the ASID must be gone before someone else gets it.
    mmu::invalidate_tlb_asid(asid);
    let asid = asid as usize;
    ASIDS.lock()[asid / 32] &= !(1 << (asid % 32));
}

/// A user address space.
pub struct AddressSpace {
    /// Physical (= kernel virtual) address of the 8 KiB L1 table.
    l1: u32,
    asid: u8,
}

impl AddressSpace {
    /// An empty address space with a fresh ASID.
    pub fn new() -> Result<AddressSpace, Errno> {
        let asid = allocate_asid()?;
        let l1 = match frames_allocate((USER_L1_BYTES / FRAME_SIZE) as usize, USER_L1_BYTES) {
            Ok(l1) => l1,
            Err(error) => {
                free_asid(asid);
                return Err(error);
            }
        };
        Ok(AddressSpace { l1, asid })
    }

    /// The ASID tagging this space's TLB entries.
    pub fn asid(&self) -> u8 {
        self.asid
    }

    /// The TTBR0 value for this space.
    pub fn ttbr0(&self) -> u32 {
        self.l1 | mmu::TTBR_WALK_ATTRIBUTES
    }

    fn l1_entries(&self) -> *mut u32 {
        linear(self.l1) as *mut u32
    }

    fn l1_entry(&self, index: usize) -> u32 {
        debug_assert!(index < USER_L1_ENTRIES);
        // SAFETY: the L1 table is a frame pair this space owns, mapped by the linear map, and
        // `index` is inside it.
        unsafe { self.l1_entries().add(index).read_volatile() }
    }

    fn set_l1_entry(&mut self, index: usize, value: u32) {
        // SAFETY: as in `l1_entry`; `&mut self` keeps writers exclusive.
        let entry = unsafe { self.l1_entries().add(index) };
        // SAFETY: as above.
        unsafe { entry.write_volatile(value) };
        mmu::publish_table_entry(entry);
    }

    fn l2_entry_pointer(&self, virtual_address: u32) -> Option<*mut u32> {
        match descriptor::decode_l1(self.l1_entry(descriptor::l1_index(virtual_address))) {
            L1Entry::PageTable { table, .. } => {
                let entry = linear(table) as *mut u32;
                // SAFETY: `table` is an L2 table of this space; the index is below 256.
                Some(unsafe { entry.add(descriptor::l2_index(virtual_address)) })
            }
            _ => None,
        }
    }

    /// The frame holding the L2 tables of the four-entry group that `index` belongs to, if
    /// one of them exists.
    fn group_frame(&self, index: usize) -> Option<u32> {
        let group = index - index % L2_PER_FRAME;
        (group..group + L2_PER_FRAME).find_map(|member| {
            match descriptor::decode_l1(self.l1_entry(member)) {
                L1Entry::PageTable { table, .. } => Some(table & !(FRAME_SIZE - 1)),
                _ => None,
            }
        })
    }

    /// The L2 table for `virtual_address`, created if missing. Its frame is shared with the
    /// tables of the three neighbouring MiBs, but only the L1 entries of MiBs in use point
    /// into it: an L1 entry with no page below it stays a fault, so an access there is a
    /// translation fault, not a domain fault.
    fn l2_entry_pointer_or_create(&mut self, virtual_address: u32) -> Result<*mut u32, Errno> {
        if let Some(entry) = self.l2_entry_pointer(virtual_address) {
            return Ok(entry);
        }
        let index = descriptor::l1_index(virtual_address);
        let frame = match self.group_frame(index) {
            Some(frame) => frame,
            None => frames_allocate(1, FRAME_SIZE)?,
        };
        let table = frame + (index % L2_PER_FRAME) as u32 * L2_TABLE_SIZE;
        let entry = descriptor::page_table(table, domain::USER, privileged_execute_never());
        self.set_l1_entry(index, entry);
        self.l2_entry_pointer(virtual_address).ok_or(Errno::ENOMEM)
    }

    /// Maps the frame at `physical` (which the space now owns) at `virtual_address` with
    /// `attributes` (which must be user, non-global attributes). The frame must be filled
    /// already: once mapped it is out of the kernel's linear map (`mm::ownership`), and an
    /// executable one must have had its instructions synchronised through its linear address.
    pub fn map_page(
        &mut self,
        virtual_address: u32,
        physical: u32,
        attributes: Attributes,
    ) -> Result<(), Errno> {
        if !is_user_page(virtual_address)
            || !physical.is_multiple_of(PAGE_SIZE)
            || attributes.global
        {
            return Err(Errno::EINVAL);
        }
        let entry = self.l2_entry_pointer_or_create(virtual_address)?;
        // SAFETY: `entry` points into an L2 table of this space.
        if unsafe { entry.read_volatile() } != 0 {
            return Err(Errno::EEXIST);
        }
        ownership::give_to_user(physical);
        // SAFETY: as above. A fault entry is never cached in the TLB, so no invalidation.
        unsafe { entry.write_volatile(descriptor::small_page(physical, attributes)) };
        mmu::publish_table_entry(entry);
        Ok(())
    }

    /// Unmaps the page at `virtual_address` and returns its frame (no longer owned by the
    /// space: back in the linear map and zeroed, ready to be freed), if one was mapped.
    pub fn unmap_page(&mut self, virtual_address: u32) -> Option<u32> {
        if !is_user_page(virtual_address) {
            return None;
        }
        let entry = self.l2_entry_pointer(virtual_address)?;
        // SAFETY: `entry` points into an L2 table of this space.
        let raw = unsafe { entry.read_volatile() };
        let L2Entry::SmallPage { base, .. } = descriptor::decode_l2(raw) else { return None };
        // SAFETY: as above.
        unsafe { entry.write_volatile(0) };
        mmu::publish_table_entry(entry);
        mmu::invalidate_tlb_page(virtual_address, self.asid);
        ownership::take_from_user(base);
        Some(base)
    }

    /// The frame and attributes mapped at `virtual_address` (any address in the page).
    pub fn translate(&self, virtual_address: u32) -> Option<(u32, Attributes)> {
        if (virtual_address as usize) >= USER_END {
            return None;
        }
        let entry = self.l2_entry_pointer(virtual_address)?;
        // SAFETY: `entry` points into an L2 table of this space.
        match descriptor::decode_l2(unsafe { entry.read_volatile() }) {
            L2Entry::SmallPage { base, attributes: Some(attributes) } => {
                Some((base + (virtual_address & (PAGE_SIZE - 1)), attributes))
            }
            _ => None,
        }
    }

    /// The raw L1 entry covering `virtual_address`, for the self-tests and the page-table dump.
    pub fn l1_descriptor(&self, virtual_address: u32) -> u32 {
        self.l1_entry(descriptor::l1_index(virtual_address))
    }

    /// The physical address of the L1 table.
    pub fn l1_table(&self) -> u32 {
        self.l1
    }

    /// Makes this space the user half of the address space.
    ///
    /// # Safety
    ///
    /// The space must outlive its time in TTBR0: call [`deactivate`] before dropping it, or
    /// make another space active.
    pub unsafe fn activate(&self) {
        // SAFETY: the table is a valid user L1 table and the ASID is this space's.
        unsafe { mmu::switch_user_table(self.ttbr0(), self.asid) };
    }
}

/// Leaves no process in the user half: TTBR0 points at a table of faults.
pub fn deactivate() {
    // SAFETY: the empty table is a valid user table, and NO_PROCESS_ASID belongs to no process.
    unsafe { mmu::switch_user_table(super::kernel_map::empty_user_ttbr0(), NO_PROCESS_ASID) };
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        if mmu::read_ttbr0() & !0x7F == self.l1 {
            deactivate();
        }
        for group in (0..USER_L1_ENTRIES).step_by(L2_PER_FRAME) {
            let Some(frame) = self.group_frame(group) else { continue };
            for member in group..group + L2_PER_FRAME {
                let L1Entry::PageTable { table, .. } = descriptor::decode_l1(self.l1_entry(member))
                else {
                    continue;
                };
                let entries = linear(table) as *const u32;
                for slot in 0..descriptor::L2_ENTRIES {
                    // SAFETY: `table` is an L2 table of this space.
                    let raw = unsafe { entries.add(slot).read_volatile() };
                    if let L2Entry::SmallPage { base, .. } = descriptor::decode_l2(raw) {
                        // No user mode runs in this space again, and its ASID's TLB entries
                        // go before the ASID is reused (`free_asid`).
                        ownership::take_from_user(base);
                        frames_free(base, 1);
                    }
                }
            }
            frames_free(frame, 1);
        }
        frames_free(self.l1, (USER_L1_BYTES / FRAME_SIZE) as usize);
        free_asid(self.asid);
    }
}

/// A page-aligned address a user page may be mapped at: anywhere in the user half, the NULL
/// gap below [`USER_START`] included (`mmap` decides who may map there).
pub fn is_user_page(virtual_address: u32) -> bool {
    virtual_address.is_multiple_of(PAGE_SIZE) && (virtual_address as usize) < USER_END
}
