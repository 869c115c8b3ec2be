//! Physical memory: the frame allocator over RAM, RAM's linear-map address, the memory locks
//! an oops must not wait for, and memory's bring-up at boot.

use super::frames::{FRAME_SIZE, FrameBitmap};
use super::{address_space, image, kernel_map};
use crate::arch::mmu;
use crate::errno::Errno;
use crate::memory_map::{RAM_BASE, RAM_END, RAM_SIZE};
use crate::sync::IrqSafeLock;

pub use super::kernel_map::Protections;

const BITMAP_WORDS: usize = RAM_SIZE / FRAME_SIZE as usize / 32;

static FRAMES: IrqSafeLock<FrameBitmap<BITMAP_WORDS>> =
    IrqSafeLock::new(FrameBitmap::new(RAM_BASE as u32));

/// The kernel virtual address of the RAM at `physical` (RAM is mapped at its physical
/// address).
pub fn linear(physical: u32) -> *mut u8 {
    debug_assert!((RAM_BASE..RAM_END).contains(&(physical as usize)));
    physical as *mut u8
}

/// Allocates `count` contiguous zeroed frames aligned to `align` bytes.
pub fn frames_allocate(count: usize, align: u32) -> Result<u32, Errno> {
    let physical = FRAMES.lock().allocate(count, align)?;
    // SAFETY: the frames were free, so nothing else refers to them; they are RAM mapped
    // read-write by the linear map.
    unsafe { core::ptr::write_bytes(linear(physical), 0, count * FRAME_SIZE as usize) };
    Ok(physical)
}

/// Frees frames from [`frames_allocate`]. Freeing anything else is a kernel bug.
pub fn frames_free(physical: u32, count: usize) {
    if let Err(error) = FRAMES.lock().free(physical, count) {
        panic!("freeing frames at {physical:#010x}: {error:?}");
    }
}

/// Frames free now.
pub fn free_frames() -> usize {
    FRAMES.lock().free_frames()
}

/// The memory lock this CPU holds now, if any, named: the frame allocator, the kernel heap or the
/// ASID allocator. Freeing a process takes all three; the oops path asks first, since
/// taking a lock the interrupted code holds would spin forever.
pub fn held_lock() -> Option<&'static str> {
    if FRAMES.held_here() {
        Some("the frame allocator lock")
    } else if super::heap::held_here() {
        Some("the kernel heap lock")
    } else if address_space::asid_lock_held() {
        Some("the ASID allocator lock")
    } else {
        None
    }
}

/// Sets up memory: the frame allocator, the kernel tables, the DACR, PXN for user tables,
/// and turns the MMU on.
///
/// # Safety
///
/// Call once at boot with interrupts masked, before anything uses a device's virtual
/// address.
pub unsafe fn init(protections: Protections) {
    FRAMES.lock().release_range(image::kernel().end, RAM_END as u32);
    address_space::set_privileged_execute_never(protections.pxn && mmu::pxn_supported());
    super::ownership::set_enabled(protections.xpfo);
    // SAFETY: the caller's contract.
    unsafe { kernel_map::enable(protections) };
    super::heap::init().expect("128 MiB of RAM holds the kernel heap");
}
