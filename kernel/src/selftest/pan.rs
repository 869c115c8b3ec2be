//! Self-tests of emulated PAN and PXN: the DACR in each state, the window, and the faults the
//! CPU raises when the kernel touches user memory outside it.
//!
//! The expectations follow the boot's protections (`pan=`, `pxn=`), so the same suite proves
//! the protection with it on and shows its absence with it off.

use super::fixture::{self, UserPages};
use super::{Case, Resume, Test};
use crate::arch::exception::{self, ExceptionKind};
use crate::arch::mmu;
use crate::domain::{DACR_KERNEL, DACR_USER};
use crate::fault::{Access, FaultKind, Level};
use crate::mm::address_space;
use crate::uaccess::window::UserAccessWindow;
use core::arch::asm;

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "pan.dacr_in_kernel_mode", run: dacr_in_kernel_mode },
    Case { name: "pan.dacr_inside_a_window", run: dacr_inside_a_window },
    Case { name: "pan.nested_windows_restore", run: nested_windows_restore },
    Case { name: "pan.kernel_read_outside_a_window", run: kernel_read_outside_a_window },
    Case { name: "pan.kernel_write_outside_a_window", run: kernel_write_outside_a_window },
    Case { name: "pan.kernel_read_inside_a_window", run: kernel_read_inside_a_window },
    Case { name: "pan.kernel_branch_to_user_page", run: kernel_branch_to_user_page },
    Case { name: "pan.exception_inside_a_window", run: exception_inside_a_window },
    Case { name: "pan.domain_fault_is_never_fixed_up", run: domain_fault_is_never_fixed_up },
];

fn dacr_in_kernel_mode(test: &mut Test) {
    test.check_eq("DACR in kernel mode", mmu::read_dacr(), exception::kernel_dacr());
}

fn dacr_inside_a_window(test: &mut Test) {
    // SAFETY: nothing but register reads happens while the window is open.
    let window = unsafe { UserAccessWindow::open() };
    let inside = mmu::read_dacr();
    test.check_eq("DACR saved by the window", window.saved_dacr(), exception::kernel_dacr());
    drop(window);
    test.check_eq("DACR inside the window", inside, DACR_USER);
    test.check_eq("DACR after the window", mmu::read_dacr(), exception::kernel_dacr());
}

fn nested_windows_restore(test: &mut Test) {
    // SAFETY: nothing but register reads happens while the windows are open.
    let outer = unsafe { UserAccessWindow::open() };
    // SAFETY: as above.
    let inner = unsafe { UserAccessWindow::open() };
    let in_inner = mmu::read_dacr();
    drop(inner);
    let after_inner = mmu::read_dacr();
    drop(outer);
    test.check_eq("DACR in the inner window", in_inner, DACR_USER);
    test.check_eq("DACR after closing the inner window (outer still open)", after_inner, DACR_USER);
    test.check_eq(
        "DACR after closing the outer window",
        mmu::read_dacr(),
        exception::kernel_dacr(),
    );
}

/// Reads `address` with a plain load, as a buggy kernel would.
fn plain_read(address: u32) -> u32 {
    // SAFETY: not sound in general on purpose: `address` is a user address. The callers
    // declare the fault they expect, or have the window open.
    unsafe { core::ptr::read_volatile(address as *const u32) }
}

fn kernel_read_outside_a_window(test: &mut Test) {
    let _pages = UserPages::new();
    let mut value = 0;
    if !exception::pan_enabled() {
        // Without PAN the read goes through: the unprotected kernel.
        value = plain_read(fixture::READ_WRITE);
        test.check_eq("value read without PAN", value, u32::from_le_bytes([0, 1, 2, 3]));
        return;
    }
    let caught = test.expect_exception(ExceptionKind::DataAbort, Resume::NextInstruction, || {
        value = plain_read(fixture::READ_WRITE);
    });
    let Some(caught) = caught else { return };
    let status = caught.event.status.expect("a data abort has a DFSR");
    test.check_eq("DFSR fault kind", status.kind(), FaultKind::Domain(Level::Page));
    test.check_eq("DFSR domain", status.domain(), Some(1));
    test.check_eq("DFSR access", status.access(), Access::Read);
    test.check_eq("DFSR value", status.raw() & 0x80F, 0x00B);
    test.check_eq("DFAR", caught.event.address, Some(fixture::READ_WRITE));
    test.check_eq("DACR at the fault", caught.interrupted_dacr, DACR_KERNEL);
    test.check_eq("DACR after the fault", mmu::read_dacr(), DACR_KERNEL);
}

