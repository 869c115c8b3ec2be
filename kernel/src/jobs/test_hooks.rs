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
        Some(TestHook::WindowPerCpu) => a_window_is_one_cpus_alone(),
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

/// A process held on CPU 1 copies 16 KiB rounds through the loopback device (its window open
/// for most of each round) with CPU 1's tick shortened so that interrupts land inside its
/// windows, while CPU 0 maps the same process's user half and reads its stack page, again and
/// again, taking its own ticks between reads. Every read on CPU 0 must be a domain fault:
/// CPU 0's DACR keeps the user domain closed whatever CPU 1's says.
#[inline(never)]
fn a_window_is_one_cpus_alone() {
    const READS: u32 = 20_000;
    const SHORT_TICK_MICROSECONDS: u32 = 50;
    if process::affinity::online_cpus() & 0b10 == 0 {
        println!("window: needs CPU 1 online");
        return;
    }
    let pid = process::spawn_on("usertest", "copy 1000000", KERNEL_PID, Some(0b10))
        .expect("the copying process");
    while !process::with_process(pid, |copier| copier.has_run()).unwrap_or(true) {
        process::yield_now();
    }
    fn set_tick_here(microseconds: u32) -> (u32, u32) {
        crate::interrupts::set_tick_period(microseconds);
        (0, 0)
    }
    let set_tick = |microseconds: u32| crate::interrupts::call_on(1, set_tick_here, microseconds);
    let _ = set_tick(SHORT_TICK_MICROSECONDS);
    let before = invariants::counters_on(1);
    let address = process::USER_STACK_TOP - 4;
    let (mut reads, mut domain_faults, mut other_faults) = (0u32, 0u32, 0u32);
    let activated = process::with_process(pid, |copier| match copier.space() {
        Some(space) => {
            // SAFETY: the copier's space stays in the table until it is collected, which is
            // after `deactivate` below; this CPU only reads through it.
            unsafe { space.activate() };
            true
        }
        None => false,
    });
    if activated == Ok(true) {
        for _ in 0..READS {
            // SAFETY: a word-aligned address of the copier's mapped stack page; a read of RAM
            // has no side effect; IRQs are masked here (the kernel's job runs masked).
            match unsafe { crate::arch::probe::read(address) } {
                Ok(_) => reads += 1,
                Err(dfsr)
                    if matches!(
                        crate::fault::FaultStatus::data(dfsr).kind(),
                        crate::fault::FaultKind::Domain(_)
                    ) =>
                {
                    domain_faults += 1
                }
                Err(_) => other_faults += 1,
            }
            // This CPU's own ticks arrive in the gap.
            // SAFETY: no lock is held, and the vectors are installed.
            unsafe { crate::arch::cpu::unmask_irqs() };
            let _ = crate::arch::cpu::mask_irqs();
        }
    }
    mm::address_space::deactivate();
    let inside = invariants::counters_on(1).irqs_inside_windows - before.irqs_inside_windows;
    let _ = set_tick(crate::interrupts::TICK_MICROSECONDS);
    let _ = process::kill(pid);
    let _ = process::wait(Some(pid));
    println!("window: CPU 1 copied with its window open ({inside} interrupts landed inside it)");
    println!(
        "window: CPU 0 read the same user page {READS} times: {domain_faults} domain faults, \
         {reads} reads, {other_faults} other faults"
    );
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
