//! A deliberately vulnerable driver, for teaching only: `vulnerable_ops(table)` follows a user
//! pointer to an operations table and calls through it (on only with `vulnerable=ops`).
//!
//! The bug is the classic one. The call takes the address of an [`Operations`] table, meant to
//! be one the kernel owns (0 names the driver's own), and reads it with plain loads, as if it
//! were kernel memory: no `access_ok`, no `copy_from_user`, no check of the handler it finds.
//! A process can therefore hand it a table it built in its own memory, whose handler is any
//! kernel function it likes; the kernel calls it with kernel privilege.
//!
//! - PAN on: the first load from the table is a kernel access to a user page outside a
//!   uaccess window, a domain fault; the kernel oopses and the calling process dies.
//! - `pan=off`: the loads succeed and the kernel calls the handler. Pointed at a kernel
//!   function (`commit_root_credentials`), no user code runs, so PXN has nothing to stop, and
//!   the caller becomes root. Pointed at user code (ret2usr), PXN stops the call with a
//!   permission fault; with `pxn=off` too, user code runs in kernel mode.
//!
//! The accesses are inline assembly, as in lkdtm's perms family: exactly the instructions a
//! buggy driver runs, and no Rust reference to memory the kernel does not own.

use crate::errno::Errno;
use crate::println;
use crate::symbols::Symbolized;
use core::arch::asm;
use swpan_abi::vulnerable::{DEFAULT_RESULT, Operations};

crate::ro_after_init! {
    /// True with `vulnerable=ops` on the command line, set at boot.
    static ENABLED: bool = false;
}

/// The driver's own table, with the layout of [`Operations`].
#[repr(C)]
struct KernelOperations {
    handler: extern "C" fn(u32) -> u32,
    data: u32,
}

const _: () = assert!(
    core::mem::size_of::<KernelOperations>() == core::mem::size_of::<Operations>(),
    "the kernel's table and the ABI's have one layout"
);

/// The handler of the driver's own table: returns [`DEFAULT_RESULT`].
extern "C" fn default_handler(_data: u32) -> u32 {
    DEFAULT_RESULT
}

static DEFAULT_OPERATIONS: KernelOperations =
    KernelOperations { handler: default_handler, data: 0 };

/// Turns the driver on (`vulnerable=ops`) and says so in the boot log. Boot only.
pub fn enable() {
    ENABLED.set(true);
    println!(
        "WARNING: vulnerable=ops: a deliberately vulnerable driver is on, for teaching only: \
         system call {:#x} calls through a user pointer without copy_from_user",
        swpan_abi::syscall::VULNERABLE_OPS
    );
}

/// Whether the driver is on.
pub fn enabled() -> bool {
    ENABLED.get()
}

/// `vulnerable_ops(table)`: calls `handler(data)` from the table at `table` (the driver's own
/// for 0) and returns its result; ENOSYS when the driver is off.
pub fn call(table: u32) -> Result<u32, Errno> {
    if !enabled() {
        return Err(Errno::ENOSYS);
    }
    let table = if table == 0 { (&raw const DEFAULT_OPERATIONS).addr() as u32 } else { table };
    println!("vulnerable_ops: reading the operations table at {table:#010x}");
    let (handler, data) = read_table(table);
    println!("vulnerable_ops: calling {} with {data:#x}", Symbolized(handler));
    Ok(call_handler(handler, data))
}

/// The bug: two plain loads from an address the caller chose.
#[inline(never)]
fn read_table(table: u32) -> (u32, u32) {
    let (handler, data): (u32, u32);
    // SAFETY: not sound on purpose: the address comes from user space unchecked, which is the
    // bug this driver exists to show. A user address faults with PAN on; a kernel address
    // either faults (unmapped) or reads two words.
    unsafe {
        asm!(
            "ldr {handler}, [{table}]",
            "ldr {data}, [{table}, #4]",
            table = in(reg) table,
            handler = out(reg) handler,
            data = out(reg) data,
            options(nostack, readonly),
        )
    };
    (handler, data)
}

/// Calls `handler(data)` as an AAPCS function of one word returning one word.
#[inline(never)]
fn call_handler(handler: u32, data: u32) -> u32 {
    let result: u32;
    // SAFETY: not sound on purpose: `handler` came from the table read above, unchecked. The
    // clobbers are the AAPCS caller-saved registers (this soft-float target has no VFP state).
    unsafe {
        asm!(
            "blx {handler}",
            handler = in(reg) handler,
            inlateout("r0") data => result,
            out("r1") _, out("r2") _, out("r3") _, out("r12") _, out("lr") _,
        )
    };
    result
}
