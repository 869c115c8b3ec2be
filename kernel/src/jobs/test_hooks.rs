//! `test=...`: the failure paths the integration tests provoke on purpose, right after boot.
//!
//! Most end the boot (a panic, an unexpected exception, an oops in the kernel's own job, a
//! hang for the runner's timeout); `failing-selftest` only adds a case to the self-test run.
//! `oops-in-window` and `oops-under-lock` run a child whose system call oopses in a way that
//! must neither leave the window open nor hang the kernel.

use crate::arch::exception;
use crate::cmdline::TestHook;
use crate::invariants;
use crate::lkdtm::failure_paths;
use crate::mm;
use crate::power::{self, ExitStatus};
use crate::println;
use crate::process::{self, Cause, Death, KERNEL_PID};
use crate::smp;
use alloc::format;
use alloc::string::String;
use core::fmt;

/// Runs the hook the command line chose, if any. Returns only for hooks that leave the boot to
/// its job.
pub fn run(hook: Option<TestHook>) {
    match hook {
        Some(TestHook::Panic) => panic!("test=panic: a panic on purpose"),
        Some(TestHook::NestedPanic) => panic!("test=nested-panic: {}", PanicsWhenPrinted),
        Some(TestHook::UndefinedInstruction) => {
            // SAFETY: raises an undefined-instruction exception that nobody expects: the
            // handler reports it and powers off, which is what this hook is for.
            unsafe { core::arch::asm!("udf #0x42") }
        }
        Some(TestHook::Hang) => crate::arch::cpu::halt(),
        Some(TestHook::Oops) => read_user_memory_outside_a_window(),
        Some(TestHook::OopsInWindow) | Some(TestHook::OopsUnderLock) => oops_in_a_child(),
        Some(TestHook::TlbShootdown) => unmapped_on_one_cpu_faults_on_another(),
        Some(TestHook::FailingSelfTest) | None => {}
    }
}

/// CPU 1 reads a word of a vmalloc page, CPU 0 frees the page (its kernel mapping removed, the
/// TLB entry invalidated), then CPU 1 reads it again: with an invalidation that reaches every
/// CPU the second read faults; with one that stays on CPU 0, CPU 1's TLB still translates it.
#[inline(never)]
fn unmapped_on_one_cpu_faults_on_another() {
    const MARK: u32 = 0x5EED_F00D;
    let page = mm::vmalloc::vmalloc(4096).expect("a vmalloc page");
    let address = page.address();
    // SAFETY: the page is this function's, mapped read-write, word aligned.
    unsafe { (page.as_mut_ptr() as *mut u32).write_volatile(MARK) };
    // SAFETY: a word-aligned kernel address; reading RAM has no side effect.
    let before = unsafe { smp::read_on(1, address) };
    drop(page);
    // SAFETY: as above: the frame went back to the allocator, a read of it changes nothing.
    let after = unsafe { smp::read_on(1, address) };
    let show = |result: Option<Result<u32, u32>>| match result {
        Some(Ok(value)) => format!("reads {value:#010x}"),
        Some(Err(dfsr)) => format!("faults (DFSR {dfsr:#05x})"),
        None => String::from("is not online or does not answer"),
    };
    println!("tlb: CPU 1 {} at {address:#010x}, written {MARK:#010x} by CPU 0", show(before));
    println!("tlb: after CPU 0 unmapped it, CPU 1 {}", show(after));
}

/// A value whose `Display` panics: panicking while the panic handler prints it.
struct PanicsWhenPrinted;

impl fmt::Display for PanicsWhenPrinted {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("a second panic while printing the first")
    }
}

/// `test=oops`: maps a user page and reads it from kernel mode without a window, as a kernel
/// bug that follows a user pointer would. With PAN on this is a domain fault and an oops.
fn read_user_memory_outside_a_window() {
    use crate::mm::address_space::AddressSpace;
    use crate::mm::descriptor::{AccessPermissions, Attributes};
    const USER_PAGE: u32 = 0x0040_0000;
    let mut space = AddressSpace::new().expect("an address space for the oops");
    let frame = mm::frames_allocate(1, 4096).expect("a frame for the oops");
    space
        .map_page(USER_PAGE, frame, Attributes::user(AccessPermissions::ReadWrite, false))
        .expect("mapping the user page");
    // SAFETY: `space` stays alive until after the read below and is deactivated on drop.
    unsafe { space.activate() };
    // SAFETY: not sound on purpose: the kernel dereferences a user address outside any
    // window. With PAN on the CPU stops it with a domain fault and the kernel oopses.
    let value = unsafe { core::ptr::read_volatile(USER_PAGE as *const u32) };
    println!("swpan: read {value:#x} from user memory: PAN did not stop it");
}

/// `test=oops-in-window` and `test=oops-under-lock`: `provoke` runs this boot's failure-path
/// crash type in a child. The child must die by the oops, and the kernel must go on with every
/// DACR invariant intact: a full `usertest` run afterwards, with the counters checked. (With
/// `oops-under-lock` the oops ends the boot as a panic before any of this prints.) Powers off:
/// 0 when all of that holds, 1 otherwise.
fn oops_in_a_child() -> ! {
    let name = failure_paths::enabled_name().expect("the hook enabled a crash type");
    let before = invariants::counters();
    let reaped = match process::spawn("provoke", name, KERNEL_PID)
        .and_then(|pid| process::wait(Some(pid)))
    {
        Ok(reaped) => reaped,
        Err(errno) => {
            println!("test: could not run provoke {name}: {errno}");
            power::poweroff(ExitStatus::Fatal)
        }
    };
    let killed_by_oops = matches!(
        reaped.death,
        Death::Killed { cause: Cause::KernelOops { address, .. }, .. }
            if address == failure_paths::UNMAPPED_KERNEL_ADDRESS
    );
    println!(
        "test: {name}: provoke[{}] {}",
        reaped.pid,
        if killed_by_oops { "killed by the oops" } else { "was not killed by the oops" }
    );
    let dacr_now = crate::arch::mmu::read_dacr();
    let after_usertest = process::spawn("usertest", "", KERNEL_PID)
        .and_then(|pid| process::wait(Some(pid)))
        .map(|reaped| reaped.death);
    let after = invariants::counters();
    let broken = (after.entry_violations - before.entry_violations)
        + (after.window_leaks - before.window_leaks)
        + (after.switch_violations - before.switch_violations);
    println!(
        "test: {name}: kernel DACR {dacr_now:#04x} after the oops, usertest {:?}, {broken} DACR invariants broken",
        after_usertest
    );
    let passed = killed_by_oops
        && dacr_now == exception::kernel_dacr()
        && after_usertest == Ok(Death::Exited(0))
        && broken == 0;
    power::poweroff(if passed { ExitStatus::Success } else { ExitStatus::Failure })
}
