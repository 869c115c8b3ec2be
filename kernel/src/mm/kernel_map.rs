//! The kernel half of the address space (TTBR1), built once at boot, and turning the MMU on.
//!
//! All of RAM is mapped with 4 KiB pages (the linear map: RAM at its physical address). The
//! first 16 MiB hold the kernel image, and each part of the image has its own permissions:
//! text read-only and executable, rodata read-only, data and stacks read-write, never
//! executable. The rest of RAM is read-write and never executable, page by page, so that a
//! frame given to a user address space can leave the linear map alone ([`set_linear_page`],
//! `mm::ownership`): 128 second-level tables, 128 KiB for 128 MiB. The device windows are
//! sections in the IO domain, and the vector page is mapped a second time at 0xFFFF_0000 in
//! the VECTORS domain. Nothing here is in the USER domain, and no mapping is both writable
//! and executable.

use super::descriptor::{
    self, Attributes, L1_ENTRIES, L2_ENTRIES, PAGE_SIZE, SECTION_SIZE, l1_index, l2_index,
};
use super::image;
use crate::arch::mmu;
use crate::domain;
use crate::memory_map::{DEVICE_WINDOWS, RAM_BASE, RAM_END, RAM_SIZE, TTBCR_N, VECTORS};
use crate::sync::IrqSafeLock;
use core::cell::UnsafeCell;

/// How much RAM, from its start, may hold the kernel image (its pages get the image's
/// permissions; the pages above are plain read-write data).
const IMAGE_BYTES: u32 = 16 << 20;
/// Second-level tables of the linear map: one per MiB of RAM.
const LINEAR_TABLES: usize = RAM_SIZE / SECTION_SIZE as usize;

/// A first-level table. 16 KiB alignment is what TTBR1 needs.
#[repr(C, align(16384))]
pub struct L1Table(pub [u32; L1_ENTRIES]);

/// A second-level table, 1 KiB aligned.
#[repr(C, align(1024))]
pub struct L2Table(pub [u32; L2_ENTRIES]);

/// The user half's table for "no process": TTBCR.N = 1 makes TTBR0's table 8 KiB, 8 KiB
/// aligned. All entries are faults.
#[repr(C, align(8192))]
struct EmptyUserTable([u32; L1_ENTRIES / 2]);

#[repr(C)]
struct KernelTables {
    l1: L1Table,
    linear: [L2Table; LINEAR_TABLES],
    vectors: L2Table,
}

/// Storage written only by `build` (once, before the MMU is on, single core) and read by the
/// walker and by `ptdump`-style readers afterwards.
struct TableCell<T>(UnsafeCell<T>);

// SAFETY: the tables are built during single-threaded boot (`build`); afterwards entries
// change only under the UPDATES lock, one aligned word store at a time.
unsafe impl<T> Sync for TableCell<T> {}

static KERNEL_TABLES: TableCell<KernelTables> = TableCell(UnsafeCell::new(KernelTables {
    l1: L1Table([0; L1_ENTRIES]),
    linear: [const { L2Table([0; L2_ENTRIES]) }; LINEAR_TABLES],
    vectors: L2Table([0; L2_ENTRIES]),
}));

static EMPTY_USER_TABLE: TableCell<EmptyUserTable> =
    TableCell(UnsafeCell::new(EmptyUserTable([0; L1_ENTRIES / 2])));

/// The protections the command line chose, fixed at boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Protections {
    /// Emulated PAN: the user domain is No access in kernel mode.
    pub pan: bool,
    /// Hardware PXN on user pages (PXNTABLE), when the CPU has it.
    pub pxn: bool,
    /// Exclusive page-frame ownership: user-owned frames out of the linear map (`xpfo=`).
    pub xpfo: bool,
}

impl Protections {
    /// The DACR value of kernel mode with the window closed.
    pub const fn kernel_dacr(self) -> u32 {
        crate::domain::kernel_mode_dacr(self.pan)
    }
}

/// The attributes of the linear map's page at `address`, `None` for a page that stays
/// unmapped (the boot stack's guard).
fn linear_page_attributes(address: u32) -> Option<Attributes> {
    if address >= RAM_BASE as u32 + IMAGE_BYTES {
        Some(Attributes::KERNEL_DATA)
    } else if image::text().contains(&address) {
        Some(Attributes::KERNEL_TEXT)
    } else if image::rodata().contains(&address) {
        Some(Attributes::KERNEL_READ_ONLY)
    } else if image::boot_stack_guard().contains(&address) {
        None
    } else {
        // .data.ro_after_init too, until init ends: see `make_ro_after_init_read_only`.
        Some(Attributes::KERNEL_DATA)
    }
}

