//! `seccomp_bpf`: the cases of Linux's tools/testing/selftests/seccomp/seccomp_bpf.c that
//! apply to a single-threaded process without ptrace or a notifier, with their logic and
//! names, reported in KTAP version 1:
//!
//! ```text
//! KTAP version 1
//! 1..N
//! ok 1 global.mode_strict_support
//! # global.KILL_one: exited with status 0, expected death by signal 31 (SIGSYS)
//! not ok 16 global.KILL_one
//! ```
//!
//! Each case runs in its own child (`seccomp_bpf CASE`), since seccomp cannot be undone: the
//! parent judges how the child ended, a clean exit for an ordinary case, death by the
//! expected signal for a `TEST_SIGNAL` one. Inside the child a failed expectation prints a
//! `# ` line and makes the exit status 1. Exit status 0 when every case passed.
//!
//! What swpan has not, the cases replace: `getppid` ("this call still works") becomes
//! `sched_yield`, `times` with a pointer becomes `getpid` with the same pointer as its
//! argument, and the file mapping of `/dev/zero` an anonymous `mmap2`. With one thread,
//! `KILL_THREAD` ends the process, so `KILL_thread` expects SIGSYS where Linux's threaded
//! version expects the survivor's exit 42.

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};
use swpan_user::abi::seccomp::{
    self as abi, AUDIT_ARCH_ARM, SockFilter, SockFprog, bpf, filter_flag, mode, operation,
};
use swpan_user::abi::signal::{self, SIG_IGN, SIG_UNBLOCK, SIGKILL, SIGSYS, SignalFrame};
use swpan_user::abi::{ExitInfo, map, prctl, protection, syscall as number};
use swpan_user::println;
use swpan_user::signal as sig;
use swpan_user::syscall::{self, raw};

swpan_user::main!(run);

/// How a case must end.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A clean exit with status 0.
    Pass,
    /// Death by this signal (`TEST_SIGNAL`).
    Signal(u32),
}

/// One case: Linux's name (fixture `global` for a plain `TEST`), how it must end, its body.
struct Case {
    name: &'static str,
    expect: Expect,
    body: fn(&mut Check),
}

const SIGSYS_DEATH: Expect = Expect::Signal(SIGSYS);

