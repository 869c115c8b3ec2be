//! usertest's seccomp checks, through raw `seccomp` and `prctl` calls: every error in Linux's
//! order, each action (ERRNO, ENOSYS, LOG, TRAP with its siginfo, the kills), strict mode,
//! the chain's budget, and filters inherited by a spawned child. Seccomp cannot be undone, so
//! every scenario runs in a child of its own.

use super::{Checks, call};
use core::sync::atomic::{AtomicU32, Ordering};
use swpan_user::abi::seccomp::{
    self, AUDIT_ARCH_ARM, RET_ALLOW, RET_ERRNO, RET_KILL_PROCESS, RET_KILL_THREAD, RET_LOG,
    RET_TRACE, RET_TRAP, RET_USER_NOTIF, SockFilter, SockFprog, bpf, filter_flag, mode, operation,
};
use swpan_user::abi::signal::{SIG_BLOCK, SIG_IGN, SIGKILL, SIGSYS, SignalFrame, bit, code};
use swpan_user::abi::{ExitInfo, capability, map, prctl, protection, syscall as number};
use swpan_user::forbidden::KERNEL_DATA;
use swpan_user::signal as sig;
use swpan_user::syscall::{self, raw};
use swpan_user::{Errno, println};

const fn stmt(code: u16, k: u32) -> SockFilter {
    SockFilter::statement(code, k)
}

/// Returns `value` for every call.
const fn always(value: u32) -> [SockFilter; 1] {
    [stmt(bpf::RET | bpf::K, value)]
}

/// Returns `value` for call `nr`, ALLOW for the others.
const fn on(nr: u32, value: u32) -> [SockFilter; 4] {
    [
        stmt(bpf::LD | bpf::W | bpf::ABS, 0),
        SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, nr, 0, 1),
        stmt(bpf::RET | bpf::K, value),
        stmt(bpf::RET | bpf::K, RET_ALLOW),
    ]
}

fn fprog(program: &[SockFilter]) -> SockFprog {
    SockFprog { len: program.len() as u16, padding: 0, filter: program.as_ptr() as u32 }
}

/// `seccomp(SET_MODE_FILTER, flags, &fprog)`.
fn install_with(flags: u32, fprog: &SockFprog) -> Result<u32, Errno> {
    let pointer = core::ptr::from_ref(fprog).addr() as u32;
    call(number::SECCOMP, [operation::SET_MODE_FILTER, flags, pointer, 0, 0, 0])
}

fn install(program: &[SockFilter]) -> Result<u32, Errno> {
    install_with(0, &fprog(program))
}

fn seccomp_call(op: u32, flags: u32, argument: u32) -> Result<u32, Errno> {
    call(number::SECCOMP, [op, flags, argument, 0, 0, 0])
}

fn get_mode() -> Result<u32, Errno> {
    syscall::prctl(prctl::GET_SECCOMP, [0; 4])
}

fn no_new_privs() -> Result<u32, Errno> {
    syscall::prctl(prctl::SET_NO_NEW_PRIVS, [1, 0, 0, 0])
}

/// Call `nr` without arguments: the raw r0 that comes back.
fn raw0(nr: u32) -> u32 {
    // SAFETY: used for calls that take no pointer.
    unsafe { raw(nr, [0; 6]) }
}

/// getpid with `marker` in r0: the raw r0 that comes back.
fn getpid_raw(marker: u32) -> u32 {
    // SAFETY: getpid takes no pointer.
    unsafe { raw(number::GETPID, [marker, 0, 0, 0, 0, 0]) }
}

/// The children and how each must end: (argument, killed by this signal, or 0: exit 0).
const CHILDREN: [(&str, u32); 11] = [
    ("seccomp-errors", 0),
    ("seccomp-actions", 0),
    ("seccomp-budget", 0),
    ("seccomp-trap-handler", 0),
    ("seccomp-inherit", 0),
    ("seccomp-strict-exit", 0),
    ("seccomp-strict", SIGKILL),
    ("seccomp-kill-process", SIGSYS),
    ("seccomp-kill-thread", SIGSYS),
    ("seccomp-unknown", SIGSYS),
    ("seccomp-trap-forced", SIGSYS),
];

