//! The user-access window: the one way the kernel opens the user domain, and closes it again.
//!
//! Opening reads the DACR, sets the user domain to Client and writes it back; closing writes
//! back the value read. Save and restore, rather than "write the open value, then the closed
//! value", makes nesting safe: an exception taken inside a window that opens its own window
//! leaves the outer one as it found it. The sequences are text macros, so every window is
//! inlined where it is used and nothing can stand between the DACR write and the access:
//!
//! ```text
//! open:   mrc p15, 0, saved, c3, c0, 0      close:  mcr p15, 0, saved, c3, c0, 0
//!         orr scratch, saved, #USER_CLIENT          isb
//!         mcr p15, 0, scratch, c3, c0, 0
//!         isb
//! ```
//!
//! The uaccess routines (`copy.rs`) put open, the user accesses and close in a single `asm!`
//! block, so no compiler-generated load, store or call can land inside a window. The RAII
//! [`UserAccessWindow`] is the same pair for Rust code that needs a window across statements:
//! its `Drop` closes the window on every path out, including `?` and early returns.

use crate::domain::USER_CLIENT_BIT;
use core::arch::asm;

/// The window-opening sequence. Arguments: the register (or `{operand}`) that receives the
/// DACR as it was, and a scratch register; the block must pass `user_client = const`
/// [`USER_CLIENT_BIT`].
macro_rules! window_open {
    ($saved:literal, $scratch:literal) => {
        concat!(
            "mrc p15, 0, ",
            $saved,
            ", c3, c0, 0\n",
            "orr ",
            $scratch,
            ", ",
            $saved,
            ", #{user_client}\n",
            "mcr p15, 0, ",
            $scratch,
            ", c3, c0, 0\n",
            "isb\n",
        )
    };
}

/// The window-closing sequence. Argument: the register holding the DACR to restore.
macro_rules! window_close {
    ($saved:literal) => {
        concat!("mcr p15, 0, ", $saved, ", c3, c0, 0\n", "isb\n")
    };
}

pub(crate) use {window_close, window_open};

/// An open user-access window; dropping it closes the window.
#[must_use = "the window closes when this is dropped"]
pub struct UserAccessWindow {
    saved: u32,
}

impl UserAccessWindow {
    /// Opens the window.
    ///
    /// # Safety
    ///
    /// While it is open the kernel can read and write user memory with plain loads and
    /// stores: only user accesses that are listed in the exception table may run inside it,
    /// with no call into other code and no sleep or schedule before it is dropped.
    #[inline(always)]
    pub unsafe fn open() -> UserAccessWindow {
        let saved: u32;
        // SAFETY: writes the DACR with the user domain set to Client; the caller's contract
        // keeps everything else out of the window.
        unsafe {
            asm!(
                window_open!("{saved}", "{scratch}"),
                saved = out(reg) saved,
                scratch = out(reg) _,
                user_client = const USER_CLIENT_BIT,
                options(nostack, preserves_flags),
            )
        };
        UserAccessWindow { saved }
    }

    /// The DACR value this window restores on close.
    pub fn saved_dacr(&self) -> u32 {
        self.saved
    }
}

impl Drop for UserAccessWindow {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: restores the DACR read by `open`, which was a valid kernel value.
        unsafe {
            asm!(window_close!("{saved}"), saved = in(reg) self.saved, options(nostack, preserves_flags))
        };
    }
}
