//! Inter-processor interrupts: software-generated interrupts (SGIs) one CPU sends others
//! through the GIC distributor's GICD_SGIR, and what each SGI number means here.
//!
//! Sending needs no lock: GICD_SGIR is a write-only register and each write is one complete
//! request. Receiving is the interrupt handler's (`interrupts.rs`), on the target CPU.

use crate::memory_map::GIC_DISTRIBUTOR;

/// Wakes a CPU parked at boot (`arch/boot.s`; any SGI would do).
pub const WAKE: u32 = 1;
/// "Look at the run queue": something became runnable, or a process running on the target
/// was killed and must notice it at its next return to user mode (Linux's IPI_RESCHEDULE).
pub const RESCHEDULE: u32 = 2;
/// "Do what your per-CPU request slot asks" (a read through the target's own MMU, for the
/// TLB tests; Linux's IPI_CALL_FUNC).
pub const CALL: u32 = 3;

/// GICD_SGIR, at offset 0xF00 in the distributor.
const SGIR: usize = GIC_DISTRIBUTOR + 0xF00;

/// Sends SGI `id` (0 to 15) to the CPUs whose bits are set in `targets` (bit n: CPU n), after
/// a DSB so that they see every write made before it.
pub fn send(targets: u8, id: u32) {
    if targets == 0 {
        return;
    }
    super::cpu::dsb();
    // SAFETY: GICD_SGIR is a device register of the GIC distributor, mapped at this virtual
    // address (memory_map.rs) for the kernel's lifetime; a write only raises the SGI named.
    unsafe { core::ptr::write_volatile(SGIR as *mut u32, (u32::from(targets) << 16) | (id & 0xF)) };
}
