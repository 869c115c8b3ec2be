//! lkdtm's "perms" crash types (drivers/misc/lkdtm/perms.c): kernel code that executes from
//! data, writes read-only memory, or crosses into user memory. Each must end in a fault.
//!
//! The bad accesses are inline assembly, not Rust loads and stores: a plain load through a
//! null or forbidden pointer would be undefined behaviour the compiler may rewrite, while an
//! `ldr` is exactly the instruction a buggy kernel would run.

use super::{Survival, lkdtm_print};
use crate::arch::mmu;
use crate::mm::linear;
use crate::mm::vmalloc::vmalloc;
use crate::process::{mmap, with_current};
use crate::uaccess::{UserPtr, copy_to_user, flush_user_caches};
use alloc::boxed::Box;
use core::arch::asm;
use core::cell::UnsafeCell;
use swpan_abi::{map, protection};

/// Bytes of `do_nothing` copied to the target of an execution test, as lkdtm's EXEC_SIZE.
const EXEC_SIZE: usize = 64;

/// What `do_overwritten` returns while its own code is in place (`do_nothing` returns 0).
const DO_OVERWRITTEN_INTACT: u32 = 0x0D0E_0F1E;

core::arch::global_asm!(
    r#"
    .section .text.lkdtm_do_nothing, "ax"
    .arm
    .balign 64
// do_nothing: a function that returns 0, padded to EXEC_SIZE bytes so that copying it copies
// nothing else; position independent, it runs wherever it is copied.
    .global lkdtm_do_nothing
    .type lkdtm_do_nothing, %function
lkdtm_do_nothing:
    mov     r0, #0
    bx      lr
    .rept 14
    udf     #0
    .endr
    .size lkdtm_do_nothing, . - lkdtm_do_nothing
// do_overwritten: the function right after it, which WRITE_KERN tries to overwrite with
// do_nothing. Its own body returns DO_OVERWRITTEN_INTACT, so a copy of do_nothing in its place
// shows: it would return 0.
    .global lkdtm_do_overwritten
    .type lkdtm_do_overwritten, %function
lkdtm_do_overwritten:
    movw    r0, #{intact_low}
    movt    r0, #{intact_high}
    bx      lr
    .rept 13
    udf     #0
    .endr
    .size lkdtm_do_overwritten, . - lkdtm_do_overwritten

// A function in .rodata, for EXEC_RODATA: code that lives in read-only, never-executable data.
    .section .rodata.lkdtm_rodata_do_nothing, "a"
    .balign 4
    .global lkdtm_rodata_do_nothing
lkdtm_rodata_do_nothing:
    bx      lr
"#,
    intact_low = const DO_OVERWRITTEN_INTACT & 0xFFFF,
    intact_high = const DO_OVERWRITTEN_INTACT >> 16,
);

unsafe extern "C" {
    fn lkdtm_do_nothing() -> u32;
    fn lkdtm_do_overwritten() -> u32;
    static lkdtm_rodata_do_nothing: u8;
}

fn address_of(function: unsafe extern "C" fn() -> u32) -> u32 {
    function as *const () as usize as u32
}

/// A 64-byte area in .data, for EXEC_DATA.
#[repr(C, align(64))]
struct DataArea(UnsafeCell<[u8; EXEC_SIZE]>);

// SAFETY: only the EXEC_DATA test touches it, from one process at a time: the kernel is not
// preemptible and the test never blocks.
unsafe impl Sync for DataArea {}

static DATA_AREA: DataArea = DataArea(UnsafeCell::new([0; EXEC_SIZE]));

/// A constant in .rodata, for WRITE_RO. Written to only by the test's assembly.
static RODATA: u32 = 0xAA55_AA55;

crate::ro_after_init! {
    /// Written during init, read-only after, for WRITE_RO_AFTER_INIT.
    static RO_AFTER_INIT: u32 = 0x5500_5500;
}

/// Boot: writes the `ro_after_init` variable while it is still writable.
pub fn init() {
    RO_AFTER_INIT.set(RO_AFTER_INIT.get() | 0xAA);
}

/// Calls `target` from kernel mode, as a function of no arguments.
fn call(target: u32) {
    // SAFETY: not sound on purpose when `target` is not code: the tests call data, user and
    // null addresses to prove the CPU refuses. The clobbers are the AAPCS caller-saved
    // registers (this soft-float target has no VFP state).
    unsafe {
        asm!(
            "blx {target}",
            target = in(reg) target,
            out("r0") _, out("r1") _, out("r2") _, out("r3") _, out("r12") _, out("lr") _,
        )
    };
}

