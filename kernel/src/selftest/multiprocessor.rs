//! Self-tests that need a second CPU online (`qemu/run --smp 2` or more); KTAP's SKIP on a
//! board with one.

use super::{Case, Test};
use crate::fault::{FaultKind, FaultStatus};
use crate::{interrupts, mm, process};

/// The cases.
pub const CASES: &[Case] = &[Case {
    name: "smp.an_unmapped_page_faults_on_another_cpu_at_once",
    run: an_unmapped_page_faults_on_another_cpu_at_once,
}];

/// CPU 1 reads a word of a vmalloc page (its TLB now holds the translation), CPU 0 frees the
/// page (its kernel mapping removed, the TLB entry invalidated with TLBIMVAIS), then CPU 1
/// reads it again: the invalidation reached CPU 1's TLB, so the read is a translation fault.
/// With a local TLBIMVA in its place CPU 1 would still read the old word, in a `pan=off` boot:
/// with PAN on, QEMU empties a CPU's whole TLB at every DACR write, so the exception entry and
/// return around CPU 1's read forget the old translation anyway, and only a `pan=off` boot
/// (no DACR writes) can tell a missing broadcast (`tests/tests/selftest.rs` runs both).
fn an_unmapped_page_faults_on_another_cpu_at_once(test: &mut Test) {
    const MARK: u32 = 0x5EED_F00D;
    if process::affinity::online_cpus() & 0b10 == 0 {
        return test.skip("needs CPU 1 online (qemu/run --smp 2 or more)");
    }
    let page = match mm::vmalloc::vmalloc(4096) {
        Ok(page) => page,
        Err(errno) => return test.fail(format_args!("vmalloc: {errno}")),
    };
    let address = page.address();
    // SAFETY: the page is this case's, mapped read-write, word aligned.
    unsafe { (page.as_mut_ptr() as *mut u32).write_volatile(MARK) };
    let before = interrupts::call_on(1, read_word, address);
    test.check_eq("CPU 1's read of the mapped page", before, Some((MARK, 0)));
    drop(page);
    // The frame went back to the allocator: reading its old address changes nothing.
    let after = interrupts::call_on(1, read_word, address);
    match after {
        Some((_, dfsr)) if dfsr != 0 => test.check(
            "CPU 1's fault is a translation fault",
            matches!(FaultStatus::data(dfsr).kind(), FaultKind::Translation(_)),
        ),
        other => test.fail(format_args!("CPU 1 after the unmapping: {other:x?}, expected a fault")),
    }
}

/// Reads the word at `address` on the CPU that runs it (in its interrupt handler, for
/// [`interrupts::call_on`]): the value and 0, or 0 and the DFSR of the fault.
fn read_word(address: u32) -> (u32, u32) {
    // SAFETY: the case passes a word-aligned vmalloc address, whose read has no side effect;
    // IRQs are masked in the interrupt handler, as the probe requires.
    match unsafe { crate::arch::probe::read(address) } {
        Ok(value) => (value, 0),
        Err(dfsr) => (0, dfsr),
    }
}
