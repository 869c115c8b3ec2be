//! Per-CPU data: one slot per CPU, this CPU's slot found through TPIDRPRW.
//!
//! Each CPU writes its own number into its TPIDRPRW (a PL1-only register that every CPU has
//! its own copy of) once, as it comes up; [`PerCpu::this`] then costs one `mrc` and an index.
//! Linux keeps its per-CPU offset in the same register.

use super::cpu;

/// The most CPUs the board has (the Cortex-A15 cluster of vexpress-a15).
pub const MAX_CPUS: usize = 4;

/// One `T` per CPU.
pub struct PerCpu<T> {
    slots: [CacheLine<T>; MAX_CPUS],
}

/// A slot on cache lines of its own (a Cortex-A15's are 64 bytes): one CPU's writes never
/// invalidate a line another CPU's slot is on, and a slot's size is a multiple of 64, so that
/// finding one is a shift when it is a power of two.
#[repr(align(64))]
pub struct CacheLine<T>(T);

impl<T> CacheLine<T> {
    /// `value` on cache lines of its own.
    pub const fn new(value: T) -> CacheLine<T> {
        CacheLine(value)
    }
}

impl<T> PerCpu<T> {
    /// A slot per CPU, CPU 0's first: `PerCpu::new([const { CacheLine::new(x) }; MAX_CPUS])`.
    pub const fn new(slots: [CacheLine<T>; MAX_CPUS]) -> PerCpu<T> {
        PerCpu { slots }
    }

    /// This CPU's slot.
    #[inline(always)]
    pub fn this(&self) -> &T {
        &self.slots[this_cpu() as usize % MAX_CPUS].0
    }

    /// CPU `number`'s slot.
    pub fn on(&self, number: u32) -> &T {
        &self.slots[number as usize].0
    }

    /// Every CPU's slot with its number, CPU 0's first.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.slots.iter().enumerate().map(|(number, slot)| (number as u32, &slot.0))
    }
}

/// The number of the CPU running this code (MPIDR.Aff0, as that CPU recorded it in its
/// TPIDRPRW with [`set_this_cpu`]).
#[inline(always)]
pub fn this_cpu() -> u32 {
    cpu::read_tpidrprw()
}

/// Records `number` as this CPU's number: once per CPU, as it comes up, before any per-CPU
/// slot is used.
///
/// # Safety
///
/// `number` must be this CPU's MPIDR.Aff0, below [`MAX_CPUS`]: every per-CPU slot reached from
/// now on is that slot, and two CPUs with one number would share (and race on) their state.
pub unsafe fn set_this_cpu(number: u32) {
    // SAFETY: the caller's contract.
    unsafe { cpu::write_tpidrprw(number) };
}
