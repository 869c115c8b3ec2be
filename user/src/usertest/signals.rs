//! usertest's signal checks: `kill` and process groups, `rt_sigaction` and `rt_sigprocmask`
//! with good and bad pointers, handlers for `kill`, faults and undefined instructions, and
//! children that must die with SIGSEGV: a forged `rt_sigreturn` frame asking for SVC mode, a
//! frame half unmapped, a signal stack below the mapped region.

use super::{Checks, call};
use core::sync::atomic::{AtomicU32, Ordering};
use swpan_user::abi::signal::{
    self, SIG_BLOCK, SIG_DFL, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK, SIGKILL, SIGSEGV, SIGSTOP,
    SIGTERM, SIGUSR1, SIGUSR2, SigAction, SignalFrame, bit, code,
};
use swpan_user::abi::{ExitInfo, map, protection, syscall as number};
use swpan_user::forbidden::{DEVICE, KERNEL_DATA, KERNEL_TEXT, USER_END};
use swpan_user::signal as sig;
use swpan_user::syscall;
use swpan_user::{Errno, println};

/// Handler runs so far, and what the last one saw.
static RUNS: AtomicU32 = AtomicU32::new(0);
static LAST_SIGNAL: AtomicU32 = AtomicU32::new(0);
static LAST_CODE: AtomicU32 = AtomicU32::new(0);
static LAST_FIRST: AtomicU32 = AtomicU32::new(0);
static LAST_PC: AtomicU32 = AtomicU32::new(0);
static LAST_MASK: AtomicU32 = AtomicU32::new(0);

/// Records what it received; for a fault, resumes after the faulting instruction (ARM
/// state: 4 bytes) by changing the saved PC that `rt_sigreturn` restores.
extern "C" fn record(number: u32, frame: *mut SignalFrame, _context: *mut u8) {
    // SAFETY: `frame` is the frame the kernel wrote for this handler.
    let seen = unsafe { sig::read_frame(frame) };
    RUNS.fetch_add(1, Ordering::Relaxed);
    LAST_SIGNAL.store(number, Ordering::Relaxed);
    LAST_CODE.store(seen.code as u32, Ordering::Relaxed);
    LAST_FIRST.store(seen.fields[0], Ordering::Relaxed);
    LAST_PC.store(seen.pc, Ordering::Relaxed);
    let blocked = sig::sigprocmask(SIG_BLOCK, None).unwrap_or(0);
    LAST_MASK.store(blocked as u32, Ordering::Relaxed);
    if number != SIGUSR1 && number != SIGUSR2 {
        // SAFETY: the frame is this process's own stack memory, read back by rt_sigreturn.
        unsafe { (*frame).pc = seen.pc + 4 };
    }
}

