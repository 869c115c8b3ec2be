//! The exception vectors and the exception returns (`vectors.s`), their installation, and
//! the PAN mode they embody: the CPU half of taking an exception. What the kernel *does* with
//! each exception (fixup, oops, system call, interrupt) is above, in [`crate::trap`].

use super::mmu;
use super::psr::MODE_SVC;
use super::trap_frame::{
    FRAME_DACR, FRAME_LR_SVC, FRAME_SIZE, FRAME_SP_USR, FRAME_SPSR, TrapFrame,
};
use crate::domain::{DACR_KERNEL, DACR_USER};
use crate::memory_map::VECTORS;
use core::sync::atomic::{AtomicBool, Ordering};

pub use super::exception_kind::ExceptionKind;

core::arch::global_asm!(
    include_str!("vectors.s"),
    MODE_SVC = const MODE_SVC,
    MODE_ABT = const super::psr::MODE_ABT,
    FRAME_SIZE = const FRAME_SIZE,
    FRAME_SP_USR = const FRAME_SP_USR,
    FRAME_LR_SVC = const FRAME_LR_SVC,
    FRAME_DACR = const FRAME_DACR,
    FRAME_SPSR = const FRAME_SPSR,
    DACR_KERNEL = const DACR_KERNEL,
    DACR_USER = const DACR_USER,
);

unsafe extern "C" {
    static exception_vectors_pan: u8;
    static exception_vectors_nopan: u8;
    fn return_to_user_pan() -> !;
    fn return_to_user_nopan() -> !;
}

/// Installs the vector set for `pan` at its alias in the VECTORS domain. Call right after
/// the MMU is on (before, VBAR holds the link address of the PAN set, set by `_start`).
///
/// # Safety
///
/// The vector page must be mapped at [`VECTORS`] (see `mm::kernel_map`), and the DACR must
/// already hold the kernel value that matches `pan`.
pub unsafe fn install(pan: bool) {
    let (with, without) = (&raw const exception_vectors_pan, &raw const exception_vectors_nopan);
    let offset = if pan { 0 } else { without as usize - with as usize };
    PAN.store(pan, Ordering::Relaxed);
    // SAFETY: the caller's contract: the page is mapped there and the set matches the DACR.
    unsafe { mmu::write_vbar((VECTORS + offset) as u32) };
}

/// Installs, on a CPU other than CPU 0, the vector set [`install`] chose at boot. Call right
/// after this CPU's MMU is on.
///
/// # Safety
///
/// [`install`] must have run on CPU 0, and this CPU's DACR must hold [`kernel_dacr`].
pub unsafe fn install_on_this_cpu() {
    let (with, without) = (&raw const exception_vectors_pan, &raw const exception_vectors_nopan);
    let offset = if pan_enabled() { 0 } else { without as usize - with as usize };
    // SAFETY: the caller's contract: the vector page is mapped (the kernel tables are shared)
    // and the set matches the DACR.
    unsafe { mmu::write_vbar((VECTORS + offset) as u32) };
}

/// Whether the vectors with software PAN are installed. Written once, by [`install`] at boot;
/// it lives in `.data.ro_after_init`, which is mapped read-only when init ends
/// (`mm::ro_after_init::seal`), so no later write can change what the checks expect.
#[unsafe(link_section = ".data.ro_after_init")]
static PAN: AtomicBool = AtomicBool::new(true);

/// True when exceptions save, close and restore the DACR (pan=on).
pub fn pan_enabled() -> bool {
    PAN.load(Ordering::Relaxed)
}

/// The DACR of kernel mode with the window closed, for this boot.
pub fn kernel_dacr() -> u32 {
    crate::domain::kernel_mode_dacr(pan_enabled())
}

/// Writes DACR_KERNEL, whatever the DACR holds now: for the paths that must never pass an
/// open window on (an oops, a process exit, a context switch that found the window open).
/// With pan=off the DACR is one constant and there is no window to close.
pub fn close_window() {
    if pan_enabled() {
        // SAFETY: DACR_KERNEL is the kernel-mode value of a pan=on boot (never Manager).
        // Writing it can only take the user domain away from the code running now, which is
        // what these paths want; a user access that still followed would take a domain fault
        // and oops, never succeed.
        unsafe { mmu::write_dacr(DACR_KERNEL) };
    }
}

/// The exception return into user mode for the installed vector set: where a new process's
/// first frame is restored from.
pub fn return_to_user_path() -> unsafe extern "C" fn() -> ! {
    if pan_enabled() { return_to_user_pan } else { return_to_user_nopan }
}

/// The DACR the interrupted context ran with: the saved value for a kernel frame with PAN on,
/// DACR_USER for a user frame, and the constant DACR with PAN off.
pub fn interrupted_dacr(frame: &TrapFrame) -> u32 {
    if frame.from_user() {
        DACR_USER
    } else if pan_enabled() {
        frame.dacr
    } else {
        mmu::read_dacr()
    }
}