fn kernel_write_outside_a_window(test: &mut Test) {
    let _pages = UserPages::new();
    let target = (fixture::READ_WRITE + 8) as *mut u32;
    if !exception::pan_enabled() {
        // SAFETY: PAN is off, the page is mapped read-write: the write lands, as it would in
        // an unprotected kernel.
        unsafe { target.write_volatile(0x1234_5678) };
        test.check_eq("value written without PAN", plain_read(target as u32), 0x1234_5678);
        return;
    }
    let caught = test.expect_exception(ExceptionKind::DataAbort, Resume::NextInstruction, || {
        // SAFETY: not sound on purpose: a kernel write to a user address, stopped by PAN.
        unsafe { target.write_volatile(0x1234_5678) };
    });
    let Some(caught) = caught else { return };
    let status = caught.event.status.expect("a data abort has a DFSR");
    test.check_eq("DFSR fault kind", status.kind(), FaultKind::Domain(Level::Page));
    test.check_eq("DFSR access", status.access(), Access::Write);
    test.check_eq("DFSR value (WnR, domain 1, page domain fault)", status.raw() & 0x8FF, 0x81B);
    test.check_eq("DFAR", caught.event.address, Some(target as u32));
}

fn kernel_read_inside_a_window(test: &mut Test) {
    let _pages = UserPages::new();
    // SAFETY: the window is open only around the one read of a mapped user page.
    let window = unsafe { UserAccessWindow::open() };
    let value = plain_read(fixture::READ_WRITE + 4);
    drop(window);
    test.check_eq("value read inside the window", value, u32::from_le_bytes([4, 5, 6, 7]));
    test.check_eq("DACR after the window", mmu::read_dacr(), exception::kernel_dacr());
}

fn kernel_branch_to_user_page(test: &mut Test) {
    let _pages = UserPages::new();
    // SAFETY: the page holds `bx lr`: a call to it returns at once if it is allowed to run.
    let user_function: extern "C" fn() =
        unsafe { core::mem::transmute(fixture::EXECUTABLE as usize) };
    let pan = exception::pan_enabled();
    let pxn = address_space::privileged_execute_never();
    if !pan && !pxn {
        // Neither protection: the kernel runs user code (a ret2usr attack succeeds).
        user_function();
        test.check("user code ran in kernel mode", true);
        return;
    }
    let caught = test.expect_exception(ExceptionKind::PrefetchAbort, Resume::ReturnAddress, || {
        user_function();
    });
    let Some(caught) = caught else { return };
    let status = caught.event.status.expect("a prefetch abort has an IFSR");
    test.check_eq("IFSR access", status.access(), Access::Execute);
    test.check_eq("IFAR", caught.event.address, Some(fixture::EXECUTABLE));
    if pan {
        // The domain is checked before any permission bit: a domain fault, PXN or not.
        test.check_eq("IFSR fault kind", status.kind(), FaultKind::Domain(Level::Page));
        test.check_eq("IFSR value", status.raw() & 0x40F, 0x00B);
    } else {
        test.check(
            "with PAN off, PXN stops the fetch with a permission fault",
            matches!(status.kind(), FaultKind::Permission(_)),
        );
    }
}

fn exception_inside_a_window(test: &mut Test) {
    let mut inside_after = 0;
    let caught =
        test.expect_exception(ExceptionKind::UndefinedInstruction, Resume::NextInstruction, || {
            // SAFETY: the window holds no memory access: one undefined instruction, taken by the
            // self-test handler, and a DACR read.
            let window = unsafe { UserAccessWindow::open() };
            // SAFETY: raises the exception the case declared.
            unsafe { asm!("udf #0x5c") };
            inside_after = mmu::read_dacr();
            drop(window);
        });
    let Some(caught) = caught else { return };
    test.check_eq("DACR interrupted (window open)", caught.interrupted_dacr, DACR_USER);
    test.check_eq(
        "DACR the handler ran with (window closed)",
        caught.handler_dacr,
        exception::kernel_dacr(),
    );
    test.check_eq("DACR after the return (window open again)", inside_after, DACR_USER);
    test.check_eq("DACR after the window", mmu::read_dacr(), exception::kernel_dacr());
}

fn domain_fault_is_never_fixed_up(test: &mut Test) {
    if !exception::pan_enabled() {
        test.check("no domain faults without PAN", true);
        return;
    }
    let _pages = UserPages::new();
    let mut fixed_up = 0u32;
    let caught = test.expect_exception(ExceptionKind::DataAbort, Resume::NextInstruction, || {
        // SAFETY: a load listed in the exception table, run without a window: the domain
        // fault must reach the self-test handler, not the fixup (which would set the flag).
        unsafe {
            asm!(
                "mov {fixed_up}, #0",
                "20: ldr {value}, [{address}]",
                ".pushsection __ex_table, \"a\"",
                ".balign 4",
                ".long 20b, 21f, 1",
                ".popsection",
                "b 22f",
                "21: mov {fixed_up}, #1",
                "22:",
                address = in(reg) fixture::READ_WRITE,
                value = out(reg) _,
                fixed_up = out(reg) fixed_up,
                options(nostack),
            )
        };
    });
    test.check_eq("the fixup ran", fixed_up, 0);
    let Some(caught) = caught else { return };
    let kind = caught.event.status.map(|status| status.kind());
    test.check_eq("fault kind", kind, Some(FaultKind::Domain(Level::Page)));
}
