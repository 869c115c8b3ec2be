//! One test per bug Linux's software PAN had in the field (linux-sw-pan.md, "Bugs the real
//! implementation had"), so that none of them can come back here unnoticed.

use super::fixture::{self, UserPages};
use super::{Case, Resume, Test, expect_nested, nested_caught};
use crate::arch::exception::{self, ExceptionKind};
use crate::arch::mmu;
use crate::domain::DACR_USER;
use crate::errno::Errno;
use crate::mm::descriptor::{AccessPermissions, Attributes};
use crate::mm::frames_allocate;
use crate::uaccess::window::UserAccessWindow;
use crate::uaccess::{UserPtr, copy_from_user, flush_user_caches};
use alloc::vec;
use core::arch::asm;
use core::sync::atomic::{AtomicU32, Ordering};

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "regressions.large_copy_opens_the_window", run: large_copy_opens_the_window },
    Case { name: "regressions.fixup_keeps_the_stack", run: fixup_keeps_the_stack },
    Case {
        name: "regressions.nested_exceptions_restore_the_dacr",
        run: nested_exceptions_restore_the_dacr,
    },
    Case {
        name: "regressions.user_cache_flush_opens_the_window",
        run: user_cache_flush_opens_the_window,
    },
];

/// Raspberry Pi's memcpy-based copy_from_user forgot the window: every large copy took a
/// domain fault. A 64 KiB copy through the block path, with PAN on, must simply work.
fn large_copy_opens_the_window(test: &mut Test) {
    let mut pages = UserPages::new();
    const SIZE: u32 = 64 * 1024;
    let base = 0x0050_0000;
    let attributes = Attributes::user(AccessPermissions::ReadWrite, true);
    for index in 0..SIZE / 4096 {
        let frame = frames_allocate(1, 4096).expect("a frame");
        // SAFETY: a fresh frame, mapped by the linear map.
        unsafe { core::ptr::write_bytes(crate::mm::linear(frame), (index as u8) ^ 0x5A, 4096) };
        pages.space.map_page(base + index * 4096, frame, attributes).expect("mapping");
    }
    let mut buffer = vec![0u8; SIZE as usize];
    test.check_eq(
        "copy_from_user of 64 KiB",
        copy_from_user(&mut buffer, UserPtr::new(base)),
        Ok(()),
    );
    let wrong =
        buffer.iter().enumerate().find(|(offset, byte)| **byte != ((offset / 4096) as u8 ^ 0x5A));
    test.check_eq("first wrong byte", wrong.map(|(offset, _)| offset), None);
}

fn stack_pointer() -> u32 {
    let sp: u32;
    // SAFETY: reads SP.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// csum_partial_copy_from_user's fixup used stack offsets the window's extra push had moved
/// (ARM 8731/1). Here no window touches the stack: after a fixup, SP and every local are as
/// they were.
fn fixup_keeps_the_stack(test: &mut Test) {
    let _pages = UserPages::new();
    let before = core::hint::black_box([0xC0DE_0001u32, 0xC0DE_0002, 0xC0DE_0003, 0xC0DE_0004]);
    let sp_before = stack_pointer();
    let mut buffer = [0xAAu8; 200];
    let result = copy_from_user(&mut buffer, UserPtr::new(fixture::UNMAPPED - 100));
    let sp_after = stack_pointer();
    test.check_eq("a copy running into an unmapped page", result, Err(Errno::EFAULT));
    test.check_eq("SP after the fixup", sp_after, sp_before);
    test.check_eq(
        "locals after the fixup",
        core::hint::black_box(before),
        [0xC0DE_0001, 0xC0DE_0002, 0xC0DE_0003, 0xC0DE_0004],
    );
}

static DACR_IN_FIRST_HANDLER: AtomicU32 = AtomicU32::new(0);
static DACR_BACK_IN_HANDLER_WINDOW: AtomicU32 = AtomicU32::new(0);

/// Runs inside the first exception's handler: opens a window of its own, takes a second
/// exception in it, and records the DACR around it.
fn nested_exception() {
    DACR_IN_FIRST_HANDLER.store(mmu::read_dacr(), Ordering::Relaxed);
    // SAFETY: the window holds an undefined instruction and a register read, nothing else.
    let window = unsafe { UserAccessWindow::open() };
    expect_nested(ExceptionKind::UndefinedInstruction);
    // SAFETY: raises the exception just declared.
    unsafe { asm!("udf #0x77") };
    DACR_BACK_IN_HANDLER_WINDOW.store(mmu::read_dacr(), Ordering::Relaxed);
    drop(window);
}

/// Linux restored the wrong DACR when exceptions nested (2020). Here: a window open, an
/// exception; its handler opens its own window and takes a second exception. Each return
/// must restore what its own frame saved.
fn nested_exceptions_restore_the_dacr(test: &mut Test) {
    let mut back_in_outer_window = 0;
    let caught = test.expect_exception_then(
        ExceptionKind::UndefinedInstruction,
        Resume::NextInstruction,
        Some(nested_exception),
        || {
            // SAFETY: the window holds an undefined instruction and a register read.
            let window = unsafe { UserAccessWindow::open() };
            // SAFETY: raises the exception the case declared.
            unsafe { asm!("udf #0x76") };
            back_in_outer_window = mmu::read_dacr();
            drop(window);
        },
    );
    let kernel = exception::kernel_dacr();
    let nested = nested_caught();
    test.check("the first exception", caught.is_some());
    test.check("the nested exception", nested.is_some());
    test.check_eq(
        "DACR in the first handler (closed)",
        DACR_IN_FIRST_HANDLER.load(Ordering::Relaxed),
        kernel,
    );
    if let Some(nested) = nested {
        test.check_eq(
            "the nested exception interrupted an open window",
            nested.interrupted_dacr,
            DACR_USER,
        );
        test.check_eq("DACR in the nested handler (closed)", nested.handler_dacr, kernel);
    }
    test.check_eq(
        "DACR back in the handler's window",
        DACR_BACK_IN_HANDLER_WINDOW.load(Ordering::Relaxed),
        DACR_USER,
    );
    test.check_eq("DACR back in the first window", back_in_outer_window, DACR_USER);
    test.check_eq("DACR after both windows", mmu::read_dacr(), kernel);
}

/// The user cache-flush path once ran without opening the window (PAN with LPAE, 2024). The
/// maintenance by address on a user page goes through the window here; windowcheck proves
/// the window statically, this proves the path works with PAN on.
fn user_cache_flush_opens_the_window(test: &mut Test) {
    let _pages = UserPages::new();
    test.check_eq(
        "flush an executable user page",
        flush_user_caches(UserPtr::new(fixture::EXECUTABLE), 4096),
        Ok(()),
    );
    test.check_eq(
        "flush a kernel range",
        flush_user_caches(UserPtr::new(0x8000_0000), 64),
        Err(Errno::EFAULT),
    );
    test.check_eq("DACR after", mmu::read_dacr(), exception::kernel_dacr());
}