/// In the parent: runs every child and checks how it ended.
pub fn checks(checks: &mut Checks) {
    for (child, signal) in CHILDREN {
        let info = syscall::spawn("usertest", child).and_then(|pid| syscall::wait(Some(pid)));
        let ended = info.map(|info| (info.how, info.status));
        let expected = match signal {
            0 => (ExitInfo::EXITED, 0),
            signal => (ExitInfo::KILLED, signal as i32),
        };
        checks.expect(child, ended.map(|(how, status)| how * 1000 + status as u32), {
            Ok(expected.0 * 1000 + expected.1 as u32)
        });
    }
    checks.expect("seccomp: the parent keeps mode 0", get_mode(), Ok(0));
}

/// The child side: its exit status (the number of failed checks), or it dies as expected.
pub fn child(which: &str) -> i32 {
    let mut checks = Checks { passed: 0, failed: 0 };
    match which {
        "seccomp-errors" => errors(&mut checks),
        "seccomp-actions" => actions(&mut checks),
        "seccomp-budget" => budget(&mut checks),
        "seccomp-trap-handler" => trap_handler(&mut checks),
        "seccomp-inherit" => inherit(&mut checks),
        "seccomp-inherited" => {
            checks.expect("inherited mode", get_mode(), Ok(mode::FILTER));
            checks.expect("inherited filter", syscall::check(getpid_raw(0)), Err(Errno::E2BIG));
        }
        "seccomp-strict-exit" => {
            checks.expect("strict", seccomp_call(operation::SET_MODE_STRICT, 0, 0), Ok(0));
            // write is allowed; the failures so far are the status exit passes.
            let _ = syscall::write(1, b"usertest: strict mode, write allowed\n");
            syscall::exit(checks.failed as i32)
        }
        "seccomp-strict" => {
            let _ = syscall::prctl(prctl::SET_SECCOMP, [mode::STRICT, 0, 0, 0]);
            let _ = get_mode(); // prctl: not one of the four: SIGKILL.
            println!("usertest: FAIL strict mode let prctl run");
        }
        "seccomp-kill-process" => {
            let _ = no_new_privs();
            let _ = install(&on(number::GETPID, RET_KILL_PROCESS));
            // A KILL_THREAD filter added afterwards does not soften it.
            let _ = install(&on(number::GETPID, RET_KILL_THREAD));
            let _ = syscall::getpid();
            println!("usertest: FAIL KILL_PROCESS let getpid run");
        }
        "seccomp-kill-thread" => {
            let _ = no_new_privs();
            let _ = install(&always(RET_KILL_THREAD));
            println!("usertest: FAIL KILL_THREAD let write run");
        }
        "seccomp-unknown" => {
            let _ = no_new_privs();
            let _ = install(&on(number::GETPID, 0x1000_0000));
            let _ = syscall::getpid();
            println!("usertest: FAIL an unknown action let getpid run");
        }
        "seccomp-trap-forced" => {
            let _ = sig::set_disposition(SIGSYS, SIG_IGN);
            let _ = sig::sigprocmask(SIG_BLOCK, Some(bit(SIGSYS)));
            let _ = no_new_privs();
            let _ = install(&on(number::GETPID, RET_TRAP));
            let _ = syscall::getpid();
            println!("usertest: FAIL an ignored, blocked SIGSYS stopped TRAP");
        }
        other => {
            println!("usertest: unknown seccomp child '{other}'");
            return 2;
        }
    }
    if checks.failed > 0 {
        println!("usertest {which}: {} checks failed", checks.failed);
    }
    checks.failed as i32
}

/// Drops CAP_SYS_ADMIN from the effective set (kept permitted).
fn drop_sys_admin() -> Result<(), Errno> {
    let [effective, permitted, inheritable] = syscall::capget(0)?;
    syscall::capset(effective & !(1 << capability::SYS_ADMIN), permitted, inheritable)
}

