//! lkdtm's "perms" crash types (drivers/misc/lkdtm/perms.c), the ones about memory
//! permissions: here, the two that cross the user/kernel boundary.

use super::lkdtm_print;
use crate::arch::mmu;
use crate::mm::linear;
use crate::process::{memory, with_current};
use crate::uaccess::{UserPtr, copy_to_user};
use swpan_abi::{map, protection};

/// Bytes of `do_nothing` copied to the target of an execution test, as lkdtm's EXEC_SIZE.
const EXEC_SIZE: usize = 64;

core::arch::global_asm!(
    r#"
    .section .text.lkdtm_do_nothing, "ax"
    .arm
    .balign 64
    .global lkdtm_do_nothing
    .type lkdtm_do_nothing, %function
// A function that only returns, padded to EXEC_SIZE bytes so that copying it copies nothing
// else. Position independent: it runs wherever it is copied.
lkdtm_do_nothing:
    bx      lr
    .rept 15
    udf     #0
    .endr
    .size lkdtm_do_nothing, . - lkdtm_do_nothing
"#
);

unsafe extern "C" {
    fn lkdtm_do_nothing();
}

/// Maps one read-write-execute user page in the running process, as lkdtm's `vm_mmap`.
fn map_user_page() -> Option<u32> {
    let all = protection::READ | protection::WRITE | protection::EXEC;
    match memory::mmap(0, 4096, all, map::PRIVATE | map::ANONYMOUS) {
        Ok(address) => Some(address),
        Err(error) => {
            lkdtm_print!("Failed to allocate user memory: {error}");
            None
        }
    }
}

/// ACCESS_USERSPACE: a plain kernel read, then write, of a mapped user page. Emulated PAN
/// (the user domain is No access in kernel mode) stops the read with a domain fault.
pub fn access_userspace() -> &'static str {
    let Some(address) = map_user_page() else { return "could not map a user page" };
    let pointer = address as *mut u32;
    // Make the page present through the proper channel first.
    if copy_to_user(UserPtr::new(address), &0u32.to_le_bytes()).is_err() {
        lkdtm_print!("copy_to_user failed");
        return "copy_to_user failed";
    }
    lkdtm_print!("attempting bad read at {address:#010x}");
    // SAFETY: not sound on purpose: the kernel dereferences a user pointer outside any
    // window. With PAN on, the CPU takes a domain fault here and the kernel oopses.
    let mut value = unsafe { pointer.read_volatile() };
    lkdtm_print!("FAIL: survived bad read");
    value = value.wrapping_add(0xC);
    lkdtm_print!("attempting bad write at {address:#010x}");
    // SAFETY: as above, for a write.
    unsafe { pointer.write_volatile(value) };
    lkdtm_print!("FAIL: survived bad write");
    "survived bad read and bad write"
}

/// EXEC_USERSPACE: copies `do_nothing` into a user page through the process's own mapping
/// (not through uaccess), then calls it from kernel mode, as a ret2usr exploit would. PAN
/// stops the fetch with a domain fault; without PAN, PXN stops it with a permission fault.
pub fn exec_userspace() -> &'static str {
    let Some(address) = map_user_page() else { return "could not map a user page" };
    let do_nothing = lkdtm_do_nothing as *const () as usize as u32;
    lkdtm_print!("attempting ok execution at {do_nothing:#010x}");
    // SAFETY: a kernel function that only returns.
    unsafe { lkdtm_do_nothing() };

    // The process's own mapping of the page: the frame behind it, reached through the
    // kernel's linear map, as access_process_vm() writes through the page, not the user VA.
    let Some(frame) =
        with_current(|process| process.space().and_then(|space| space.translate(address)))
            .map(|(frame, _)| frame)
    else {
        return "the user page has no frame";
    };
    // SAFETY: `frame` is the page this process just mapped, owned by its address space and
    // mapped by the linear map; `do_nothing` is EXEC_SIZE bytes of kernel text.
    unsafe { core::ptr::copy_nonoverlapping(do_nothing as *const u8, linear(frame), EXEC_SIZE) };
    mmu::sync_instructions(frame, frame + EXEC_SIZE as u32);

    lkdtm_print!("attempting bad execution at {address:#010x}");
    // SAFETY: not sound on purpose: the kernel calls code in user memory. PAN or PXN turns
    // the fetch into a prefetch abort and the kernel oopses.
    let function: extern "C" fn() = unsafe { core::mem::transmute(address as usize) };
    function();
    lkdtm_print!("FAIL: func returned");
    "func returned"
}
