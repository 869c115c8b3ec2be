//! Locks shared between CPUs and with interrupt handlers.
//!
//! [`IrqSafeLock`] is a spin lock (LDREX/STREX through `spin::Mutex`: atomic across CPUs) that
//! also masks IRQs on the CPU holding it, so that an interrupt handler on that CPU that takes
//! the same lock can never spin forever on its own holder. It records which CPU holds it: the
//! oops path must tell "the code that faulted holds this lock" (taking it would deadlock)
//! from "another CPU holds it for a moment" (waiting is right).

use crate::arch::cpu::{self, IrqState};
use crate::arch::percpu;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, Ordering};

/// The holder of a free lock.
const NOBODY: u32 = u32::MAX;

/// A spin lock that masks IRQs while held and knows which CPU holds it.
pub struct IrqSafeLock<T> {
    inner: spin::Mutex<T>,
    holder: AtomicU32,
}

/// The guard of an [`IrqSafeLock`]: unlocks, then restores the IRQ mask, on drop.
pub struct IrqSafeGuard<'a, T> {
    // Dropped before `irq_state` is restored: see `Drop`.
    guard: Option<spin::MutexGuard<'a, T>>,
    holder: &'a AtomicU32,
    irq_state: IrqState,
}

impl<T> IrqSafeLock<T> {
    /// A new, unlocked lock.
    pub const fn new(value: T) -> Self {
        IrqSafeLock { inner: spin::Mutex::new(value), holder: AtomicU32::new(NOBODY) }
    }

    fn guard<'a>(
        &'a self,
        guard: spin::MutexGuard<'a, T>,
        irq_state: IrqState,
    ) -> IrqSafeGuard<'a, T> {
        self.holder.store(percpu::this_cpu(), Ordering::Relaxed);
        IrqSafeGuard { guard: Some(guard), holder: &self.holder, irq_state }
    }

    /// Masks IRQs and takes the lock, spinning while another CPU holds it.
    pub fn lock(&self) -> IrqSafeGuard<'_, T> {
        let irq_state = cpu::mask_irqs();
        let guard = self.inner.lock();
        self.guard(guard, irq_state)
    }

    /// True while this CPU holds the lock: the code running here, or the context it
    /// interrupted (IRQs are masked while a holder runs, so only an exception it raised itself
    /// can interrupt it). Taking the lock now would spin for ever.
    pub fn held_here(&self) -> bool {
        // The holder is written with IRQs masked right after the lock is taken and cleared
        // right before it is released, so this CPU never sees its own stale number.
        self.inner.is_locked() && self.holder.load(Ordering::Relaxed) == percpu::this_cpu()
    }

    /// True while some CPU holds the lock.
    pub fn is_held(&self) -> bool {
        self.inner.is_locked()
    }

    /// Takes the lock if it is free, without waiting.
    pub fn try_lock(&self) -> Option<IrqSafeGuard<'_, T>> {
        let irq_state = cpu::mask_irqs();
        match self.inner.try_lock() {
            Some(guard) => Some(self.guard(guard, irq_state)),
            None => {
                cpu::restore_irqs(irq_state);
                None
            }
        }
    }

    /// Takes the lock unless this CPU already holds it ([`held_here`](Self::held_here)):
    /// waits for another CPU's holder, gives up on its own (for reports written from inside
    /// an exception, which may have interrupted the holder).
    pub fn lock_unless_held_here(&self) -> Option<IrqSafeGuard<'_, T>> {
        let irq_state = cpu::mask_irqs();
        if self.held_here() {
            cpu::restore_irqs(irq_state);
            return None;
        }
        let guard = self.inner.lock();
        Some(self.guard(guard, irq_state))
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
        self.holder.store(NOBODY, Ordering::Relaxed);
        self.guard = None;
        cpu::restore_irqs(self.irq_state);
    }
}