fn errors(checks: &mut Checks) {
    use operation::*;
    let allow = always(RET_ALLOW);
    checks.expect("mode before", get_mode(), Ok(mode::DISABLED));
    checks.expect("operation 4", seccomp_call(4, 0, 0), Err(Errno::EINVAL));
    checks.expect("operation -1", seccomp_call(u32::MAX, 0, 0), Err(Errno::EINVAL));
    checks.expect("strict with flags", seccomp_call(SET_MODE_STRICT, 1, 0), Err(Errno::EINVAL));
    let pointer = core::ptr::from_ref(&allow).addr() as u32;
    checks.expect(
        "strict with uargs",
        seccomp_call(SET_MODE_STRICT, 0, pointer),
        Err(Errno::EINVAL),
    );
    checks.expect("flags -1", seccomp_call(SET_MODE_FILTER, u32::MAX, 0), Err(Errno::EINVAL));
    checks.expect("flag 1<<6, NULL", seccomp_call(SET_MODE_FILTER, 1 << 6, 0), Err(Errno::EINVAL));
    checks.expect("TSYNC+NEW_LISTENER", seccomp_call(SET_MODE_FILTER, 9, 0), Err(Errno::EINVAL));
    for flag in [0, 1, 2, 4, 8, 16, 1 | 2 | 4 | 16, 2 | 4 | 8] {
        checks.expect("filter NULL", seccomp_call(SET_MODE_FILTER, flag, 0), Err(Errno::EFAULT));
    }
    checks.expect(
        "fprog in the kernel",
        seccomp_call(SET_MODE_FILTER, 0, KERNEL_DATA),
        Err(Errno::EFAULT),
    );
    checks.expect(
        "prctl filter NULL",
        syscall::prctl(prctl::SET_SECCOMP, [2, 0, 0, 0]),
        Err(Errno::EFAULT),
    );
    checks.expect(
        "prctl mode 3",
        syscall::prctl(prctl::SET_SECCOMP, [3, 0, 0, 0]),
        Err(Errno::EINVAL),
    );

    // Without no_new_privs and without CAP_SYS_ADMIN: the length first, then EACCES.
    checks.expect("drop CAP_SYS_ADMIN", drop_sys_admin().map(|()| 0), Ok(0));
    let empty = SockFprog { len: 0, padding: 0, filter: pointer };
    checks.expect("len 0", install_with(0, &empty), Err(Errno::EINVAL));
    let too_long = SockFprog { len: 4097, padding: 0, filter: pointer };
    checks.expect("len 4097", install_with(0, &too_long), Err(Errno::EINVAL));
    let null_program = SockFprog { len: 1, padding: 0, filter: 0 };
    checks.expect("no NNP, no CAP_SYS_ADMIN", install_with(0, &null_program), Err(Errno::EACCES));
    checks.expect("no NNP: a valid filter", install(&allow), Err(Errno::EACCES));
    checks.expect("no_new_privs", no_new_privs(), Ok(0));
    checks.expect("NULL instructions", install_with(0, &null_program), Err(Errno::EINVAL));
    let kernel_program = SockFprog { len: 1, padding: 0, filter: KERNEL_DATA };
    checks.expect(
        "instructions in the kernel",
        install_with(0, &kernel_program),
        Err(Errno::EFAULT),
    );
    let out_of_range = [SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, 0, 1, 0), allow[0]];
    checks.expect("a jump out of range", install(&out_of_range), Err(Errno::EINVAL));
    let unaligned = [stmt(bpf::LD | bpf::W | bpf::ABS, 2), stmt(bpf::RET | bpf::A, 0)];
    checks.expect("an unaligned load", install(&unaligned), Err(Errno::EINVAL));
    let past_the_end = [stmt(bpf::LD | bpf::W | bpf::ABS, 64), stmt(bpf::RET | bpf::A, 0)];
    checks.expect("a load at 64", install(&past_the_end), Err(Errno::EINVAL));
    checks.expect(
        "scratch read first",
        install(&[stmt(bpf::LD | bpf::MEM, 0), allow[0]]),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "NEW_LISTENER: no listener",
        install_with(filter_flag::NEW_LISTENER, &fprog(&allow)),
        Err(Errno::EOPNOTSUPP),
    );

    for action in seccomp::ACTIONS {
        let address = core::ptr::from_ref(&action).addr() as u32;
        checks.expect("action available", seccomp_call(GET_ACTION_AVAIL, 0, address), Ok(0));
    }
    let unknown = 0x1000_0000u32;
    let address = core::ptr::from_ref(&unknown).addr() as u32;
    checks.expect("0x10000000", seccomp_call(GET_ACTION_AVAIL, 0, address), Err(Errno::EOPNOTSUPP));
    checks.expect("action NULL", seccomp_call(GET_ACTION_AVAIL, 0, 0), Err(Errno::EFAULT));
    checks.expect("action flags", seccomp_call(GET_ACTION_AVAIL, 1, address), Err(Errno::EINVAL));
    let mut sizes = [0u16; 3];
    let address = core::ptr::from_mut(&mut sizes).addr() as u32;
    checks.expect("notif sizes", seccomp_call(GET_NOTIF_SIZES, 0, address), Ok(0));
    checks.expect_true("notif sizes 80 24 64", sizes == [80, 24, 64]);
    checks.expect("notif sizes NULL", seccomp_call(GET_NOTIF_SIZES, 0, 0), Err(Errno::EFAULT));

    checks.expect("mode still 0", get_mode(), Ok(mode::DISABLED));
    checks.expect("TSYNC first", install_with(filter_flag::TSYNC, &fprog(&allow)), Ok(0));
    checks.expect("LOG + SPEC_ALLOW", install_with(2 | 4, &fprog(&allow)), Ok(0));
    checks.expect("mode after", get_mode(), Ok(mode::FILTER));
    let status = syscall::getstatus().map(|status| status.seccomp);
    checks.expect("status Seccomp:", status, Ok(mode::FILTER));
    checks.expect("filter to strict", seccomp_call(SET_MODE_STRICT, 0, 0), Err(Errno::EINVAL));
    checks.expect(
        "prctl to strict",
        syscall::prctl(prctl::SET_SECCOMP, [1, 0, 0, 0]),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "prctl: a filter",
        syscall::prctl(
            prctl::SET_SECCOMP,
            [2, core::ptr::from_ref(&fprog(&allow)).addr() as u32, 0, 0],
        ),
        Ok(0),
    );
}

