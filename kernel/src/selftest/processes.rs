//! Self-tests of user processes: system calls from user mode, oopses that kill only their
//! process, faults in user mode, preemption.

use super::{Case, Test};
use crate::arch::{exception, mmu};
use crate::fault::FaultKind;
use crate::interrupts;
use crate::mm::{address_space, free_frames, heap};
use crate::process::{self, Cause, Death, KERNEL_PID, Reaped};
use swpan_abi::signal;

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "processes.syscalls_from_user_mode", run: syscalls_from_user_mode },
    Case { name: "processes.oops_kills_only_the_process", run: oops_kills_only_the_process },
    Case { name: "processes.user_faults_kill_with_a_signal", run: user_faults_kill_with_a_signal },
    Case {
        name: "processes.a_spinning_process_is_preempted_and_killed",
        run: preempted_and_killed,
    },
    Case { name: "processes.irqs_inside_windows", run: irqs_inside_windows },
    Case { name: "processes.kill_ends_a_blocked_reader", run: kill_ends_a_blocked_reader },
    Case { name: "processes.kill_ends_a_blocked_waiter", run: kill_ends_a_blocked_waiter },
    Case {
        name: "processes.kill_ends_a_process_that_never_ran",
        run: kill_ends_a_process_that_never_ran,
    },
    Case {
        name: "processes.kernel_stack_overflow_hits_the_guard",
        run: kernel_stack_overflow_hits_the_guard,
    },
    Case {
        name: "processes.new_code_reaches_the_instruction_side",
        run: new_code_reaches_the_instruction_side,
    },
];

/// Gives the CPU away until `pid` is blocked as `wait` says, any child standing for every
/// child (at most 50 ticks).
fn run_until_blocked(pid: process::Pid, wait: process::Wait) -> bool {
    let start = interrupts::ticks();
    while interrupts::ticks().wrapping_sub(start) < 50 {
        let state = process::census().into_iter().find(|(other, _, _)| *other == pid);
        let blocked = match state {
            Some((_, _, process::State::Blocked(process::Wait::Child(_)))) => {
                matches!(wait, process::Wait::Child(_))
            }
            Some((_, _, process::State::Blocked(blocked))) => blocked == wait,
            _ => false,
        };
        if blocked {
            return true;
        }
        process::yield_now();
    }
    false
}

/// The death of a process killed while it blocked: SIGKILL, from `kill`.
const KILLED: Death = Death::Killed { signal: signal::SIGKILL, cause: Cause::Signal };

fn kill_ends_a_blocked_reader(test: &mut Test) {
    let pid = match process::spawn("usertest", "read", KERNEL_PID) {
        Ok(pid) => pid,
        Err(errno) => return test.fail(format_args!("spawn: {errno}")),
    };
    test.check("the reader blocks", run_until_blocked(pid, process::Wait::ConsoleInput));
    test.check_eq("kill", process::kill(pid), Ok(()));
    // Without EINTR the reader would stay in the kernel for ever and this wait never return.
    match process::wait(Some(pid)) {
        Ok(reaped) => test.check_eq("the reader's end", reaped.death, KILLED),
        Err(errno) => test.fail(format_args!("wait: {errno}")),
    }
}

fn kill_ends_a_blocked_waiter(test: &mut Test) {
    let frames_before = free_frames();
    let waiter = match process::spawn("usertest", "waiter", KERNEL_PID) {
        Ok(pid) => pid,
        Err(errno) => return test.fail(format_args!("spawn: {errno}")),
    };
    test.check("the waiter blocks", run_until_blocked(waiter, process::Wait::Child(None)));
    let reader =
        process::census().into_iter().map(|(pid, _, _)| pid).find(|pid| *pid > waiter).unwrap_or(0);
    test.check("the waiter's child blocks", run_until_blocked(reader, process::Wait::ConsoleInput));
    test.check_eq("kill the waiter", process::kill(waiter), Ok(()));
    match process::wait(Some(waiter)) {
        Ok(reaped) => test.check_eq("the waiter's end", reaped.death, KILLED),
        Err(errno) => return test.fail(format_args!("wait: {errno}")),
    }
    // The reader is an orphan now: the kernel adopted it, so nobody may wait for it...
    test.check_eq(
        "wait for the orphan",
        process::wait(Some(reader)).map(|_| ()),
        Err(crate::errno::Errno::ECHILD),
    );
    // ...and once killed it is freed without a wait, its kernel stack included.
    test.check_eq("kill the orphan", process::kill(reader), Ok(()));
    let start = interrupts::ticks();
    while process::census().iter().any(|(pid, _, _)| *pid == reader)
        && interrupts::ticks().wrapping_sub(start) < 50
    {
        process::yield_now();
    }
    test.check("the orphan is freed", !process::census().iter().any(|(pid, _, _)| *pid == reader));
    // The CPU that took it out of the table may still be giving its frames back.
    let (start, frequency) = crate::arch::cpu::physical_count();
    while free_frames() != frames_before
        && crate::arch::cpu::physical_count().0 - start < u64::from(frequency)
    {
        process::yield_now();
    }
    test.check_eq("free frames after both", free_frames(), frames_before);
}

