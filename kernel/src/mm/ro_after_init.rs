//! Data written during boot and read-only once init ends, as Linux's `__ro_after_init`.
//!
//! A [`RoAfterInit`] static placed in the `.data.ro_after_init` section (see the
//! [`ro_after_init!`](crate::ro_after_init) macro) can be set until [`seal`]; then the
//! kernel maps its pages read-only (with the TLB maintenance that makes the change visible), so
//! a later write, even from a kernel bug with a write primitive, takes a permission fault.

use super::kernel_map;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

static SEALED: AtomicBool = AtomicBool::new(false);

/// A value set during boot and read-only afterwards.
pub struct RoAfterInit<T> {
    value: UnsafeCell<T>,
}

// SAFETY: writes happen only through `set`, before `seal`, during single-threaded boot;
// afterwards the value is immutable (and mapped read-only), so shared reads are sound.
unsafe impl<T: Sync> Sync for RoAfterInit<T> {}

impl<T: Copy> RoAfterInit<T> {
    /// A value with its default, to be set during boot.
    pub const fn new(value: T) -> RoAfterInit<T> {
        RoAfterInit { value: UnsafeCell::new(value) }
    }

    /// Sets the value. Boot only: after [`seal`] this is a kernel bug and panics (the write
    /// would fault anyway).
    pub fn set(&self, value: T) {
        assert!(!sealed(), "ro_after_init data written after init");
        // SAFETY: before the seal, boot is single-threaded and nothing holds a reference.
        unsafe { *self.value.get() = value };
    }

    /// The value.
    pub fn get(&self) -> T {
        // SAFETY: after the seal nothing writes; before it, boot is single-threaded.
        unsafe { *self.value.get() }
    }

    /// The address of the value (for the lkdtm test that writes it after init).
    pub fn address(&self) -> *mut T {
        self.value.get()
    }
}

/// Declares `static NAME: RoAfterInit<TYPE> = RoAfterInit::new(VALUE)` in
/// `.data.ro_after_init`.
#[macro_export]
macro_rules! ro_after_init {
    ($(#[$meta:meta])* $visibility:vis static $name:ident: $type:ty = $value:expr;) => {
        $(#[$meta])*
        #[unsafe(link_section = ".data.ro_after_init")]
        $visibility static $name: $crate::mm::ro_after_init::RoAfterInit<$type> =
            $crate::mm::ro_after_init::RoAfterInit::new($value);
    };
}

/// True once init has ended and the section is read-only.
pub fn sealed() -> bool {
    SEALED.load(Ordering::Relaxed)
}

/// Ends init: maps `.data.ro_after_init` read-only.
pub fn seal() {
    SEALED.store(true, Ordering::SeqCst);
    kernel_map::make_ro_after_init_read_only();
}