fn actions(checks: &mut Checks) {
    checks.expect("no_new_privs", no_new_privs(), Ok(0));
    // ERRNO_order: 11, 13, 12 installed in that order: the newest of the tie wins.
    for errno in [11, 13, 12] {
        checks.expect("ERRNO filter", install(&on(number::GETPID, RET_ERRNO | errno)), Ok(0));
    }
    checks.expect("ERRNO order", syscall::check(getpid_raw(0)), Err(Errno::ENOMEM));
    checks.expect("capped", install(&on(number::GETUID32, RET_ERRNO | 4096)), Ok(0));
    checks.expect_true("ERRNO 4096 is -4095", raw0(number::GETUID32) == 4095u32.wrapping_neg());
    checks.expect("zero", install(&on(number::GETGID32, RET_ERRNO)), Ok(0));
    checks.expect_true("ERRNO 0 returns 0", raw0(number::GETGID32) == 0);
    checks.expect("TRACE", install(&on(number::GETEUID32, RET_TRACE | 3)), Ok(0));
    checks.expect_true("TRACE: ENOSYS", raw0(number::GETEUID32) == 38u32.wrapping_neg());
    checks.expect("USER_NOTIF", install(&on(number::GETEGID32, RET_USER_NOTIF)), Ok(0));
    checks.expect_true("USER_NOTIF: ENOSYS", raw0(number::GETEGID32) == 38u32.wrapping_neg());
    checks.expect("LOG", install(&on(number::SCHED_YIELD, RET_LOG)), Ok(0));
    syscall::sched_yield();
    // Only the low word of an argument is seen; the call must still run when arg0 differs.
    let on_fd_7 = [
        stmt(bpf::LD | bpf::W | bpf::ABS, 16),
        SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, 7, 0, 1),
        stmt(bpf::RET | bpf::K, RET_ERRNO | 22),
        stmt(bpf::RET | bpf::K, RET_ALLOW),
    ];
    checks.expect("argument filter", install(&on_fd_7), Ok(0));
    checks.expect("write fd 7", syscall::write(7, b"x").map(|n| n as u32), Err(Errno::EINVAL));
    checks.expect("write fd 3", syscall::write(3, b"x").map(|n| n as u32), Ok(1));
}

