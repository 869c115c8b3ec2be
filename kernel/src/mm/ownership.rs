//! Exclusive page-frame ownership (XPFO): a frame owned by a user address space is out of the
//! kernel's linear map, so no kernel pointer reaches it except through the user address.
//!
//! A frame has one owner at a time. It is the kernel's while it is allocated and filled (zeroed
//! by the allocator, the loader's bytes, the initial stack), always through the linear map and
//! always before it is given away, so nothing is ever written to a user-owned frame through
//! an alias. The ownership changes, made by [`AddressSpace`](super::address_space::AddressSpace)
//! as it maps and unmaps user pages:
//!
//! | change | what happens | TLB invalidations |
//! |---|---|---|
//! | [`give_to_user`] | the linear map's page of the frame becomes a fault; TLBIMVAAIS drops the alias from every core's TLB | 1 |
//! | [`take_from_user`] | (after the user mapping is gone) the linear page comes back, and the frame is zeroed through it before it returns to the allocator | 0 (a fault entry is never cached) |
//!
//! A frame the user once owned is zeroed on its way back, so a dead process's data does not
//! linger in free memory where a later linear-map pointer would find it. With `xpfo=off` both
//! changes do nothing: the kernel of before, every user frame aliased read-write in the
//! kernel's domain (the "ret2dir" gap, docs/pan.md).

use super::kernel_map;
use super::physical::linear;
use core::sync::atomic::{AtomicU32, Ordering};

crate::ro_after_init! {
    /// True when ownership changes move frames out of the linear map (`xpfo=`), set at boot.
    static ENABLED: bool = true;
}

/// TLB invalidations done for ownership changes since boot.
static INVALIDATIONS: AtomicU32 = AtomicU32::new(0);
/// Frames given to user address spaces since boot (whether or not the defence is on).
static GIVEN: AtomicU32 = AtomicU32::new(0);

/// Chooses whether user frames leave the linear map. Boot only, before init ends.
pub fn set_enabled(enabled: bool) {
    ENABLED.set(enabled);
}

/// True when user frames leave the linear map while a process owns them.
pub fn enabled() -> bool {
    ENABLED.get()
}

/// The frame at `physical` (from the frame allocator, filled) goes to a user address space,
/// which maps it next: its linear-map alias is removed first, and dropped from the TLBs.
pub fn give_to_user(physical: u32) {
    GIVEN.fetch_add(1, Ordering::Relaxed);
    if enabled() && kernel_map::set_linear_page(physical, false) {
        INVALIDATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

/// The frame at `physical`, no longer mapped by any user address space (and out of the user
/// TLB entries), comes back to the kernel: its linear-map page returns and it is zeroed, so
/// that it can go back to the allocator.
pub fn take_from_user(physical: u32) {
    if !enabled() {
        return;
    }
    if kernel_map::set_linear_page(physical, true) {
        INVALIDATIONS.fetch_add(1, Ordering::Relaxed);
    }
    // SAFETY: the frame is the kernel's again and mapped read-write by the linear map just
    // now; nothing else refers to it (the user mapping is gone).
    unsafe { core::ptr::write_bytes(linear(physical), 0, super::frames::FRAME_SIZE as usize) };
}

/// True when the linear map maps the frame at `physical`: it is the kernel's (or the defence
/// is off).
pub fn in_linear_map(physical: u32) -> bool {
    kernel_map::linear_page_mapped(physical)
}

/// TLB invalidations done for ownership changes since boot.
pub fn invalidations() -> u32 {
    INVALIDATIONS.load(Ordering::Relaxed)
}

/// Frames given to user address spaces since boot.
pub fn frames_given() -> u32 {
    GIVEN.load(Ordering::Relaxed)
}