const CASES: &[Case] = &[
    Case { name: "global.mode_strict_support", expect: Expect::Pass, body: mode_strict_support },
    Case {
        name: "global.mode_strict_cannot_call_prctl",
        expect: Expect::Signal(SIGKILL),
        body: mode_strict_cannot_call_prctl,
    },
    Case { name: "global.no_new_privs_support", expect: Expect::Pass, body: no_new_privs_support },
    Case { name: "global.mode_filter_support", expect: Expect::Pass, body: mode_filter_support },
    Case {
        name: "global.mode_filter_without_nnp",
        expect: Expect::Pass,
        body: mode_filter_without_nnp,
    },
    Case { name: "global.filter_size_limits", expect: Expect::Pass, body: filter_size_limits },
    Case { name: "global.filter_chain_limits", expect: Expect::Pass, body: filter_chain_limits },
    Case {
        name: "global.mode_filter_cannot_move_to_strict",
        expect: Expect::Pass,
        body: mode_filter_cannot_move_to_strict,
    },
    Case {
        name: "global.mode_filter_get_seccomp",
        expect: Expect::Pass,
        body: mode_filter_get_seccomp,
    },
    Case { name: "global.ALLOW_all", expect: Expect::Pass, body: allow_all },
    Case { name: "global.empty_prog", expect: Expect::Pass, body: empty_prog },
    Case { name: "global.log_all", expect: Expect::Pass, body: log_all },
    Case {
        name: "global.unknown_ret_is_kill_inside",
        expect: SIGSYS_DEATH,
        body: unknown_ret_is_kill_inside,
    },
    Case {
        name: "global.unknown_ret_is_kill_above_allow",
        expect: SIGSYS_DEATH,
        body: unknown_ret_is_kill_above_allow,
    },
    Case { name: "global.KILL_all", expect: SIGSYS_DEATH, body: kill_all },
    Case { name: "global.KILL_one", expect: SIGSYS_DEATH, body: kill_one },
    Case { name: "global.KILL_one_arg_one", expect: SIGSYS_DEATH, body: kill_one_arg_one },
    Case { name: "global.KILL_one_arg_six", expect: SIGSYS_DEATH, body: kill_one_arg_six },
    Case { name: "global.KILL_thread", expect: SIGSYS_DEATH, body: kill_thread },
    Case { name: "global.KILL_process", expect: SIGSYS_DEATH, body: kill_process },
    Case { name: "global.KILL_unknown", expect: SIGSYS_DEATH, body: kill_unknown },
    Case { name: "global.arg_out_of_range", expect: Expect::Pass, body: arg_out_of_range },
    Case { name: "global.ERRNO_valid", expect: Expect::Pass, body: errno_valid },
    Case { name: "global.ERRNO_zero", expect: Expect::Pass, body: errno_zero },
    Case { name: "global.ERRNO_capped", expect: Expect::Pass, body: errno_capped },
    Case { name: "global.ERRNO_order", expect: Expect::Pass, body: errno_order },
    Case { name: "TRAP.dfl", expect: SIGSYS_DEATH, body: trap_dfl },
    Case { name: "TRAP.ign", expect: SIGSYS_DEATH, body: trap_ign },
    Case { name: "TRAP.handler", expect: Expect::Pass, body: trap_handler },
    Case { name: "precedence.allow_ok", expect: Expect::Pass, body: precedence_allow_ok },
    Case {
        name: "precedence.kill_is_highest",
        expect: SIGSYS_DEATH,
        body: precedence_kill_is_highest,
    },
    Case {
        name: "precedence.kill_is_highest_in_any_order",
        expect: SIGSYS_DEATH,
        body: precedence_kill_is_highest_in_any_order,
    },
    Case {
        name: "precedence.trap_is_second",
        expect: SIGSYS_DEATH,
        body: precedence_trap_is_second,
    },
    Case {
        name: "precedence.trap_is_second_in_any_order",
        expect: SIGSYS_DEATH,
        body: precedence_trap_is_second_in_any_order,
    },
    Case {
        name: "precedence.errno_is_third",
        expect: Expect::Pass,
        body: precedence_errno_is_third,
    },
    Case {
        name: "precedence.errno_is_third_in_any_order",
        expect: Expect::Pass,
        body: precedence_errno_is_third_in_any_order,
    },
    Case {
        name: "precedence.trace_is_fourth",
        expect: Expect::Pass,
        body: precedence_trace_is_fourth,
    },
    Case {
        name: "precedence.trace_is_fourth_in_any_order",
        expect: Expect::Pass,
        body: precedence_trace_is_fourth_in_any_order,
    },
    Case { name: "precedence.log_is_fifth", expect: Expect::Pass, body: precedence_log_is_fifth },
    Case {
        name: "precedence.log_is_fifth_in_any_order",
        expect: Expect::Pass,
        body: precedence_log_is_fifth_in_any_order,
    },
    Case { name: "global.seccomp_syscall", expect: Expect::Pass, body: seccomp_syscall },
    Case {
        name: "global.seccomp_syscall_mode_lock",
        expect: Expect::Pass,
        body: seccomp_syscall_mode_lock,
    },
    Case {
        name: "global.detect_seccomp_filter_flags",
        expect: Expect::Pass,
        body: detect_seccomp_filter_flags,
    },
    Case { name: "global.TSYNC_first", expect: Expect::Pass, body: tsync_first },
    Case { name: "global.filter_flag_log", expect: SIGSYS_DEATH, body: filter_flag_log },
    Case { name: "global.get_action_avail", expect: Expect::Pass, body: get_action_avail },
    Case { name: "global.negative_ENOSYS", expect: Expect::Pass, body: negative_enosys },
    Case {
        name: "global.user_notification_basic",
        expect: Expect::Pass,
        body: user_notification_basic,
    },
];

fn run(argument: &str) -> i32 {
    if argument.is_empty() {
        return run_every_case();
    }
    let Some(case) = CASES.iter().find(|case| case.name == argument) else {
        println!("seccomp_bpf: no case '{argument}'");
        return 2;
    };
    let mut check = Check { name: case.name, failed: false };
    (case.body)(&mut check);
    i32::from(check.failed)
}

/// The parent: each case in a child, judged by how it ended.
fn run_every_case() -> i32 {
    println!("KTAP version 1");
    println!("1..{}", CASES.len());
    let mut failures = 0;
    for (index, case) in CASES.iter().enumerate() {
        let ended = syscall::spawn_argv("seccomp_bpf", &["seccomp_bpf", case.name])
            .and_then(|pid| syscall::wait(Some(pid)));
        let passed = match ended {
            Err(errno) => {
                println!("# {}: could not run the child: {errno}", case.name);
                false
            }
            Ok(info) => judge(case, &info),
        };
        let verdict = if passed { "ok" } else { "not ok" };
        println!("{verdict} {} {}", index + 1, case.name);
        failures += u32::from(!passed);
    }
    println!("# {} passed, {failures} failed", CASES.len() as u32 - failures);
    i32::from(failures > 0)
}