/// filter_chain_limits: a 1-instruction filter, then 4096-instruction ones: 7 fit, the 8th is
/// ENOMEM; filter_size_limits: 4097 instructions are EINVAL, 4096 fit.
fn budget(checks: &mut Checks) {
    let flags = map::PRIVATE | map::ANONYMOUS;
    let size = 4097 * SockFilter::SIZE;
    let Ok(address) = syscall::mmap(0, size, protection::READ | protection::WRITE, flags) else {
        checks.expect_true("mmap for 4097 instructions", false);
        return;
    };
    // SAFETY: the mapping is ours, `size` bytes, readable and writable, aligned to a page.
    let program = unsafe { core::slice::from_raw_parts_mut(address as *mut SockFilter, 4097) };
    program.fill(stmt(bpf::RET | bpf::K, RET_ALLOW));
    checks.expect("no_new_privs", no_new_privs(), Ok(0));
    checks.expect("4097 instructions", install(program), Err(Errno::EINVAL));
    checks.expect("1 instruction", install(&program[..1]), Ok(0));
    for _ in 0..7 {
        checks.expect("4096 instructions", install(&program[..4096]), Ok(0));
    }
    checks.expect("the 8th", install(&program[..4096]), Err(Errno::ENOMEM));
}

static TRAPS: AtomicU32 = AtomicU32::new(0);
static TRAP_INFO: [AtomicU32; 6] = [const { AtomicU32::new(0) }; 6];

extern "C" fn on_sigsys(number: u32, frame: *mut SignalFrame, _context: *mut u8) {
    // SAFETY: `frame` is the frame the kernel wrote for this handler.
    let seen = unsafe { sig::read_frame(frame) };
    TRAPS.fetch_add(1, Ordering::Relaxed);
    let words = [
        number,
        seen.errno as u32,
        seen.code as u32,
        seen.fields[0],
        seen.fields[1],
        seen.fields[2],
    ];
    for (slot, word) in TRAP_INFO.iter().zip(words) {
        slot.store(word, Ordering::Relaxed);
    }
}

/// TRAP with a handler: the siginfo is Linux's, and the call returns with r0 as it was.
fn trap_handler(checks: &mut Checks) {
    checks.expect("handler", sig::set_handler(SIGSYS, on_sigsys, 0, 0).map(|_| 0), Ok(0));
    checks.expect("no_new_privs", no_new_privs(), Ok(0));
    checks.expect("TRAP filter", install(&on(number::GETPID, RET_TRAP | 0x42)), Ok(0));
    let returned = getpid_raw(0x5555);
    checks.expect_true("one SIGSYS", TRAPS.load(Ordering::Relaxed) == 1);
    checks.expect_true("r0 rolled back", returned == 0x5555);
    let info = TRAP_INFO.each_ref().map(|slot| slot.load(Ordering::Relaxed));
    checks.expect_true("si_signo SIGSYS", info[0] == SIGSYS);
    checks.expect_true("si_errno is the data", info[1] == 0x42);
    checks.expect_true("si_code SYS_SECCOMP", info[2] == code::SYS_SECCOMP as u32);
    checks.expect_true("si_call_addr", info[3] != 0);
    checks.expect_true("si_syscall", info[4] == number::GETPID);
    checks.expect_true("si_arch", info[5] == AUDIT_ARCH_ARM);
    if checks.failed > 0 {
        println!("usertest: TRAP siginfo {info:x?}, r0 {returned:#x}");
    }
}

/// A spawned child starts with its parent's filters (and keeps them across its execve).
fn inherit(checks: &mut Checks) {
    checks.expect("no_new_privs", no_new_privs(), Ok(0));
    checks.expect("filter", install(&on(number::GETPID, RET_ERRNO | 7)), Ok(0));
    let info =
        syscall::spawn("usertest", "seccomp-inherited").and_then(|pid| syscall::wait(Some(pid)));
    let ended = info.map(|info| info.how * 1000 + info.status as u32);
    checks.expect("the child sees the filter", ended, Ok(0));
}
