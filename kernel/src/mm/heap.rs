//! The kernel heap: `linked_list_allocator` as the `#[global_allocator]`, over frames taken
//! at boot, behind an IRQ-safe lock.
//!
//! The crate's own `LockedHeap` spins without masking interrupts; an allocation from an
//! interrupt handler that met a held lock would spin forever, so the heap sits in an
//! [`IrqSafeLock`] instead. Allocation failure returns null (the `alloc` crate's fallible
//! APIs such as `Vec::try_reserve` see it as an error); code on paths user space can drive
//! uses those APIs, or checks [`available`] first.

use crate::errno::Errno;
use crate::sync::IrqSafeLock;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;
use linked_list_allocator::Heap;

/// The heap's size, taken from the frame allocator at boot.
pub const SIZE: usize = 4 << 20;

struct KernelHeap(IrqSafeLock<Heap>);

#[global_allocator]
static HEAP: KernelHeap = KernelHeap(IrqSafeLock::new(Heap::empty()));

// SAFETY: every operation runs under the lock; `Heap` hands out disjoint blocks of memory it
// owns, and takes back only what it handed out (the caller's contract of `dealloc`).
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.0.lock().allocate_first_fit(layout) {
            Ok(block) => block.as_ptr(),
            Err(()) => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        if let Some(block) = NonNull::new(pointer) {
            // SAFETY: the caller's contract: `pointer` came from `alloc` with `layout`.
            unsafe { self.0.lock().deallocate(block, layout) };
        }
    }
}

/// Takes [`SIZE`] bytes of frames and gives them to the heap. Call once at boot.
pub fn init() -> Result<(), Errno> {
    let frames = SIZE / super::frames::FRAME_SIZE as usize;
    let base = super::frames_allocate(frames, super::frames::FRAME_SIZE)?;
    // SAFETY: the frames were just allocated for the heap alone and are mapped read-write by
    // the linear map for the kernel's lifetime.
    unsafe { HEAP.0.lock().init(super::linear(base), SIZE) };
    Ok(())
}

/// True while this CPU is inside an allocation or a free (the oops path checks before freeing).
pub fn held_here() -> bool {
    HEAP.0.held_here()
}

/// Bytes free in the heap now.
pub fn available() -> usize {
    HEAP.0.lock().free()
}

/// Bytes in use in the heap now.
pub fn used() -> usize {
    HEAP.0.lock().used()
}