/// lkdtm's execute_location(): runs do_nothing, copies it to `destination` (unless `copy` is
/// false: the code is already there), calls it there.
fn execute_location(destination: u32, copy: bool) -> Survival {
    let do_nothing = address_of(lkdtm_do_nothing);
    lkdtm_print!("attempting ok execution at {do_nothing:#010x}");
    // SAFETY: a kernel function that only returns 0.
    unsafe { lkdtm_do_nothing() };
    if copy {
        // SAFETY: each caller passes a writable area of EXEC_SIZE bytes; do_nothing is
        // EXEC_SIZE bytes of kernel text.
        unsafe {
            core::ptr::copy_nonoverlapping(
                do_nothing as *const u8,
                destination as *mut u8,
                EXEC_SIZE,
            )
        };
        mmu::sync_instructions(destination, destination + EXEC_SIZE as u32);
    }
    lkdtm_print!("attempting bad execution at {destination:#010x}");
    call(destination);
    lkdtm_print!("FAIL: func returned");
    Survival::Survived("func returned")
}

/// EXEC_DATA: .data is never executable (XN).
pub fn exec_data() -> Survival {
    execute_location(DATA_AREA.0.get() as u32, true)
}

/// EXEC_STACK: the kernel stack is never executable.
pub fn exec_stack() -> Survival {
    let area = core::hint::black_box([0u8; EXEC_SIZE]);
    let survival = execute_location(area.as_ptr() as u32, true);
    core::hint::black_box(area);
    survival
}

/// EXEC_KMALLOC: the heap is never executable.
pub fn exec_kmalloc() -> Survival {
    let area = Box::new([0u8; EXEC_SIZE]);
    execute_location(area.as_ptr() as u32, true)
}

/// EXEC_VMALLOC: the vmalloc area is never executable.
pub fn exec_vmalloc() -> Survival {
    match vmalloc(EXEC_SIZE) {
        Ok(area) => execute_location(area.address(), true),
        Err(error) => {
            lkdtm_print!("vmalloc failed: {error}");
            Survival::NotApplicable("vmalloc failed")
        }
    }
}

/// EXEC_RODATA: a function placed in .rodata is never executable.
pub fn exec_rodata() -> Survival {
    execute_location(&raw const lkdtm_rodata_do_nothing as u32, false)
}

/// EXEC_NULL: address 0 is never mapped.
pub fn exec_null() -> Survival {
    execute_location(0, false)
}

/// Maps one read-write-execute user page in the running process, as lkdtm's `vm_mmap`.
fn map_user_page() -> Option<u32> {
    let all = protection::READ | protection::WRITE | protection::EXEC;
    match mmap::mmap(0, 4096, all, map::PRIVATE | map::ANONYMOUS) {
        Ok(address) => Some(address),
        Err(error) => {
            lkdtm_print!("Failed to allocate user memory: {error}");
            None
        }
    }
}

/// EXEC_USERSPACE: copies do_nothing into a user page through uaccess on the user address
/// (the page's frame is the process's and out of the kernel's linear map), then calls it from
/// kernel mode, as a ret2usr exploit would. PAN stops the fetch with a domain fault; without
/// PAN, PXN stops it with a permission fault.
pub fn exec_userspace() -> Survival {
    let Some(address) = map_user_page() else { return Survival::NotApplicable("no user page") };
    let do_nothing = address_of(lkdtm_do_nothing);
    lkdtm_print!("attempting ok execution at {do_nothing:#010x}");
    // SAFETY: a kernel function that only returns 0.
    unsafe { lkdtm_do_nothing() };
    // SAFETY: do_nothing is EXEC_SIZE bytes of kernel text, readable by the kernel.
    let code = unsafe { core::slice::from_raw_parts(do_nothing as *const u8, EXEC_SIZE) };
    if copy_to_user(UserPtr::new(address), code).is_err()
        || flush_user_caches(UserPtr::new(address), EXEC_SIZE as u32).is_err()
    {
        lkdtm_print!("copy_to_user failed");
        return Survival::NotApplicable("copy_to_user failed");
    }
    lkdtm_print!("attempting bad execution at {address:#010x}");
    call(address);
    lkdtm_print!("FAIL: func returned");
    Survival::Survived("func returned")
}

/// A plain kernel load.
fn bad_read(address: u32) -> u32 {
    let value: u32;
    // SAFETY: not sound on purpose: the tests load from forbidden addresses to prove the CPU
    // refuses.
    unsafe { asm!("ldr {value}, [{address}]", address = in(reg) address, value = out(reg) value) };
    value
}

/// A plain kernel store.
fn bad_write(address: u32, value: u32) {
    // SAFETY: not sound on purpose: the tests store to forbidden addresses to prove the CPU
    // refuses.
    unsafe { asm!("str {value}, [{address}]", address = in(reg) address, value = in(reg) value) };
}

/// A read then a write at `address`, lkdtm's ACCESS_* sequence.
fn read_then_write(address: u32) -> Survival {
    lkdtm_print!("attempting bad read at {address:#010x}");
    let value = bad_read(address);
    lkdtm_print!("FAIL: survived bad read");
    lkdtm_print!("attempting bad write at {address:#010x}");
    bad_write(address, value.wrapping_add(0xC));
    lkdtm_print!("FAIL: survived bad write");
    Survival::Survived("survived bad read and bad write")
}

