//! Powering off with an exit status, over Arm semihosting.
//!
//! QEMU with `-semihosting-config enable=on,target=native` implements SYS_EXIT_EXTENDED: its
//! exit status becomes QEMU's. Without semihosting, the board's SYS_CFGCTRL powers off (with
//! no status).

use crate::arch::{cpu, mmu};
use crate::console;
use crate::memory_map::{SYSTEM_REGISTERS, SYSTEM_REGISTERS_PHYSICAL};

/// The kernel's exit statuses, defined once in `abi/src/exit_status.rs` for the kernel and
/// the host tests alike.
pub use swpan_abi::ExitStatus;

/// Powers the machine off; QEMU exits with `status`.
pub fn poweroff(status: ExitStatus) -> ! {
    poweroff_code(status.code())
}

/// Powers the machine off; QEMU exits with `code` (a user program's `poweroff(code)`).
pub fn poweroff_code(code: u8) -> ! {
    console::flush();
    // Returns only if semihosting is disabled, and then the SVC lands in our own handler
    // (exception.rs), which powers off through the board instead.
    semihosting::process::exit(code as i32)
}

/// Powers off through the board's SYS_CFGCTRL, which cannot carry an exit status (QEMU then
/// exits with 0): the fallback when semihosting is not available.
pub fn poweroff_without_semihosting() -> ! {
    const SYS_CFGCTRL_OFFSET: usize = 0xA4;
    const START: u32 = 1 << 31;
    const WRITE: u32 = 1 << 30;
    const FUNCTION_SHUTDOWN: u32 = 8 << 20;
    console::flush();
    let base = if mmu::mmu_on() { SYSTEM_REGISTERS } else { SYSTEM_REGISTERS_PHYSICAL };
    let register = (base + SYS_CFGCTRL_OFFSET) as *mut u32;
    // SAFETY: SYS_CFGCTRL is a device register of the board, reachable at `base` now; writing
    // the shutdown function has no effect on memory.
    unsafe { core::ptr::write_volatile(register, START | WRITE | FUNCTION_SHUTDOWN) };
    cpu::halt()
}