/// True when the child ended as `case` must; otherwise says how it ended.
fn judge(case: &Case, info: &ExitInfo) -> bool {
    let killed_by = (info.how == ExitInfo::KILLED).then_some(info.status as u32);
    match (case.expect, killed_by) {
        (Expect::Pass, None) if info.status == 0 => true,
        (Expect::Signal(expected), Some(signal)) if signal == expected => true,
        (expect, _) => {
            match killed_by {
                Some(signal) => println!(
                    "# {}: killed by signal {signal} ({})",
                    case.name,
                    signal::name(signal)
                ),
                None => println!("# {}: exited with status {}", case.name, info.status),
            }
            if let Expect::Signal(expected) = expect {
                println!(
                    "# {}: expected death by signal {expected} ({})",
                    case.name,
                    signal::name(expected)
                );
            }
            false
        }
    }
}

/// A case's expectations (the harness's EXPECT_*; `ASSERT_*` returns on failure).
struct Check {
    name: &'static str,
    failed: bool,
}

impl Check {
    /// Records a failure unless `got == expected`; returns whether it held.
    fn eq(&mut self, what: &str, got: i32, expected: i32) -> bool {
        if got != expected {
            println!("# {}: {what}: got {got}, expected {expected}", self.name);
            self.failed = true;
        }
        got == expected
    }

    /// Records a failure unless `condition`; returns it.
    fn holds(&mut self, what: &str, condition: bool) -> bool {
        if !condition {
            println!("# {}: {what}", self.name);
            self.failed = true;
        }
        condition
    }
}

// ---- system calls, as the C test makes them: r0 as a signed value, -errno on failure ----

const EFAULT: i32 = 14;
const EINVAL: i32 = 22;
const EACCES: i32 = 13;
const ENOMEM: i32 = 12;
const E2BIG: i32 = 7;
const ENOSYS: i32 = 38;
const EOPNOTSUPP: i32 = 95;

fn sys(call: u32, arguments: [u32; 6]) -> i32 {
    // SAFETY: every call below passes NULL, integers, or the addresses of live records and
    // filters of the sizes the kernel reads; bad pointers are deliberate and must come back
    // as EFAULT.
    unsafe { raw(call, arguments) as i32 }
}

fn prctl5(option: u32, arg2: u32, arg3: u32) -> i32 {
    sys(number::PRCTL, [option, arg2, arg3, 0, 0, 0])
}

fn set_no_new_privs() -> i32 {
    prctl5(prctl::SET_NO_NEW_PRIVS, 1, 0)
}

fn seccomp(operation: u32, flags: u32, argument: u32) -> i32 {
    sys(number::SECCOMP, [operation, flags, argument, 0, 0, 0])
}

/// The `sock_fprog` of `filter`, to pass by address.
fn program(filter: &[SockFilter]) -> SockFprog {
    SockFprog { len: filter.len() as u16, padding: 0, filter: filter.as_ptr() as u32 }
}

fn address<T>(value: &T) -> u32 {
    core::ptr::from_ref(value) as u32
}

/// Sets no_new_privs and installs `filter` with `prctl`, each a check; false when either
/// failed (the case then stops).
fn confine(check: &mut Check, filter: &[SockFilter]) -> bool {
    check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0)
        && check.eq("the filter", prctl_filter(filter), 0)
}