/// ACCESS_USERSPACE: a plain kernel read, then write, of a mapped user page. Emulated PAN
/// (the user domain is No access in kernel mode) stops the read with a domain fault.
pub fn access_userspace() -> Survival {
    let Some(address) = map_user_page() else { return Survival::NotApplicable("no user page") };
    // Make the page present through the proper channel first.
    if copy_to_user(UserPtr::new(address), &0u32.to_le_bytes()).is_err() {
        lkdtm_print!("copy_to_user failed");
        return Survival::NotApplicable("copy_to_user failed");
    }
    read_then_write(address)
}

/// What ACCESS_USERSPACE_LINEAR's process writes in its page, through uaccess, before the
/// kernel looks for it behind the linear map.
const LINEAR_PATTERN: u32 = 0x2E7D_1A5E;

/// ACCESS_USERSPACE_LINEAR: the "ret2dir" attack. The process maps a page and fills it; the
/// kernel finds the page's frame (as an exploit would after leaking a physical address) and
/// reads, then writes, the frame's alias in the linear map: a kernel address, in the
/// kernel's domain, which PAN does not cover. Exclusive page-frame ownership (`xpfo=on`)
/// stops the read with a translation fault: the frame is out of the linear map while the
/// process owns it.
pub fn access_userspace_linear() -> Survival {
    let Some(address) = map_user_page() else { return Survival::NotApplicable("no user page") };
    if copy_to_user(UserPtr::new(address), &LINEAR_PATTERN.to_le_bytes()).is_err() {
        lkdtm_print!("copy_to_user failed");
        return Survival::NotApplicable("copy_to_user failed");
    }
    let Some(frame) =
        with_current(|process| process.space().and_then(|space| space.translate(address)))
            .map(|(frame, _)| frame)
    else {
        return Survival::NotApplicable("the user page has no frame");
    };
    let alias = linear(frame) as u32;
    lkdtm_print!("user page {address:#010x} is frame {frame:#010x}, linear alias {alias:#010x}");
    read_then_write(alias)
}

/// ACCESS_NULL: the first page is never mapped.
pub fn access_null() -> Survival {
    read_then_write(0)
}

/// lkdtm's `*ptr ^= 0xabcd1234` on memory that must be read-only.
fn xor_write(address: u32) {
    bad_write(address, bad_read(address) ^ 0xABCD_1234);
}

/// WRITE_RO: .rodata is read-only.
pub fn write_ro() -> Survival {
    let address = &raw const RODATA as u32;
    lkdtm_print!("attempting bad rodata write at {address:#010x}");
    xor_write(address);
    lkdtm_print!("FAIL: survived bad write");
    Survival::Survived("survived bad write")
}

/// WRITE_RO_AFTER_INIT: `ro_after_init` data is read-only once init has ended.
pub fn write_ro_after_init() -> Survival {
    let address = RO_AFTER_INIT.address() as u32;
    if RO_AFTER_INIT.get() & 0xAA != 0xAA {
        lkdtm_print!("{address:#010x} was NOT written during init!?");
        return Survival::Survived("ro_after_init data was not written during init");
    }
    lkdtm_print!("attempting bad ro_after_init write at {address:#010x}");
    xor_write(address);
    lkdtm_print!("FAIL: survived bad write");
    Survival::Survived("survived bad write")
}

/// WRITE_KERN: kernel text is read-only: overwriting do_overwritten with do_nothing faults.
/// do_overwritten is checked first: a copy of do_nothing left in it by an earlier write that
/// reached the text is reported as a failure too.
pub fn write_kern() -> Survival {
    let source = address_of(lkdtm_do_nothing);
    let target = address_of(lkdtm_do_overwritten);
    let size = target - source;
    // SAFETY: a kernel function of no arguments that returns a value, its own or do_nothing's.
    let returned = unsafe { lkdtm_do_overwritten() };
    if returned != DO_OVERWRITTEN_INTACT {
        lkdtm_print!(
            "FAIL: do_overwritten at {target:#010x} was overwritten (returned {returned:#x})"
        );
        return Survival::Survived("do_overwritten was overwritten");
    }
    lkdtm_print!("attempting bad {size} byte write at {target:#010x}");
    // SAFETY: not sound on purpose: a write to kernel text, which the MMU refuses.
    unsafe {
        core::ptr::copy_nonoverlapping(source as *const u8, target as *mut u8, size as usize)
    };
    mmu::sync_instructions(target, target + size);
    lkdtm_print!("FAIL: survived bad write");
    // SAFETY: it holds a copy of do_nothing or its own code; both only return a value.
    if unsafe { lkdtm_do_overwritten() } == DO_OVERWRITTEN_INTACT {
        lkdtm_print!("do_overwritten wasn't overwritten!");
    }
    Survival::Survived("survived bad write")
}

/// WRITE_OPD: function descriptors exist only on some ABIs (ia64, ppc64 ELFv1, parisc); ARM
/// calls code directly.
pub fn write_opd() -> Survival {
    lkdtm_print!("XFAIL: Platform doesn't use function descriptors.");
    Survival::NotApplicable("Platform doesn't use function descriptors.")
}