/// Writes the kernel tables.
///
/// # Safety
///
/// Call once, before the MMU is on, with nothing else running.
unsafe fn build() {
    // SAFETY: the caller's contract: nothing else touches the tables now.
    let tables = unsafe { &mut *KERNEL_TABLES.0.get() };

    for (index, table) in tables.linear.iter_mut().enumerate() {
        let section_base = RAM_BASE as u32 + index as u32 * SECTION_SIZE;
        for (slot, entry) in table.0.iter_mut().enumerate() {
            let page = section_base + slot as u32 * PAGE_SIZE;
            *entry = match linear_page_attributes(page) {
                Some(attributes) => descriptor::small_page(page, attributes),
                None => 0,
            };
        }
        let table_address = table as *const L2Table as u32;
        tables.l1.0[l1_index(section_base)] =
            descriptor::page_table(table_address, domain::KERNEL, false);
    }
    debug_assert_eq!(RAM_END as u32, RAM_BASE as u32 + (LINEAR_TABLES as u32) * SECTION_SIZE);

    for window in DEVICE_WINDOWS {
        let mut offset = 0;
        while offset < window.size as u32 {
            tables.l1.0[l1_index(window.virtual_address as u32 + offset)] = descriptor::section(
                window.physical as u32 + offset,
                domain::IO,
                Attributes::DEVICE,
            );
            offset += SECTION_SIZE;
        }
    }

    let vectors = VECTORS as u32;
    tables.vectors.0[l2_index(vectors)] =
        descriptor::small_page(image::vectors_page().start, Attributes::KERNEL_TEXT);
    let vectors_table = &tables.vectors as *const L2Table as u32;
    tables.l1.0[l1_index(vectors)] = descriptor::page_table(vectors_table, domain::VECTORS, false);
}

/// Serialises the changes to the kernel tables after boot (sealing ro_after_init, vmalloc).
static UPDATES: IrqSafeLock<()> = IrqSafeLock::new(());

/// Rewrites the L2 entry of the image page at `address` and drops its stale TLB entry.
fn remap_image_page(address: u32, attributes: Attributes) {
    let _guard = UPDATES.lock();
    let index = ((address - RAM_BASE as u32) / SECTION_SIZE) as usize;
    // SAFETY: the update lock serialises writers; the hardware walker reads the entry, which a
    // single aligned word store updates atomically.
    let entry = unsafe { &raw mut (*KERNEL_TABLES.0.get()).linear[index].0[l2_index(address)] };
    // SAFETY: as above.
    unsafe { entry.write_volatile(descriptor::small_page(address, attributes)) };
    mmu::publish_table_entry(entry);
    mmu::invalidate_tlb_page(address, 0);
}

/// The linear map's entry for the frame at `physical`, which must be a page of RAM above the
/// kernel image (where the frame allocator's frames are).
fn linear_entry(physical: u32) -> *mut u32 {
    assert!(
        (image::kernel().end..RAM_END as u32).contains(&physical)
            && physical.is_multiple_of(PAGE_SIZE),
        "{physical:#010x} is not a frame of the allocator's"
    );
    let index = ((physical - RAM_BASE as u32) / SECTION_SIZE) as usize;
    // SAFETY: `index` is below LINEAR_TABLES (checked above); only the address is taken.
    unsafe { &raw mut (*KERNEL_TABLES.0.get()).linear[index].0[l2_index(physical)] }
}

/// Maps (`mapped`) or unmaps the linear map's page of the frame at `physical`, for the frame's
/// ownership changes. Unmapping invalidates the alias in the TLBs of every core of the Inner
/// Shareable domain (TLBIMVAAIS, all ASIDs: the linear map is global) and returns true: one
/// invalidation done. Mapping needs none (a fault entry is never cached) and returns false.
///
/// No lock: the entry of a frame is written only by whoever owns the frame (the address space
/// that gives it away or takes it back), one aligned word store at a time, which the walker
/// sees whole; no other kernel table update touches the entries of frames above the image.
pub fn set_linear_page(physical: u32, mapped: bool) -> bool {
    let entry = linear_entry(physical);
    let value = if mapped { descriptor::small_page(physical, Attributes::KERNEL_DATA) } else { 0 };
    // SAFETY: `entry` is the frame's own linear-map entry, which its owner alone writes (see
    // above); the table is kernel memory for good.
    unsafe { entry.write_volatile(value) };
    mmu::publish_table_entry(entry);
    if !mapped {
        mmu::invalidate_tlb_page_all_asids_inner_shareable(physical);
    }
    !mapped
}