/// `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)`.
fn prctl_filter(filter: &[SockFilter]) -> i32 {
    let prog = program(filter);
    prctl5(prctl::SET_SECCOMP, mode::FILTER, address(&prog))
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog)`.
fn seccomp_filter(flags: u32, filter: &[SockFilter]) -> i32 {
    let prog = program(filter);
    seccomp(operation::SET_MODE_FILTER, flags, address(&prog))
}

/// The call that must keep working (Linux uses getppid): returns 0.
fn still_works() -> i32 {
    sys(number::SCHED_YIELD, [0; 6])
}

fn getpid() -> i32 {
    sys(number::GETPID, [0; 6])
}

/// `read(-1, NULL, 0)`, the call the ERRNO cases filter.
fn read_nothing() -> i32 {
    sys(number::READ, [u32::MAX, 0, 0, 0, 0, 0])
}

// ---- filters ----

const fn ret(action: u32) -> SockFilter {
    SockFilter::statement(bpf::RET | bpf::K, action)
}

const fn load(offset: u32) -> SockFilter {
    SockFilter::statement(bpf::LD | bpf::W | bpf::ABS, offset)
}

const fn jump_equal(value: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, value, jt, jf)
}

/// `offsetof(struct seccomp_data, nr)`.
const NR: u32 = 0;

/// The low word of `args[n]` (`syscall_arg(n)` on little-endian).
const fn argument(n: u32) -> u32 {
    16 + 8 * n
}

const ALLOW: [SockFilter; 1] = [ret(abi::RET_ALLOW)];

/// `action` for `call`, ALLOW for everything else.
const fn only(call: u32, action: u32) -> [SockFilter; 4] {
    [load(NR), jump_equal(call, 0, 1), ret(action), ret(abi::RET_ALLOW)]
}

/// The precedence fixture's filters: ALLOW, except `action` for getpid.
const fn on_getpid(action: u32) -> [SockFilter; 4] {
    [load(NR), jump_equal(number::GETPID, 1, 0), ret(abi::RET_ALLOW), ret(action)]
}

// ---- the cases ----

fn mode_strict_support(check: &mut Check) {
    let result = prctl5(prctl::SET_SECCOMP, mode::STRICT, 0);
    if !check.eq("prctl(PR_SET_SECCOMP, STRICT)", result, 0) {
        return;
    }
    sys(number::EXIT, [0; 6]);
}

fn mode_strict_cannot_call_prctl(check: &mut Check) {
    if !check.eq("prctl(PR_SET_SECCOMP, STRICT)", prctl5(prctl::SET_SECCOMP, mode::STRICT, 0), 0) {
        return;
    }
    prctl5(prctl::SET_SECCOMP, mode::FILTER, 0);
    check.holds("unreachable: prctl returned in strict mode", false);
}

fn no_new_privs_support(check: &mut Check) {
    check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0);
}

fn mode_filter_support(check: &mut Check) {
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        return;
    }
    check.eq("PR_SET_SECCOMP(FILTER, NULL)", prctl5(prctl::SET_SECCOMP, mode::FILTER, 0), -EFAULT);
}

fn mode_filter_without_nnp(check: &mut Check) {
    let result = prctl5(prctl::GET_NO_NEW_PRIVS, 0, 0);
    if !check.holds("PR_GET_NO_NEW_PRIVS answers 0 or 1", result >= 0) {
        return;
    }
    let result = prctl_filter(&ALLOW);
    // Linux's rule is CAP_SYS_ADMIN; the test (and this one) asks for the effective uid.
    if syscall::geteuid() != 0 {
        check.eq("a filter without no_new_privs, unprivileged", result, -EACCES);
    } else {
        check.eq("a filter without no_new_privs, as root", result, 0);
    }
}

/// `count` ALLOW instructions in fresh anonymous memory.
fn allow_instructions(count: usize) -> Option<&'static mut [SockFilter]> {
    let bytes = count * SockFilter::SIZE;
    let flags = map::PRIVATE | map::ANONYMOUS;
    let start = syscall::mmap(0, bytes, protection::READ | protection::WRITE, flags).ok()?;
    // SAFETY: the kernel just mapped `bytes` zeroed, writable bytes at `start` for this
    // process alone; they are never unmapped, and an all-zero SockFilter is a valid value.
    let filter = unsafe { core::slice::from_raw_parts_mut(start as *mut SockFilter, count) };
    filter.fill(ret(abi::RET_ALLOW));
    Some(filter)
}

fn filter_size_limits(check: &mut Check) {
    let count = abi::MAX_INSTRUCTIONS + 1;
    let Some(filter) = allow_instructions(count) else {
        check.holds("mmap for the filter", false);
        return;
    };
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        return;
    }
    check.holds("a filter of 4097 instructions is refused", prctl_filter(filter) != 0);
    check.eq("a filter of 4096 instructions", prctl_filter(&filter[..count - 1]), 0);
}

fn filter_chain_limits(check: &mut Check) {
    let Some(filter) = allow_instructions(abi::MAX_INSTRUCTIONS) else {
        check.holds("mmap for the filter", false);
        return;
    };
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        return;
    }
    if !check.eq("a one-instruction filter", prctl_filter(&filter[..1]), 0) {
        return;
    }
    let mut installed = 0;
    let mut result = 0;
    while installed < abi::MAX_INSTRUCTIONS_PER_PATH {
        result = prctl_filter(filter);
        if result != 0 {
            break;
        }
        installed += 1;
    }
    if !check.holds("the chain's total is limited", result != 0) {
        return;
    }
    // 1 + 4 for the first filter, then 4096 + 4 each: the eighth would pass 32768.
    check.eq("the refusal", result, -ENOMEM);
    check.eq("4096-instruction filters accepted", installed as i32, 7);
}

fn mode_filter_cannot_move_to_strict(check: &mut Check) {
    if !confine(check, &ALLOW) {
        return;
    }
    check.eq("strict after a filter", prctl5(prctl::SET_SECCOMP, mode::STRICT, 0), -EINVAL);
}

fn mode_filter_get_seccomp(check: &mut Check) {
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        return;
    }
    check.eq("PR_GET_SECCOMP before", prctl5(prctl::GET_SECCOMP, 0, 0), 0);
    if !check.eq("the filter", prctl_filter(&ALLOW), 0) {
        return;
    }
    check.eq("PR_GET_SECCOMP after", prctl5(prctl::GET_SECCOMP, 0, 0), 2);
}

fn allow_all(check: &mut Check) {
    if check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        check.eq("the filter", prctl_filter(&ALLOW), 0);
    }
}

fn empty_prog(check: &mut Check) {
    if check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        check.eq("an empty filter", prctl_filter(&[]), -EINVAL);
    }
}

fn log_all(check: &mut Check) {
    if !confine(check, &[ret(abi::RET_LOG)]) {
        return;
    }
    check.eq("a logged call still runs", still_works(), 0);
}

/// Installs `filter`, then calls getpid, which must not return.
fn install_then_getpid(check: &mut Check, filter: &[SockFilter]) {
    if !confine(check, filter) {
        return;
    }
    check.eq("getpid should never return", getpid(), 0);
}

fn unknown_ret_is_kill_inside(check: &mut Check) {
    install_then_getpid(check, &[ret(0x1000_0000)]);
}

fn unknown_ret_is_kill_above_allow(check: &mut Check) {
    install_then_getpid(check, &[ret(0x9000_0000)]);
}

fn kill_all(check: &mut Check) {
    if check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        // The exit that ends the case is the call that must die.
        check.eq("the filter", prctl_filter(&[ret(abi::RET_KILL_THREAD)]), 0);
    }
}

fn kill_one(check: &mut Check) {
    if !confine(check, &only(number::GETPID, abi::RET_KILL_THREAD)) {
        return;
    }
    check.eq("another call", still_works(), 0);
    check.eq("getpid should never return", getpid(), 0);
}

fn kill_one_arg_one(check: &mut Check) {
    let fatal_address = 0u32;
    let harmless = [0u32; 4];
    let filter = [
        load(NR),
        jump_equal(number::GETPID, 1, 0),
        ret(abi::RET_ALLOW),
        load(argument(0)),
        jump_equal(address(&fatal_address), 0, 1),
        ret(abi::RET_KILL_THREAD),
        ret(abi::RET_ALLOW),
    ];
    if !confine(check, &filter) {
        return;
    }
    check.eq("another call", still_works(), 0);
    let pid = sys(number::GETPID, [address(&harmless), 0, 0, 0, 0, 0]);
    check.holds("getpid with another argument works", pid > 0);
    let result = sys(number::GETPID, [address(&fatal_address), 0, 0, 0, 0, 0]);
    check.eq("getpid with the fatal argument should never return", result, 0);
}

fn kill_one_arg_six(check: &mut Check) {
    let filter = [
        load(NR),
        jump_equal(number::MMAP2, 1, 0),
        ret(abi::RET_ALLOW),
        load(argument(5)),
        jump_equal(0x0C0_FFEE, 0, 1),
        ret(abi::RET_KILL_THREAD),
        ret(abi::RET_ALLOW),
    ];
    if !confine(check, &filter) {
        return;
    }
    check.eq("another call", still_works(), 0);
    let flags = map::PRIVATE | map::ANONYMOUS;
    let first = sys(number::MMAP2, [0, 4096, protection::READ, flags, u32::MAX, 0]);
    check.holds("mmap2 with page offset 0 works", first > 0);
    let second = sys(number::MMAP2, [0, 4096, protection::READ, flags, u32::MAX, 0x0C0_FFEE]);
    check.eq("mmap2 with the fatal sixth argument should never return", second, -1);
}

/// The single-threaded form of Linux's kill_thread_or_group: a filter that kills prctl with
/// `kill` (after a KILL_THREAD one when `then_thread`), then prctl.
fn kill_on_prctl(check: &mut Check, kill: u32, then_thread: bool) {
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0)
        || !check.eq("the filter", seccomp_filter(0, &only(number::PRCTL, kill)), 0)
    {
        return;
    }
    // A KILL_THREAD filter installed later must not soften KILL_PROCESS.
    if then_thread
        && !check.eq(
            "the KILL_THREAD filter",
            seccomp_filter(0, &only(number::PRCTL, abi::RET_KILL_THREAD)),
            0,
        )
    {
        return;
    }
    prctl5(prctl::GET_SECCOMP, 0, 0);
    check.holds("prctl returned", false);
}

fn kill_thread(check: &mut Check) {
    kill_on_prctl(check, abi::RET_KILL_THREAD, false);
}

fn kill_process(check: &mut Check) {
    kill_on_prctl(check, abi::RET_KILL_PROCESS, true);
}

fn kill_unknown(check: &mut Check) {
    kill_on_prctl(check, 0xAAAA_AAAA, false);
}

fn arg_out_of_range(check: &mut Check) {
    if check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        let filter = [load(argument(6)), ret(abi::RET_ALLOW)];
        check.eq("a load past seccomp_data", prctl_filter(&filter), -EINVAL);
    }
}

/// Installs ERRNO(`errno`)-for-read filters in order, then reads: the result must be
/// `expected`.
fn read_under_errno_filters(check: &mut Check, errnos: &[u32], expected: i32) {
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        return;
    }
    for &errno in errnos {
        if !check.eq("the filter", prctl_filter(&only(number::READ, abi::RET_ERRNO | errno)), 0) {
            return;
        }
    }
    check.eq("another call", still_works(), 0);
    check.eq("read(-1, NULL, 0)", read_nothing(), expected);
}

fn errno_valid(check: &mut Check) {
    read_under_errno_filters(check, &[E2BIG as u32], -E2BIG);
}

fn errno_zero(check: &mut Check) {
    read_under_errno_filters(check, &[0], 0);
}

fn errno_capped(check: &mut Check) {
    read_under_errno_filters(check, &[4096], -4095);
}

fn errno_order(check: &mut Check) {
    // The newest filter's data wins a tie.
    read_under_errno_filters(check, &[11, 13, 12], -12);
}

const TRAP_ON_GETPID: [SockFilter; 4] = only(number::GETPID, abi::RET_TRAP);

fn trap_dfl(check: &mut Check) {
    install_then_getpid(check, &TRAP_ON_GETPID);
}

fn trap_ign(check: &mut Check) {
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        return;
    }
    check.holds("SIG_IGN for SIGSYS", sig::set_disposition(SIGSYS, SIG_IGN).is_ok());
    if check.eq("the filter", prctl_filter(&TRAP_ON_GETPID), 0) {
        getpid();
        check.holds("getpid returned although SIGSYS was forced", false);
    }
}

static TRAP_SIGNAL: AtomicU32 = AtomicU32::new(0);
static TRAP_CODE: AtomicU32 = AtomicU32::new(0);
static TRAP_CALL_ADDRESS: AtomicU32 = AtomicU32::new(0);
static TRAP_SYSCALL: AtomicU32 = AtomicU32::new(0);
static TRAP_ARCH: AtomicU32 = AtomicU32::new(0);

/// Keeps what the SIGSYS siginfo said.
extern "C" fn trap_action(signal: u32, frame: *mut SignalFrame, _context: *mut u8) {
    // SAFETY: `frame` is the frame the kernel wrote for this handler, read while it runs.
    let frame = unsafe { sig::read_frame(frame) };
    TRAP_CODE.store(frame.code as u32, Ordering::Relaxed);
    TRAP_CALL_ADDRESS.store(frame.fields[0], Ordering::Relaxed);
    TRAP_SYSCALL.store(frame.fields[1], Ordering::Relaxed);
    TRAP_ARCH.store(frame.fields[2], Ordering::Relaxed);
    TRAP_SIGNAL.store(signal, Ordering::Relaxed);
}

fn trap_handler(check: &mut Check) {
    if !check.holds("sigaction", sig::set_handler(SIGSYS, trap_action, 0, 0).is_ok())
        || !check
            .holds("sigprocmask", sig::sigprocmask(SIG_UNBLOCK, Some(signal::bit(SIGSYS))).is_ok())
        || !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0)
        || !check.eq("the filter", prctl_filter(&TRAP_ON_GETPID), 0)
    {
        return;
    }
    getpid();
    check.eq("the signal", TRAP_SIGNAL.load(Ordering::Relaxed) as i32, SIGSYS as i32);
    check.eq("si_syscall", TRAP_SYSCALL.load(Ordering::Relaxed) as i32, number::GETPID as i32);
    check.holds("si_arch is not zero", TRAP_ARCH.load(Ordering::Relaxed) != 0);
    check.holds("si_call_addr is not zero", TRAP_CALL_ADDRESS.load(Ordering::Relaxed) != 0);
    // Beyond Linux's test: the exact values Linux gives on ARM.
    check.eq("si_code", TRAP_CODE.load(Ordering::Relaxed) as i32, abi::SYS_SECCOMP);
    check.eq("si_arch", TRAP_ARCH.load(Ordering::Relaxed) as i32, AUDIT_ARCH_ARM as i32);
}

/// The precedence fixture's six filters.
#[derive(Clone, Copy)]
enum Layer {
    Allow,
    Log,
    Trace,
    Error,
    Trap,
    Kill,
}

/// Installs the fixture's filters in `order`.
fn install_layers(check: &mut Check, order: &[Layer]) -> bool {
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        return false;
    }
    for layer in order {
        let result = match layer {
            Layer::Allow => prctl_filter(&ALLOW),
            Layer::Log => prctl_filter(&on_getpid(abi::RET_LOG)),
            Layer::Trace => prctl_filter(&on_getpid(abi::RET_TRACE)),
            Layer::Error => prctl_filter(&on_getpid(abi::RET_ERRNO)),
            Layer::Trap => prctl_filter(&on_getpid(abi::RET_TRAP)),
            Layer::Kill => prctl_filter(&on_getpid(abi::RET_KILL_THREAD)),
        };
        if !check.eq("a filter", result, 0) {
            return false;
        }
    }
    check.eq("another call", still_works(), 0)
}

use Layer::{Allow, Error, Kill, Log, Trace, Trap};

fn precedence_allow_ok(check: &mut Check) {
    install_layers(check, &[Allow, Log, Trace, Error, Trap, Kill]);
}

fn precedence_dies_on_getpid(check: &mut Check, order: &[Layer]) {
    if install_layers(check, order) {
        check.eq("getpid should never return", getpid(), 0);
    }
}

fn precedence_kill_is_highest(check: &mut Check) {
    precedence_dies_on_getpid(check, &[Allow, Log, Trace, Error, Trap, Kill]);
}

fn precedence_kill_is_highest_in_any_order(check: &mut Check) {
    precedence_dies_on_getpid(check, &[Allow, Kill, Error, Log, Trace, Trap]);
}

fn precedence_trap_is_second(check: &mut Check) {
    precedence_dies_on_getpid(check, &[Allow, Log, Trace, Error, Trap]);
}

fn precedence_trap_is_second_in_any_order(check: &mut Check) {
    precedence_dies_on_getpid(check, &[Allow, Trap, Log, Trace, Error]);
}

fn precedence_getpid_returns(check: &mut Check, order: &[Layer], expected: Option<i32>) {
    if install_layers(check, order) {
        match expected {
            Some(value) => {
                check.eq("getpid", getpid(), value);
            }
            None => {
                check.holds("getpid returns the pid", getpid() > 0);
            }
        }
    }
}

fn precedence_errno_is_third(check: &mut Check) {
    precedence_getpid_returns(check, &[Allow, Log, Trace, Error], Some(0));
}

fn precedence_errno_is_third_in_any_order(check: &mut Check) {
    precedence_getpid_returns(check, &[Log, Error, Trace, Allow], Some(0));
}

fn precedence_trace_is_fourth(check: &mut Check) {
    precedence_getpid_returns(check, &[Allow, Log, Trace], Some(-ENOSYS));
}

fn precedence_trace_is_fourth_in_any_order(check: &mut Check) {
    precedence_getpid_returns(check, &[Trace, Allow, Log], Some(-ENOSYS));
}

fn precedence_log_is_fifth(check: &mut Check) {
    precedence_getpid_returns(check, &[Allow, Log], None);
}

fn precedence_log_is_fifth_in_any_order(check: &mut Check) {
    precedence_getpid_returns(check, &[Log, Allow], None);
}

fn seccomp_syscall(check: &mut Check) {
    let prog = program(&ALLOW);
    let prog = address(&prog);
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        return;
    }
    let result = seccomp(u32::MAX, 0, prog);
    if !check.holds("the kernel has seccomp(2)", result != -ENOSYS) {
        return;
    }
    check.eq("operation -1", result, -EINVAL);
    check.eq("strict with flags", seccomp(operation::SET_MODE_STRICT, u32::MAX, 0), -EINVAL);
    check.eq("strict with a pointer", seccomp(operation::SET_MODE_STRICT, 0, prog), -EINVAL);
    check.eq("filter flags -1", seccomp(operation::SET_MODE_FILTER, u32::MAX, prog), -EINVAL);
    check.eq("a NULL filter", seccomp(operation::SET_MODE_FILTER, 0, 0), -EFAULT);
    check.eq("a valid filter", seccomp(operation::SET_MODE_FILTER, 0, prog), 0);
}

fn seccomp_syscall_mode_lock(check: &mut Check) {
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0)
        || !check.eq("the filter", seccomp_filter(0, &ALLOW), 0)
    {
        return;
    }
    check.eq("strict by prctl", prctl5(prctl::SET_SECCOMP, mode::STRICT, 0), -EINVAL);
    check.eq("strict by seccomp", seccomp(operation::SET_MODE_STRICT, 0, 0), -EINVAL);
}

fn detect_seccomp_filter_flags(check: &mut Check) {
    let flags = [
        filter_flag::TSYNC,
        filter_flag::LOG,
        filter_flag::SPEC_ALLOW,
        filter_flag::NEW_LISTENER,
        filter_flag::TSYNC_ESRCH,
    ];
    let exclusive = filter_flag::TSYNC | filter_flag::NEW_LISTENER;
    let mut all = 0;
    for flag in flags {
        check.holds("a flag is one bit", flag.count_ones() == 1);
        // EFAULT: the flag is known and the NULL program is what was refused.
        check.eq("a known flag with NULL", seccomp(operation::SET_MODE_FILTER, flag, 0), -EFAULT);
        all |= flag;
    }
    for one in [filter_flag::TSYNC, filter_flag::NEW_LISTENER] {
        let flag = (all & !exclusive) | one;
        check.eq(
            "all known flags with NULL",
            seccomp(operation::SET_MODE_FILTER, flag, 0),
            -EFAULT,
        );
    }
    let unknown = !exclusive;
    check.eq("unknown flags", seccomp(operation::SET_MODE_FILTER, unknown, 0), -EINVAL);
    let next = flags[flags.len() - 1] << 1;
    check.eq(
        "the flag after the last known",
        seccomp(operation::SET_MODE_FILTER, next, 0),
        -EINVAL,
    );
}

fn tsync_first(check: &mut Check) {
    if check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        check.eq("TSYNC on the first filter", seccomp_filter(filter_flag::TSYNC, &ALLOW), 0);
    }
}

fn filter_flag_log(check: &mut Check) {
    let allow = program(&ALLOW);
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0) {
        return;
    }
    let strict = seccomp(operation::SET_MODE_STRICT, filter_flag::LOG, address(&allow));
    check.eq("strict with FILTER_FLAG_LOG", strict, -EINVAL);
    check.eq("a filter without flags", seccomp_filter(0, &ALLOW), 0);
    check.eq("a filter with FILTER_FLAG_LOG", seccomp_filter(filter_flag::LOG, &ALLOW), 0);
    let kill = only(number::GETPID, abi::RET_KILL_THREAD);
    check.eq("a kill filter with FILTER_FLAG_LOG", seccomp_filter(filter_flag::LOG, &kill), 0);
    check.eq("another call", still_works(), 0);
    check.eq("getpid should never return", getpid(), 0);
}

fn get_action_avail(check: &mut Check) {
    for action in [
        abi::RET_KILL_THREAD,
        abi::RET_TRAP,
        abi::RET_ERRNO,
        abi::RET_TRACE,
        abi::RET_LOG,
        abi::RET_ALLOW,
    ] {
        let result = seccomp(operation::GET_ACTION_AVAIL, 0, address(&action));
        check.eq("a known action", result, 0);
    }
    let unknown: u32 = 0x1000_0000;
    let result = seccomp(operation::GET_ACTION_AVAIL, 0, address(&unknown));
    check.eq("an unknown action", result, -EOPNOTSUPP);
}

fn negative_enosys(check: &mut Check) {
    check.eq("system call -1", sys(u32::MAX, [0; 6]), -ENOSYS);
    check.eq("system call -101", sys(-101i32 as u32, [0; 6]), -ENOSYS);
}

fn user_notification_basic(check: &mut Check) {
    // The first step: USER_NOTIF with no listener attached is ENOSYS.
    if !check.eq("PR_SET_NO_NEW_PRIVS", set_no_new_privs(), 0)
        || !check.eq("the filter", seccomp_filter(0, &only(number::GETPID, abi::RET_USER_NOTIF)), 0)
    {
        return;
    }
    check.eq("getpid without a listener", getpid(), -ENOSYS);
}