fn run_child(test: &mut Test, program: &str, argument: &str) -> Option<Reaped> {
    match process::spawn(program, argument, KERNEL_PID).and_then(|pid| process::wait(Some(pid))) {
        Ok(reaped) => Some(reaped),
        Err(errno) => {
            test.fail(format_args!("running {program} {argument}: {errno}"));
            None
        }
    }
}

fn syscalls_from_user_mode(test: &mut Test) {
    // usertest exits with its number of failed checks and prints each failure.
    if let Some(reaped) = run_child(test, "usertest", "") {
        test.check_eq("usertest's end", reaped.death, Death::Exited(0));
        // A check of execve that wrongly succeeded would end it as another program.
        test.check_eq("the program that ended", reaped.name, "usertest");
    }
}

fn oops_kills_only_the_process(test: &mut Test) {
    let pan = exception::pan_enabled();
    let pxn = address_space::privileged_execute_never();
    let name = if pan || !pxn { "ACCESS_USERSPACE" } else { "EXEC_USERSPACE" };
    let frames_before = free_frames();
    let heap_before = heap::used();
    for round in 0..2 {
        let Some(reaped) = run_child(test, "provoke", name) else { return };
        match reaped.death {
            Death::Killed { signal, cause: Cause::KernelOops { status, address, .. } }
                if pan || pxn =>
            {
                test.check_eq("signal", signal, swpan_abi::signal::SIGSEGV);
                let expected = if pan {
                    FaultKind::Domain(crate::fault::Level::Page)
                } else {
                    FaultKind::Permission(crate::fault::Level::Page)
                };
                test.check_eq("the fault that killed it", status.kind(), expected);
                test.check(
                    "the fault address is a user address",
                    (address as usize) < crate::memory_map::USER_END,
                );
            }
            Death::Exited(1) if !pan && !pxn => {
                test.check("the crash type ran to its end", reaped.lkdtm_survived.is_some());
            }
            other => test.fail(format_args!("round {round}: {name} ended with {other:?}")),
        }
    }
    // The kernel went on, and every frame and heap byte of the killed processes came back.
    test.check_eq("free frames after two killed processes", free_frames(), frames_before);
    test.check_eq("heap in use after two killed processes", heap::used(), heap_before);
}

fn user_faults_kill_with_a_signal(test: &mut Test) {
    if let Some(reaped) = run_child(test, "usertest", "touch-kernel") {
        match reaped.death {
            Death::Killed { signal, cause: Cause::UserFault { status, address, .. } } => {
                test.check_eq("signal", signal, signal::SIGSEGV);
                test.check("a permission fault", matches!(status.kind(), FaultKind::Permission(_)));
                test.check_eq("the address", address, 0x8010_0000);
            }
            other => test.fail(format_args!("touch-kernel ended with {other:?}")),
        }
    }
    if let Some(reaped) = run_child(test, "usertest", "undefined") {
        let killed_by_sigill = matches!(
            reaped.death,
            Death::Killed { signal: signal::SIGILL, cause: Cause::UndefinedInstruction { .. } }
        );
        test.check("an undefined instruction kills with SIGILL", killed_by_sigill);
    }
}

fn preempted_and_killed(test: &mut Test) {
    // Held on this CPU (CPU 0, the kernel job's), whatever other CPUs are online: the kernel
    // gives the CPU away, and only the timer's preemption of the spinning process can bring
    // it back here.
    let pid = match process::spawn_on("usertest", "spin", KERNEL_PID, Some(1)) {
        Ok(pid) => pid,
        Err(errno) => return test.fail(format_args!("spawn: {errno}")),
    };
    let start = interrupts::ticks();
    while interrupts::ticks().wrapping_sub(start) < 5 {
        process::yield_now();
    }
    test.check_eq("kill", process::kill(pid), Ok(()));
    match process::wait(Some(pid)) {
        Ok(reaped) => test.check_eq(
            "the spinner's end",
            reaped.death,
            Death::Killed { signal: signal::SIGKILL, cause: Cause::Signal },
        ),
        Err(errno) => test.fail(format_args!("wait: {errno}")),
    }
}

fn irqs_inside_windows(test: &mut Test) {
    // A 50 us tick against two processes copying 16 KiB at a time: interrupts land inside
    // copy windows. Each must be handled with the window closed and return to it open, and
    // every byte must come back.
    let before = crate::invariants::counters();
    interrupts::set_tick_period(50);
    // Both on this CPU, whose tick is the short one.
    let pids = [
        process::spawn_on("usertest", "copy 300", KERNEL_PID, Some(1)),
        process::spawn_on("usertest", "copy 300", KERNEL_PID, Some(1)),
    ];
    let mut ends = [None, None];
    for (index, pid) in pids.iter().enumerate() {
        match pid {
            Ok(pid) => ends[index] = process::wait(Some(*pid)).ok().map(|reaped| reaped.death),
            Err(errno) => test.fail(format_args!("spawn: {errno}")),
        }
    }
    interrupts::set_tick_period(interrupts::TICK_MICROSECONDS);
    for end in ends {
        test.check_eq("a copier's end (0: every round byte-exact)", end, Some(Death::Exited(0)));
    }
    let after = crate::invariants::counters();
    let inside = after.irqs_inside_windows - before.irqs_inside_windows;
    // Without PAN there is no window to land in: the DACR never changes.
    test.check(
        "interrupts landed inside windows",
        inside > 0 || !crate::arch::exception::pan_enabled(),
    );
    crate::println!("# processes.irqs_inside_windows: {inside} interrupts inside a window");
    test.check_eq("entries with the window open", after.entry_violations, before.entry_violations);
    test.check_eq("windows leaked to user mode", after.window_leaks, before.window_leaks);
    test.check_eq(
        "switches with the window open",
        after.switch_violations,
        before.switch_violations,
    );
}

