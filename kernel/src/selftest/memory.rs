//! Self-tests of the kernel's own memory: W^X region by region, ro_after_init, guard pages.

use super::{Case, Resume, Test};
use crate::arch::exception::ExceptionKind;
use crate::arch::psr::{MODE_MASK, MODE_SVC};
use crate::fault::{Access, FaultKind, Level};
use crate::mm::descriptor::{Attributes, PAGE_SIZE};
use crate::mm::image;
use crate::mm::kernel_map::translate_kernel;
use crate::mm::vmalloc::vmalloc;
use core::arch::asm;

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case {
        name: "memory.kernel_regions_have_their_permissions",
        run: kernel_regions_have_their_permissions,
    },
    Case {
        name: "memory.ro_after_init_written_then_read_only",
        run: ro_after_init_written_then_read_only,
    },
    Case { name: "memory.vmalloc_guard_pages_fault", run: vmalloc_guard_pages_fault },
    Case { name: "memory.vmalloc_allocations_never_touch", run: vmalloc_allocations_never_touch },
    Case { name: "memory.boot_stack_guard_is_unmapped", run: boot_stack_guard_is_unmapped },
];

crate::ro_after_init! {
    /// Set by `init` during boot, read-only after.
    static WRITTEN_AT_INIT: u32 = 0;
}

/// The value `init` writes.
const INIT_VALUE: u32 = 0x1234_5678;

/// Boot, before init ends: writes the ro_after_init variable of the tests.
pub fn init() {
    WRITTEN_AT_INIT.set(INIT_VALUE);
}

fn kernel_regions_have_their_permissions(test: &mut Test) {
    let regions = [
        ("text", image::text().start, Attributes::KERNEL_TEXT),
        ("rodata", image::rodata().start, Attributes::KERNEL_READ_ONLY),
        ("ro_after_init", image::ro_after_init().start, Attributes::KERNEL_READ_ONLY),
        ("data", image::data().start, Attributes::KERNEL_DATA),
        ("the boot stack", image::boot_stack().start, Attributes::KERNEL_DATA),
    ];
    for (name, address, expected) in regions {
        match translate_kernel(address) {
            Some((attributes, domain)) => {
                test.check_eq(
                    name,
                    (attributes.access, attributes.execute_never),
                    (expected.access, expected.execute_never),
                );
                test.check_eq("domain", domain, crate::domain::KERNEL);
            }
            None => test.fail(format_args!("{name} at {address:#010x} is not mapped")),
        }
    }
}

/// Writes `value` at `address` with a plain store (the faulting tests declare the fault).
fn store(address: u32, value: u32) {
    // SAFETY: the callers store to memory they own or declare the fault it raises.
    unsafe { asm!("str {value}, [{address}]", address = in(reg) address, value = in(reg) value) };
}

/// Reads `address` with a plain load.
fn load(address: u32) -> u32 {
    let value: u32;
    // SAFETY: the callers load from memory they own or declare the fault it raises.
    unsafe { asm!("ldr {value}, [{address}]", address = in(reg) address, value = out(reg) value) };
    value
}

fn ro_after_init_written_then_read_only(test: &mut Test) {
    test.check_eq("the value written during init", WRITTEN_AT_INIT.get(), INIT_VALUE);
    let address = WRITTEN_AT_INIT.address() as u32;
    let caught = test
        .expect_exception(ExceptionKind::DataAbort, Resume::NextInstruction, || store(address, 0));
    if let Some(caught) = caught {
        let status = caught.event.status.expect("a DFSR");
        test.check_eq("fault", status.kind(), FaultKind::Permission(Level::Page));
        test.check_eq("access", status.access(), Access::Write);
        test.check_eq("DFAR", caught.event.address, Some(address));
    }
    test.check_eq("the value after the write", WRITTEN_AT_INIT.get(), INIT_VALUE);
}

/// Stores to `address`, which must be in a vmalloc guard page, and checks the fault is the
/// one a guard gives: a kernel data abort (the interrupted mode is SVC), a page translation
/// fault (the area's L2 table exists, the guard's entry in it is a fault) on a write, at
/// exactly `address`.
fn expect_guard_fault(test: &mut Test, what: &str, address: u32) {
    let page = address & !(PAGE_SIZE - 1);
    if translate_kernel(page).is_some() {
        // Not a guard: the store would land in someone's memory.
        return test.fail(format_args!("{what}: the page at {page:#010x} is mapped"));
    }
    let caught = test
        .expect_exception(ExceptionKind::DataAbort, Resume::NextInstruction, || store(address, 1));
    if let Some(caught) = caught {
        match caught.event.status {
            Some(status) => {
                test.check_eq(what, status.kind(), FaultKind::Translation(Level::Page));
                test.check_eq("access", status.access(), Access::Write);
            }
            None => test.fail(format_args!("{what}: a data abort without a DFSR")),
        }
        test.check_eq("DFAR", caught.event.address, Some(address));
        test.check_eq("interrupted mode", caught.spsr & MODE_MASK, MODE_SVC);
    }
}

fn vmalloc_guard_pages_fault(test: &mut Test) {
    let area = match vmalloc(4096) {
        Ok(area) => area,
        Err(error) => return test.fail(format_args!("vmalloc: {error}")),
    };
    let start = area.address();
    store(start, 0xA5A5_A5A5);
    store(start + 4092, 0x5A5A_5A5A);
    test.check_eq("first word", load(start), 0xA5A5_A5A5);
    test.check_eq("last word", load(start + 4092), 0x5A5A_5A5A);
    expect_guard_fault(test, "the word after the end", start + PAGE_SIZE);
    expect_guard_fault(test, "the word before the start", start - 4);
    match translate_kernel(start) {
        Some((attributes, _)) => {
            test.check("vmalloc memory is never executable", attributes.execute_never)
        }
        None => test.fail(format_args!("the allocation is not mapped")),
    }
    drop(area);
    test.check("freed memory is unmapped", translate_kernel(start).is_none());
}

/// Two allocations in a row are never neighbours: at least one unmapped guard page lies
/// between them, and a run off the end of the lower one faults instead of reaching the other.
fn vmalloc_allocations_never_touch(test: &mut Test) {
    let (first, second) = match (vmalloc(PAGE_SIZE as usize), vmalloc(PAGE_SIZE as usize)) {
        (Ok(first), Ok(second)) => (first, second),
        _ => return test.fail(format_args!("vmalloc failed")),
    };
    let (lower, upper) =
        if first.address() < second.address() { (&first, &second) } else { (&second, &first) };
    let end = lower.address() + lower.size() as u32;
    if upper.address() < end + PAGE_SIZE {
        return test.fail(format_args!(
            "{:#010x}..{end:#010x} and {:#010x}: no guard page between them",
            lower.address(),
            upper.address()
        ));
    }
    expect_guard_fault(test, "the word after the lower one", end);
    expect_guard_fault(test, "the word before the upper one", upper.address() - 4);
}

fn boot_stack_guard_is_unmapped(test: &mut Test) {
    let guard = image::boot_stack_guard().start;
    test.check("the guard page has no translation", translate_kernel(guard).is_none());
    let caught = test.expect_exception(ExceptionKind::DataAbort, Resume::NextInstruction, || {
        let _ = load(guard + 0xFFC);
    });
    if let Some(caught) = caught {
        let kind = caught.event.status.map(|status| status.kind());
        test.check_eq("fault", kind, Some(FaultKind::Translation(Level::Page)));
    }
}
