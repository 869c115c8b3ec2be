//! The kernel-side context of a process: what `switch_context` saves and restores.
//!
//! A process leaves the CPU only inside the kernel, in `schedule()`, so only the registers
//! the procedure call standard says a callee must preserve need saving: r4-r11, SP and LR.
//! Everything else of the process (its user registers, its DACR) is in the trap frame at the
//! top of its kernel stack. The DACR is not part of the switch: the window is never open
//! across one, and every kernel entry and exit sets it.

use core::mem::offset_of;

/// r4-r11, SP and LR, in the order `switch_context` stores them.
#[repr(C)]
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// r4-r11.
    pub callee_saved: [u32; 8],
    /// The SVC stack pointer.
    pub sp: u32,
    /// Where `switch_context` returns to when this context is loaded.
    pub lr: u32,
}

const _: () = {
    assert!(offset_of!(Context, sp) == 32);
    assert!(offset_of!(Context, lr) == 36);
};

core::arch::global_asm!(
    r#"
    .section .text.switch_context, "ax"
    .arm
    .global switch_context
    .type switch_context, %function
// switch_context(save: *mut Context, load: *const Context): saves the caller's callee-saved
// registers, SP and LR into `save`, loads `load`'s, and returns into `load`'s LR.
switch_context:
    stmia   r0!, {{r4-r11}}
    str     sp, [r0], #4
    str     lr, [r0]
    ldmia   r1!, {{r4-r11}}
    ldr     sp, [r1], #4
    ldr     lr, [r1]
    bx      lr
    .size switch_context, . - switch_context
"#
);

unsafe extern "C" {
    /// Saves the running context into `save` and continues with `load`.
    ///
    /// # Safety
    ///
    /// `load` must be a context saved by this function or prepared for a new process (SP on a
    /// live kernel stack, LR at code that can run from there), and `save` must stay valid
    /// until something loads it again.
    pub fn switch_context(save: *mut Context, load: *const Context);
}