/// True when the linear map maps the frame at `physical` (a page above the kernel image).
pub fn linear_page_mapped(physical: u32) -> bool {
    // SAFETY: a read of the frame's entry, which a single aligned word store updates.
    unsafe { linear_entry(physical).read_volatile() != 0 }
}

/// Ends init for `.data.ro_after_init`: its pages become read-only.
pub fn make_ro_after_init_read_only() {
    let range = image::ro_after_init();
    let mut page = range.start;
    while page < range.end {
        remap_image_page(page, Attributes::KERNEL_READ_ONLY);
        page += PAGE_SIZE;
    }
}

/// Sets kernel L1 entry `index` (an entry of the kernel half that was a fault), for the
/// vmalloc area's page tables.
///
/// # Safety
///
/// `value` must be a page-table descriptor for a zeroed L2 table that stays allocated for the
/// kernel's lifetime, in the KERNEL domain, and the entry must have been a fault.
pub unsafe fn set_kernel_l1_entry(index: usize, value: u32) {
    let _guard = UPDATES.lock();
    // SAFETY: the update lock serialises writers; the caller's contract keeps the new entry
    // valid; a fault entry is never cached in the TLB, so no invalidation is needed.
    let entry = unsafe { &raw mut (*KERNEL_TABLES.0.get()).l1.0[index] };
    // SAFETY: as above.
    unsafe {
        debug_assert_eq!(entry.read_volatile(), 0);
        entry.write_volatile(value);
    }
    mmu::publish_table_entry(entry);
}

/// The kernel's L1 table (TTBR1), for readers such as the page-table dump.
pub fn kernel_l1() -> &'static L1Table {
    // SAFETY: after `enable` entries change only by single aligned word stores (under
    // UPDATES); readers see either value, as the hardware walker does.
    unsafe { &(*KERNEL_TABLES.0.get()).l1 }
}

/// The attributes and domain the kernel half maps `address` with, as the MMU would find them.
pub fn translate_kernel(address: u32) -> Option<(descriptor::Attributes, u32)> {
    use descriptor::{L1Entry, L2Entry};
    match descriptor::decode_l1(kernel_l1().0[l1_index(address)]) {
        L1Entry::Section { attributes, domain, .. } => {
            attributes.map(|attributes| (attributes, domain))
        }
        L1Entry::PageTable { table, domain, privileged_execute_never } => {
            // SAFETY: `table` is a live kernel L2 table; the index is below 256.
            let raw = unsafe { (table as *const u32).add(l2_index(address)).read_volatile() };
            match descriptor::decode_l2(raw) {
                L2Entry::SmallPage { attributes: Some(mut attributes), .. } => {
                    attributes.privileged_execute_never |= privileged_execute_never;
                    Some((attributes, domain))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The TTBR0 value with no process: a table of faults, so the whole user half is unmapped.
pub fn empty_user_ttbr0() -> u32 {
    EMPTY_USER_TABLE.0.get() as u32 | mmu::TTBR_WALK_ATTRIBUTES
}

/// Builds the kernel tables, sets the DACR for `protections` and turns the MMU and caches on.
///
/// # Safety
///
/// Call once at boot, with interrupts masked, before anything uses a virtual device address.
pub unsafe fn enable(protections: Protections) {
    // SAFETY: the caller's contract (boot, once, before any other CPU runs).
    unsafe {
        build();
        enable_on_this_cpu(protections.pan);
    }
}

/// Turns this CPU's MMU and caches on with the kernel tables [`enable`] built, the empty user
/// half and the kernel-mode DACR of a boot with `pan` on or off: every CPU's translation
/// registers and DACR are its own, so each CPU runs this once, CPU 0 from [`enable`]. Never
/// inlined: the choice between the two DACR values is then in the machine code once, where
/// tools/windowcheck expects the boot's one pan on/off choice.
///
/// # Safety
///
/// With interrupts masked, at boot: on CPU 0 right after the tables are built, on any other CPU
/// after [`enable`] returned on CPU 0; `pan` must be this boot's choice, which the installed
/// exception vectors expect.
#[inline(never)]
pub unsafe fn enable_on_this_cpu(pan: bool) {
    // SAFETY: the caller's contract; the tables map the kernel at its physical address.
    unsafe {
        mmu::write_dacr(crate::domain::kernel_mode_dacr(pan));
        mmu::write_ttbcr(TTBCR_N);
        mmu::write_contextidr(super::address_space::NO_PROCESS_ASID as u32);
        mmu::write_ttbr0(empty_user_ttbr0());
        mmu::write_ttbr1(kernel_l1() as *const L1Table as u32 | mmu::TTBR_WALK_ATTRIBUTES);
        // The kernel runs at its physical address, which the tables map: nothing moves when
        // translation starts.
        mmu::enable(0);
    }
}