/// The pages of `program`'s executable segments.
fn executable_pages(test: &mut Test, program: &str) -> u32 {
    let Some(image) = process::programs::find(program).map(|program| program.image) else {
        test.fail(format_args!("no program {program}"));
        return 0;
    };
    match process::loader::plan(image) {
        Ok(plan) => plan
            .segments
            .iter()
            .filter(|segment| segment.protection & swpan_abi::protection::EXEC != 0)
            .map(|segment| (segment.end - segment.start) / 4096)
            .sum(),
        Err(error) => {
            test.fail(format_args!("planning {program}: {error}"));
            0
        }
    }
}

/// Code written through the data side (the loader's copy, the zeros of an executable mmap in
/// a frame that may have held a dead process's code) must be cleaned to the point of
/// unification and the instruction caches invalidated before it runs. QEMU has no caches to
/// show a stale instruction, so this checks that the maintenance was asked for, page by
/// page, and nothing else: one call per executable page, on one whole page of the linear map.
fn new_code_reaches_the_instruction_side(test: &mut Test) {
    const CODE_PAGES: u32 = 3;
    let loaded = executable_pages(test, "usertest");
    test.check("usertest has executable pages", loaded > 0);
    let before = mmu::instruction_syncs();
    let argument = alloc::format!("map-code {CODE_PAGES}");
    if let Some(reaped) = run_child(test, "usertest", &argument) {
        test.check_eq("map-code's end", reaped.death, Death::Exited(0));
    }
    let after = mmu::instruction_syncs();
    let pages = loaded + CODE_PAGES;
    test.check_eq("calls: one per executable page", after.calls.wrapping_sub(before.calls), pages);
    test.check_eq(
        "bytes: whole executable pages, none of the data page",
        after.bytes.wrapping_sub(before.bytes),
        pages * 4096,
    );
    let (start, end) = after.last;
    test.check("the last range is one page", end.wrapping_sub(start) == 4096);
    test.check("the last range starts a page", start.is_multiple_of(4096));
    test.check(
        "the last range is RAM through the linear map",
        (crate::memory_map::RAM_BASE..crate::memory_map::RAM_END).contains(&(start as usize)),
    );
}

fn kernel_stack_overflow_hits_the_guard(test: &mut Test) {
    let overflows_before = crate::oops::stack_overflows();
    let frames_before = free_frames();
    let Some(reaped) = run_child(test, "provoke", "EXHAUST_STACK") else { return };
    match reaped.death {
        Death::Killed { signal, cause: Cause::KernelOops { status, address, .. } } => {
            test.check_eq("signal", signal, signal::SIGSEGV);
            // The nested abort's fault: the entry stub's push into the guard page below the
            // stack, a page translation fault in the vmalloc area.
            test.check_eq(
                "fault kind",
                status.kind(),
                FaultKind::Translation(crate::fault::Level::Page),
            );
            let vmalloc = crate::memory_map::VMALLOC_START..crate::memory_map::VMALLOC_END;
            test.check("the address is in the vmalloc area", vmalloc.contains(&(address as usize)));
        }
        other => test.fail(format_args!("EXHAUST_STACK ended with {other:?}")),
    }
    test.check_eq("stack overflows reported", crate::oops::stack_overflows(), overflows_before + 1);
    // The guard kept the overflow inside the stack's own pages: everything came back.
    test.check_eq("free frames after the overflow", free_frames(), frames_before);
}

fn kill_ends_a_process_that_never_ran(test: &mut Test) {
    let frames_before = free_frames();
    // `true` exits with 0 at its first instruction: killed before it runs, it must not. On
    // this CPU only, which runs this test: no other CPU can start it first.
    let pid = match process::spawn_on("true", "", KERNEL_PID, Some(1)) {
        Ok(pid) => pid,
        Err(errno) => return test.fail(format_args!("spawn: {errno}")),
    };
    test.check_eq("kill", process::kill(pid), Ok(()));
    test.check_eq("a second kill", process::kill(pid), Err(crate::errno::Errno::ESRCH));
    match process::wait(Some(pid)) {
        Ok(reaped) => test.check_eq("its end", reaped.death, KILLED),
        Err(errno) => test.fail(format_args!("wait: {errno}")),
    }
    test.check_eq("free frames after it", free_frames(), frames_before);
}