/// Pointers `rt_sigaction` and `rt_sigprocmask` must refuse with EFAULT (NULL means "none").
fn bad_addresses(hole: u32) -> [(&'static str, u32); 5] {
    [
        ("an unmapped page", hole),
        ("kernel text", KERNEL_TEXT),
        ("kernel data", KERNEL_DATA),
        ("a device", DEVICE),
        ("the top of the user half", USER_END - 4),
    ]
}

/// Every check, in the parent usertest.
pub fn checks(checks: &mut Checks) {
    // A page mapped, and the hole after it.
    let flags = map::PRIVATE | map::ANONYMOUS;
    let Ok(pages) = syscall::mmap(0, 2 * 4096, protection::READ | protection::WRITE, flags) else {
        checks.expect_true("mmap for the signal checks", false);
        return;
    };
    let hole = pages + 4096;
    checks.expect("munmap for the signal checks", syscall::munmap(hole, 4096).map(|()| 0), Ok(0));
    actions(checks, hole);
    masks(checks, hole);
    kill_and_groups(checks);
    handlers(checks);
    children(checks);
}

fn actions(checks: &mut Checks, hole: u32) {
    let action_call = |signal: u32, new: u32, old: u32, size: u32| {
        call(number::RT_SIGACTION, [signal, new, old, size, 0, 0])
    };
    let good = SigAction { handler: SIG_IGN, ..SigAction::default() };
    let good_address = core::ptr::from_ref(&good).addr() as u32;
    let mut old = SigAction::default();
    let old_address = core::ptr::from_mut(&mut old).addr() as u32;
    for (what, address) in bad_addresses(hole) {
        checks.expect(what, action_call(SIGUSR1, address, 0, 8), Err(Errno::EFAULT));
        checks.expect(what, action_call(SIGUSR1, 0, address, 8), Err(Errno::EFAULT));
    }
    checks.expect("sigaction signal 0", action_call(0, 0, old_address, 8), Err(Errno::EINVAL));
    checks.expect("sigaction signal 65", action_call(65, 0, old_address, 8), Err(Errno::EINVAL));
    checks.expect("sigaction size 4", action_call(SIGUSR1, 0, old_address, 4), Err(Errno::EINVAL));
    checks.expect(
        "sigaction SIGKILL",
        action_call(SIGKILL, good_address, 0, 8),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "sigaction SIGSTOP",
        action_call(SIGSTOP, good_address, 0, 8),
        Err(Errno::EINVAL),
    );
    checks.expect("sigaction query SIGKILL", action_call(SIGKILL, 0, old_address, 8), Ok(0));
    let no_restorer = SigAction { handler: record as *const () as u32, ..SigAction::default() };
    checks.expect_true(
        "sigaction handler without SA_RESTORER",
        sig::sigaction(SIGUSR1, Some(&no_restorer)) == Err(Errno::EINVAL),
    );
    checks.expect_true(
        "sigaction round trip",
        sig::set_disposition(SIGUSR1, SIG_IGN).is_ok()
            && sig::sigaction(SIGUSR1, None).map(|action| action.handler) == Ok(SIG_IGN)
            && sig::set_disposition(SIGUSR1, SIG_DFL).map(|old| old.handler) == Ok(SIG_IGN),
    );
}

fn masks(checks: &mut Checks, hole: u32) {
    let mask_call = |how: u32, new: u32, old: u32, size: u32| {
        call(number::RT_SIGPROCMASK, [how, new, old, size, 0, 0])
    };
    let set = 0u64;
    let set_address = core::ptr::from_ref(&set).addr() as u32;
    for (what, address) in bad_addresses(hole) {
        checks.expect(what, mask_call(SIG_BLOCK, address, 0, 8), Err(Errno::EFAULT));
        checks.expect(what, mask_call(SIG_BLOCK, 0, address, 8), Err(Errno::EFAULT));
    }
    checks.expect("sigprocmask how 3", mask_call(3, set_address, 0, 8), Err(Errno::EINVAL));
    checks.expect(
        "sigprocmask size 16",
        mask_call(SIG_BLOCK, set_address, 0, 16),
        Err(Errno::EINVAL),
    );
    let before = sig::sigprocmask(SIG_SETMASK, Some(u64::MAX));
    let all = sig::sigprocmask(SIG_SETMASK, Some(0));
    checks.expect_true("sigprocmask starts empty", before == Ok(0));
    checks.expect_true(
        "SIGKILL and SIGSTOP cannot be blocked",
        all == Ok(!(bit(SIGKILL) | bit(SIGSTOP))),
    );
}

fn kill_and_groups(checks: &mut Checks) {
    let me = syscall::getpid();
    checks.expect("kill signal 65", call(number::KILL, [me, 65, 0, 0, 0, 0]), Err(Errno::EINVAL));
    checks.expect("kill signal 0", call(number::KILL, [me, 0, 0, 0, 0, 0]), Ok(0));
    checks.expect(
        "kill no such pid",
        call(number::KILL, [0x7FFF_FFFF, 0, 0, 0, 0, 0]),
        Err(Errno::ESRCH),
    );
    checks.expect("kill the kernel", call(number::KILL, [0, 0, 0, 0, 0, 0]).map(|_| 0), Ok(0));
    checks.expect(
        "kill no such group",
        call(number::KILL, [(-0x7FFF_FFF0i32) as u32, 0, 0, 0, 0, 0]),
        Err(Errno::ESRCH),
    );
    checks.expect("getpgid no such pid", sig::getpgid(0x7FFF_FFFF), Err(Errno::ESRCH));
    checks.expect("getpgid self", sig::getpgid(0), sig::getpgid(me));
    checks.expect("setpgid own group", sig::setpgid(0, 0).and_then(|()| sig::getpgid(0)), Ok(me));
    checks.expect(
        "setpgid no such pid",
        sig::setpgid(0x7FFF_FFFF, 0).map(|()| 0),
        Err(Errno::ESRCH),
    );
    checks.expect(
        "setpgid no such group",
        sig::setpgid(0, 0x7FFF_FFF0).map(|()| 0),
        Err(Errno::EPERM),
    );
    checks.expect("setpgid negative", sig::setpgid(0, u32::MAX).map(|()| 0), Err(Errno::EINVAL));
    // A child in a group of its own, ended through its group.
    let child = syscall::spawn("usertest", "spin");
    if let Ok(child) = child {
        checks.expect("child joins the parent's group", sig::getpgid(child), Ok(me));
        checks.expect("setpgid child", sig::setpgid(child, child).map(|()| 0), Ok(0));
        checks.expect(
            "kill -group",
            syscall::kill(0u32.wrapping_sub(child), SIGUSR2).map(|()| 0),
            Ok(0),
        );
        expect_killed(checks, "kill -group", syscall::wait(Some(child)), SIGUSR2);
    } else {
        checks.expect("spawn spinner", child, Ok(0));
    }
}

/// Checks that a child was killed by `signal` from user mode: not by a kernel oops (a forged
/// frame the kernel accepted would run in SVC mode, and end in an oops, with SIGSEGV too).
fn expect_killed(checks: &mut Checks, what: &str, info: Result<ExitInfo, Errno>, signal: u32) {
    let killed = info.map(|info| (info.how, info.status, info.by_oops));
    let expected = Ok((ExitInfo::KILLED, signal as i32, 0));
    checks.expect_true(what, killed == expected);
    if killed != expected {
        println!("usertest: {what}: {killed:?}");
    }
}

fn handlers(checks: &mut Checks) {
    let me = syscall::getpid();
    let runs = || RUNS.load(Ordering::Relaxed);
    // kill to itself: the handler runs on the way back from kill, with the signal blocked.
    let _ = sig::set_handler(SIGUSR1, record, 0, bit(SIGUSR2));
    let before = runs();
    checks.expect("kill self SIGUSR1", syscall::kill(me, SIGUSR1).map(|()| 0), Ok(0));
    checks.expect("handler ran", Ok(runs() - before), Ok(1));
    checks.expect("handler signal", Ok(LAST_SIGNAL.load(Ordering::Relaxed)), Ok(SIGUSR1));
    checks.expect(
        "si_code SI_USER",
        Ok(LAST_CODE.load(Ordering::Relaxed)),
        Ok(code::SI_USER as u32),
    );
    checks.expect("si_pid", Ok(LAST_FIRST.load(Ordering::Relaxed)), Ok(me));
    checks.expect(
        "blocked in the handler",
        Ok(LAST_MASK.load(Ordering::Relaxed)),
        Ok((bit(SIGUSR1) | bit(SIGUSR2)) as u32),
    );
    checks.expect(
        "mask restored by rt_sigreturn",
        sig::sigprocmask(SIG_BLOCK, None).map(|m| m as u32),
        Ok(0),
    );
    // Blocked: pending until unblocked, then delivered on the way back from rt_sigprocmask.
    let _ = sig::sigprocmask(SIG_BLOCK, Some(bit(SIGUSR1)));
    let before = runs();
    let _ = syscall::kill(me, SIGUSR1);
    checks.expect("blocked signal waits", Ok(runs() - before), Ok(0));
    let _ = sig::sigprocmask(SIG_UNBLOCK, Some(bit(SIGUSR1)));
    checks.expect("unblocked signal delivered", Ok(runs() - before), Ok(1));
    let _ = sig::set_disposition(SIGUSR1, SIG_DFL);

    // Faults: SIGSEGV with SEGV_MAPERR / SEGV_ACCERR and the address, SIGILL with ILL_ILLOPC.
    let _ = sig::set_handler(SIGSEGV, record, 0, 0);
    let _ = sig::set_handler(signal::SIGILL, record, 0, 0);
    let read_only =
        syscall::mmap(0, 4096, protection::READ, map::PRIVATE | map::ANONYMOUS).unwrap_or(0);
    for (what, address, write, expected) in [
        ("SIGSEGV unmapped", 0x10u32, false, code::SEGV_MAPERR),
        ("SIGSEGV kernel", KERNEL_DATA, false, code::SEGV_ACCERR),
        ("SIGSEGV read-only", read_only, true, code::SEGV_ACCERR),
    ] {
        let before = runs();
        fault_at(address, write);
        checks.expect(what, Ok(runs() - before), Ok(1));
        checks.expect(what, Ok(LAST_SIGNAL.load(Ordering::Relaxed)), Ok(SIGSEGV));
        checks.expect(what, Ok(LAST_CODE.load(Ordering::Relaxed)), Ok(expected as u32));
        checks.expect(what, Ok(LAST_FIRST.load(Ordering::Relaxed)), Ok(address));
    }
    let before = runs();
    // SAFETY: raises an undefined-instruction exception; the handler skips it.
    unsafe { core::arch::asm!("udf #0x12", options(nostack)) };
    checks.expect("SIGILL", Ok(runs() - before), Ok(1));
    checks.expect("SIGILL signal", Ok(LAST_SIGNAL.load(Ordering::Relaxed)), Ok(signal::SIGILL));
    checks.expect("ILL_ILLOPC", Ok(LAST_CODE.load(Ordering::Relaxed)), Ok(code::ILL_ILLOPC as u32));
    checks.expect(
        "si_addr is the PC",
        Ok(LAST_FIRST.load(Ordering::Relaxed)),
        Ok(LAST_PC.load(Ordering::Relaxed)),
    );
    let _ = sig::set_disposition(SIGSEGV, SIG_DFL);
    let _ = sig::set_disposition(signal::SIGILL, SIG_DFL);
}

/// One load (or store) at `address`, a single ARM instruction the handler can skip.
#[inline(never)]
fn fault_at(address: u32, write: bool) {
    if write {
        // SAFETY: faults on purpose; the SIGSEGV handler resumes after the store.
        unsafe { core::arch::asm!("str {0}, [{0}]", in(reg) address, options(nostack)) };
    } else {
        // SAFETY: faults on purpose; the SIGSEGV handler resumes after the load.
        unsafe { core::arch::asm!("ldr {0}, [{0}]", inout(reg) address => _, options(nostack)) };
    }
}

/// Children that must end with a given signal.
fn children(checks: &mut Checks) {
    for (mode, signal) in [
        ("signal-term", SIGTERM),
        ("signal-ignored", 0),
        ("signal-forged-frame", SIGSEGV),
        ("signal-half-frame", SIGSEGV),
        ("signal-bad-stack", SIGSEGV),
        ("signal-misaligned-frame", SIGSEGV),
    ] {
        let info = syscall::spawn("usertest", mode).and_then(|pid| syscall::wait(Some(pid)));
        if signal == 0 {
            checks.expect(mode, info.map(|info| (info.how * 1000) + info.status as u32), Ok(0));
        } else {
            expect_killed(checks, mode, info, signal);
        }
    }
}

/// A frame for `rt_sigreturn`, 8-byte aligned as the kernel requires.
#[repr(C, align(8))]
struct AlignedFrame(SignalFrame);

/// Where a frame `rt_sigreturn` wrongly accepted would resume: says so and exits 0, which the
/// parent counts as a failure.
extern "C" fn landing() -> ! {
    println!("usertest: FAIL rt_sigreturn accepted a frame it must refuse");
    syscall::exit(0)
}

/// Calls `rt_sigreturn` with SP at `frame`. Never returns: the kernel restores the frame or
/// kills the process.
fn sigreturn_at(frame: u32) -> ! {
    // SAFETY: SP moves to the frame for rt_sigreturn, which never returns here.
    unsafe {
        core::arch::asm!(
            "mov sp, {frame}",
            "mov r7, #{number}",
            "svc #0",
            "udf #0",
            frame = in(reg) frame,
            number = const number::RT_SIGRETURN,
            options(noreturn),
        )
    }
}

/// The User mode CPSR every process runs with (FIQs masked).
const USER_CPSR: u32 = 0x10 | 1 << 6;
/// SVC mode, the kernel's.
const SVC_CPSR: u32 = 0x13 | 1 << 6;

/// The child side: returns its exit status, or dies as the parent expects.
pub fn child(mode: &str) -> i32 {
    match mode {
        "signal-term" => {
            let _ = syscall::kill(syscall::getpid(), SIGTERM);
            println!("usertest: SIGTERM did not end the process");
            0
        }
        "signal-ignored" => {
            // SIGCHLD is ignored by default; SIGTERM once ignored.
            let _ = sig::set_disposition(SIGTERM, SIG_IGN);
            let sent = syscall::kill(syscall::getpid(), signal::SIGCHLD)
                .and_then(|()| syscall::kill(syscall::getpid(), SIGTERM));
            i32::from(sent.is_err())
        }
        "signal-forged-frame" => {
            // The attack: a frame whose CPSR asks for SVC mode, with PC at code of our own. A
            // kernel that restored it would run this address in the kernel's mode.
            let mut frame = AlignedFrame(SignalFrame::empty());
            frame.0.cpsr = SVC_CPSR;
            frame.0.pc = landing as *const () as u32;
            frame.0.sp = USER_END - 4096;
            sigreturn_at(core::ptr::from_mut(&mut frame).addr() as u32)
        }
        "signal-misaligned-frame" => {
            let mut frame =
                [AlignedFrame(SignalFrame::empty()), AlignedFrame(SignalFrame::empty())];
            frame[0].0.cpsr = USER_CPSR;
            frame[0].0.pc = landing as *const () as u32;
            sigreturn_at(core::ptr::from_mut(&mut frame).addr() as u32 + 4)
        }
        "signal-half-frame" => {
            // A valid frame whose second half lies on an unmapped page.
            let flags = map::PRIVATE | map::ANONYMOUS;
            let Ok(pages) = syscall::mmap(0, 2 * 4096, protection::READ | protection::WRITE, flags)
            else {
                return 3;
            };
            let _ = syscall::munmap(pages + 4096, 4096);
            let address = pages + 4096 - 440;
            let mut frame = SignalFrame::empty();
            frame.cpsr = USER_CPSR;
            frame.pc = landing as *const () as u32;
            frame.sp = USER_END - 4096;
            let bytes = sig::frame_bytes(&frame);
            // SAFETY: the first 440 bytes at `address` are in the mapped page.
            unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), address as *mut u8, 440) };
            sigreturn_at(address)
        }
        "signal-bad-stack" => {
            // A handler, and SP below the stack's mapped pages when the signal comes.
            let _ = sig::set_handler(SIGUSR1, record, 0, 0);
            let below_stack = USER_END - 16 * 4096 - 64;
            // SAFETY: kill(self, SIGUSR1) with SP moved: the kernel cannot write the frame
            // and kills the process; were it to return, SP is restored first.
            unsafe {
                core::arch::asm!(
                    "mov r8, sp",
                    "mov sp, {below}",
                    "svc #0",
                    "mov sp, r8",
                    below = in(reg) below_stack,
                    inout("r0") syscall::getpid() => _,
                    in("r1") SIGUSR1,
                    in("r7") number::KILL,
                    out("r8") _,
                )
            };
            println!("usertest: FAIL the signal frame went below the stack");
            0
        }
        other => {
            println!("usertest: unknown argument '{other}'");
            2
        }
    }
}
