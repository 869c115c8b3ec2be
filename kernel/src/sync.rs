//! Locks that are safe to share with interrupt handlers on this single-core kernel.

use crate::arch::cpu::{self, IrqState};
use core::ops::{Deref, DerefMut};

/// A spin lock that masks IRQs while held, so an IRQ handler taking the same lock can never
/// interrupt its holder and spin forever.
pub struct IrqSafeLock<T> {
    inner: spin::Mutex<T>,
}

/// The guard of an [`IrqSafeLock`]: unlocks, then restores the IRQ mask, on drop.
pub struct IrqSafeGuard<'a, T> {
    // Dropped before `irq_state` is restored: see `Drop`.
    guard: Option<spin::MutexGuard<'a, T>>,
    irq_state: IrqState,
}

impl<T> IrqSafeLock<T> {
    /// A new, unlocked lock.
    pub const fn new(value: T) -> Self {
        IrqSafeLock { inner: spin::Mutex::new(value) }
    }

    /// Masks IRQs and takes the lock.
    pub fn lock(&self) -> IrqSafeGuard<'_, T> {
        let irq_state = cpu::mask_irqs();
        IrqSafeGuard { guard: Some(self.inner.lock()), irq_state }
    }

    /// True while someone holds the lock. On this single-core kernel, code that finds a lock
    /// held with IRQs masked knows the holder is the context it interrupted, or itself.
    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// Takes the lock if it is free, without waiting.
    pub fn try_lock(&self) -> Option<IrqSafeGuard<'_, T>> {
        let irq_state = cpu::mask_irqs();
        match self.inner.try_lock() {
            Some(guard) => Some(IrqSafeGuard { guard: Some(guard), irq_state }),
            None => {
                cpu::restore_irqs(irq_state);
                None
            }
        }
    }
}

impl<T> Deref for IrqSafeGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.guard.as_ref().expect("present until drop")
    }
}

impl<T> DerefMut for IrqSafeGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.guard.as_mut().expect("present until drop")
    }
}

impl<T> Drop for IrqSafeGuard<'_, T> {
    fn drop(&mut self) {
        self.guard = None;
        cpu::restore_irqs(self.irq_state);
    }
}
