//! Kernel bugs that exist only for the integration tests of the oops path: reachable through
//! `provoke` in a boot whose command line asked for them (`test=oops-in-window`,
//! `test=oops-under-lock`), never listed, never part of `lkdtm=all`.

use super::{CrashType, Survival};
use crate::cmdline::TestHook;
use crate::memory_map::RAM_END;
use crate::uaccess::extable::KERNEL_BUFFER;
use core::arch::asm;

/// A kernel address nothing maps: the first page after RAM's linear map.
pub const UNMAPPED_KERNEL_ADDRESS: u32 = RAM_END as u32;

/// The crash type of `test=oops-in-window`.
const IN_WINDOW: CrashType = CrashType { name: "FAULT_IN_WINDOW", run: fault_in_window };
/// The crash type of `test=oops-under-lock`.
const UNDER_LOCK: CrashType = CrashType { name: "FAULT_UNDER_LOCK", run: fault_under_lock };

crate::ro_after_init! {
    /// The crash type this boot's test hook allows, if any.
    static ENABLED: Option<&'static CrashType> = None;
}

/// Boot, before init ends: allows the crash type `hook` asks for.
pub fn init(hook: Option<TestHook>) {
    match hook {
        Some(TestHook::OopsInWindow) => ENABLED.set(Some(&IN_WINDOW)),
        Some(TestHook::OopsUnderLock) => ENABLED.set(Some(&UNDER_LOCK)),
        _ => {}
    }
}

/// The crash type called `name`, if this boot allows it.
pub fn find(name: &str) -> Option<&'static CrashType> {
    ENABLED.get().filter(|crash_type| crash_type.name == name)
}

/// The name of the crash type this boot allows.
pub fn enabled_name() -> Option<&'static str> {
    ENABLED.get().map(|crash_type| crash_type.name)
}

/// What a copy routine with a bad kernel-side pointer does: opens the window and loads from an
/// unmapped kernel address. The load is listed as a kernel-buffer access (so the window is
/// well formed for windowcheck) and such entries are never fixed up: a translation fault
/// inside an open window, and an oops.
fn fault_in_window() -> Survival {
    let value: u32;
    // SAFETY: not sound on purpose: the load faults, and the oops kills the process. The
    // window holds that one listed access and nothing else; the stub closes the window before
    // the handler runs, and the process never returns here.
    unsafe {
        asm!(
            crate::uaccess::window::window_open!("{saved}", "{scratch}"),
            "20: ldr {value}, [{address}]",
            ".pushsection __ex_table, \"a\"",
            ".balign 4",
            ".long 20b, 0, {kind}",
            ".popsection",
            crate::uaccess::window::window_close!("{saved}"),
            saved = out(reg) _,
            scratch = out(reg) _,
            value = out(reg) value,
            address = in(reg) UNMAPPED_KERNEL_ADDRESS,
            user_client = const crate::domain::USER_CLIENT_BIT,
            kind = const KERNEL_BUFFER,
            options(nostack, preserves_flags),
        )
    };
    let _ = value;
    Survival::Survived("a load from an unmapped kernel address")
}

/// A kernel bug under a lock: reads an unmapped kernel address while holding the process
/// table lock. Killing the process needs that lock, so the oops must become a panic.
fn fault_under_lock() -> Survival {
    crate::process::with_current(|_| {
        // SAFETY: not sound on purpose: the address is unmapped and the read faults.
        unsafe { core::ptr::read_volatile(UNMAPPED_KERNEL_ADDRESS as *const u32) }
    });
    Survival::Survived("a load from an unmapped kernel address")
}
