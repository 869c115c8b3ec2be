//! `test_execve`: Linux's capabilities selftest (tools/testing/selftests/capabilities/
//! test_execve.c) on swpan, printing KTAP version 1 and exiting 0 only if every case passes.
//!
//! Every case runs as uid 0 or uid 1 with Linux's setup: keep-caps, `setresuid(uid, uid, -1)`,
//! every permitted capability made effective, CAP_NET_BIND_SERVICE out of the inheritable set.
//! Four cases per uid check the PR_CAP_AMBIENT rules in the child itself; the others arrange
//! the inheritable and ambient sets and `execve` `validate_cap` (or a set-id copy of it), which
//! checks what the exec left in E, P, I and A. The name of such a case ends with that
//! expectation, as Linux prints it (`=> eip`: effective, inheritable and permitted, not
//! ambient), and the arguments `validate_cap` receives are read from it. swpan's first
//! process is real root, so the set-id cases Linux runs only with real privilege always run.
//!
//! Each case runs in its own child (`test_execve case N`, spawned and waited for): a case
//! changes its credentials for good, and a failure leaves nothing behind for the next.

#![no_std]
#![no_main]

use swpan_user::abi::ExitInfo;
use swpan_user::abi::capability::{NET_BIND_SERVICE, NET_RAW};
use swpan_user::capability::{ambient_clear, ambient_has, ambient_set, set_keepcaps};
use swpan_user::{Errno, println, syscall};

swpan_user::main!(run);

/// What a case does in its child, once it runs as its uid (see the module's doc).
enum Check {
    /// A PR_CAP_AMBIENT rule, checked in the child.
    Ambient(fn() -> Result<(), ()>),
    /// Arranges the sets, then execs `program`, which must find what the case's name says.
    Exec {
        /// CAP_NET_BIND_SERVICE is added to the inheritable set.
        inheritable: bool,
        /// CAP_NET_BIND_SERVICE is raised in the ambient set.
        ambient: bool,
        /// The child calls `setresgid(1, 1, 1)` first.
        gid_1: bool,
        /// The path of the program (a `validate_cap` copy).
        program: &'static str,
    },
}

/// One KTAP case.
struct Case {
    /// The uid the child runs the case as (0 or 1).
    uid: u32,
    /// The KTAP description: Linux's wording.
    name: &'static str,
    /// What the child does.
    check: Check,
}

/// The capability the whole test is about.
const BIND: u64 = 1 << NET_BIND_SERVICE;

/// validate_cap and its set-id copies (kernel/src/process/programs.rs): owned by root or by
/// uid 1, by group 0 or group 1.
const PLAIN: &str = "/bin/validate_cap";
const SUID_ROOT: &str = "/bin/validate_cap_suidroot";
const SUID_NON_ROOT: &str = "/bin/validate_cap_suidnonroot";
const SGID_ROOT: &str = "/bin/validate_cap_sgidroot";
const SGID_NON_ROOT: &str = "/bin/validate_cap_sgidnonroot";

const fn exec(inheritable: bool, ambient: bool, gid_1: bool, program: &'static str) -> Check {
    Check::Exec { inheritable, ambient, gid_1, program }
}

/// Every case, in Linux's order: the uid 0 pass, then the uid 1 pass.
const CASES: &[Case] = &[
    Case { uid: 0, name: "Root => ep", check: exec(false, false, false, PLAIN) },
    Case {
        uid: 0,
        name: "PR_CAP_AMBIENT_RAISE failed on non-inheritable cap (uid 0)",
        check: Check::Ambient(raise_fails_without_inheritable),
    },
    Case {
        uid: 0,
        name: "PR_CAP_AMBIENT_RAISE failed on non-permitted cap (uid 0)",
        check: Check::Ambient(raise_fails_without_permitted),
    },
    Case {
        uid: 0,
        name: "PR_CAP_AMBIENT_RAISE worked (uid 0)",
        check: Check::Ambient(raise_works),
    },
    Case {
        uid: 0,
        name: "Basic manipulation appears to work (uid 0)",
        check: Check::Ambient(basic_manipulation),
    },
    Case { uid: 0, name: "Root +i => eip", check: exec(true, false, false, PLAIN) },
    Case { uid: 0, name: "UID 0 +ia => eipa", check: exec(true, true, false, PLAIN) },
    Case { uid: 0, name: "Root +ia, suidroot => eipa", check: exec(true, true, false, SUID_ROOT) },
    Case {
        uid: 0,
        name: "Root +ia, suidnonroot => ip",
        check: exec(true, true, false, SUID_NON_ROOT),
    },
    Case { uid: 0, name: "Root +ia, sgidroot => eipa", check: exec(true, true, false, SGID_ROOT) },
    Case {
        uid: 0,
        name: "Root, gid != 0, +ia, sgidroot => eip",
        check: exec(true, true, true, SGID_ROOT),
    },
    Case {
        uid: 0,
        name: "Root +ia, sgidnonroot => eip",
        check: exec(true, true, false, SGID_NON_ROOT),
    },
    Case { uid: 1, name: "Non-root => no caps", check: exec(false, false, false, PLAIN) },
    Case {
        uid: 1,
        name: "PR_CAP_AMBIENT_RAISE failed on non-inheritable cap (uid 1)",
        check: Check::Ambient(raise_fails_without_inheritable),
    },
    Case {
        uid: 1,
        name: "PR_CAP_AMBIENT_RAISE failed on non-permitted cap (uid 1)",
        check: Check::Ambient(raise_fails_without_permitted),
    },
    Case {
        uid: 1,
        name: "PR_CAP_AMBIENT_RAISE worked (uid 1)",
        check: Check::Ambient(raise_works),
    },
    Case {
        uid: 1,
        name: "Basic manipulation appears to work (uid 1)",
        check: Check::Ambient(basic_manipulation),
    },
    Case { uid: 1, name: "Non-root +i => i", check: exec(true, false, false, PLAIN) },
    Case { uid: 1, name: "UID 1 +ia => eipa", check: exec(true, true, false, PLAIN) },
    Case {
        uid: 1,
        name: "Non-root +ia, sgidnonroot => i",
        check: exec(true, true, false, SGID_NON_ROOT),
    },
    Case { uid: 1, name: "Non-root +ia, sgidroot => i", check: exec(true, true, true, SGID_ROOT) },
];

/// kselftest's exit status for a test that could not run (KSFT_SKIP).
const SKIP: i32 = 4;

fn run(argument: &str) -> i32 {
    match argument.strip_prefix("case ").map(str::parse::<usize>) {
        None if argument.is_empty() => all_cases(),
        Some(Ok(index)) if index < CASES.len() => one_case(&CASES[index]),
        _ => {
            println!("test_execve: unknown argument '{argument}' (none, or `case N`)");
            2
        }
    }
}

/// The parent: one child per case, one KTAP result line per child.
fn all_cases() -> i32 {
    println!("KTAP version 1");
    // Linux's fallback, a user namespace, does not exist here.
    if syscall::getuid() != 0 {
        println!("1..0 # SKIP must be root");
        return SKIP;
    }
    println!("1..{}", CASES.len());
    let mut passed = 0;
    let mut uid = None;
    for (index, case) in CASES.iter().enumerate() {
        if uid != Some(case.uid) {
            uid = Some(case.uid);
            let relation = if case.uid == 0 { "==" } else { "!=" };
            println!("# [RUN]\t+++ Tests with uid {relation} 0 +++");
        }
        let mut digits = [0u8; 8];
        let argv = ["test_execve", "case", decimal(index, &mut digits)];
        let ok = match syscall::spawn_argv("/bin/test_execve", &argv)
            .and_then(|child| syscall::wait(Some(child)))
        {
            Ok(ExitInfo { how: ExitInfo::EXITED, status: 0, .. }) => true,
            Ok(ExitInfo { how: ExitInfo::EXITED, status, .. }) => {
                println!("# Child failed (exit status {status})");
                false
            }
            Ok(ExitInfo { status, .. }) => {
                println!("# Child died (signal {status})");
                false
            }
            Err(errno) => {
                println!("# spawn: {errno}");
                false
            }
        };
        passed += usize::from(ok);
        println!("{} {} {}", if ok { "ok" } else { "not ok" }, index + 1, case.name);
    }
    let failed = CASES.len() - passed;
    println!("# Totals: pass:{passed} fail:{failed} xfail:0 xpass:0 skip:0 error:0");
    i32::from(failed != 0)
}

/// `index` in decimal, in `buffer`.
fn decimal(mut index: usize, buffer: &mut [u8; 8]) -> &str {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (index % 10) as u8;
        index /= 10;
        if index == 0 {
            break;
        }
    }
    core::str::from_utf8(&buffer[start..]).unwrap_or("0")
}

/// The child: becomes the case's uid, then checks or execs. Exits 0 when the case passes.
fn one_case(case: &Case) -> i32 {
    if enter_uid(case.uid).is_err() {
        return 1;
    }
    match case.check {
        Check::Ambient(check) => i32::from(check().is_err()),
        Check::Exec { inheritable, ambient, gid_1, program } => {
            let arranged = (|| {
                if inheritable {
                    add_inheritable()?;
                }
                if ambient {
                    expect("PR_CAP_AMBIENT_RAISE", ambient_set(NET_BIND_SERVICE, true), Ok(()))?;
                }
                if gid_1 {
                    expect("setresgid(1, 1, 1)", syscall::setresgid(1, 1, 1), Ok(()))?;
                }
                Ok::<(), ()>(())
            })();
            if arranged.is_err() {
                return 1;
            }
            let expected = expectation(case.name);
            let flag = |letter: char| if expected.contains(letter) { "1" } else { "0" };
            let argv = [program, flag('e'), flag('p'), flag('i'), flag('a')];
            let errno = syscall::execve(program, &argv, &[]);
            println!("# execve {program}: {errno}");
            1
        }
    }
}

/// The sets a case's name expects, as letters (`eip`): what follows `=> `, none for
/// `no caps`.
fn expectation(name: &str) -> &str {
    match name.rsplit_once("=> ") {
        Some((_, "no caps")) | None => "",
        Some((_, letters)) => letters,
    }
}

/// Linux's setup for `uid`, with global uids: keep-caps, `setresuid(uid, uid, -1)`, every
/// permitted capability effective again, and CAP_NET_BIND_SERVICE out of the inheritable set.
fn enter_uid(uid: u32) -> Result<(), ()> {
    expect("PR_SET_KEEPCAPS", set_keepcaps(true), Ok(()))?;
    expect("setresuid", syscall::setresuid(uid, uid, u32::MAX), Ok(()))?;
    let [_, permitted, inheritable] = capget()?;
    expect("capset", syscall::capset(permitted, permitted, inheritable & !BIND), Ok(()))
}

/// The effective, permitted and inheritable sets.
fn capget() -> Result<[u64; 3], ()> {
    syscall::capget(0).map_err(|errno| println!("# capget: {errno}"))
}

/// Adds CAP_NET_BIND_SERVICE to the inheritable set (`capset`).
fn add_inheritable() -> Result<(), ()> {
    let [effective, permitted, inheritable] = capget()?;
    expect("capset: +i", syscall::capset(effective, permitted, inheritable | BIND), Ok(()))
}

/// Ok when `got` is `expected`; otherwise a diagnostic naming `what`.
fn expect<T: PartialEq + core::fmt::Debug>(
    what: &str,
    got: Result<T, Errno>,
    expected: Result<T, Errno>,
) -> Result<(), ()> {
    if got == expected {
        Ok(())
    } else {
        println!("# {what}: got {got:?}, expected {expected:?}");
        Err(())
    }
}

/// Raising a capability that is permitted but not inheritable is EPERM.
fn raise_fails_without_inheritable() -> Result<(), ()> {
    expect(
        "PR_CAP_AMBIENT_RAISE of a permitted, non-inheritable cap",
        ambient_set(NET_BIND_SERVICE, true),
        Err(Errno::EPERM),
    )
}

/// Raising a capability that is inheritable but not permitted is EPERM.
fn raise_fails_without_permitted() -> Result<(), ()> {
    let net_raw = 1 << NET_RAW;
    let [effective, permitted, inheritable] = capget()?;
    let result = syscall::capset(effective & !net_raw, permitted & !net_raw, inheritable | net_raw);
    expect("capset: NET_RAW inheritable, not permitted", result, Ok(()))?;
    expect(
        "PR_CAP_AMBIENT_RAISE of an inheritable, non-permitted cap",
        ambient_set(NET_RAW, true),
        Err(Errno::EPERM),
    )
}

/// A capability both permitted and inheritable can be raised, and IS_SET then says so.
fn raise_works() -> Result<(), ()> {
    add_inheritable()?;
    expect("PR_CAP_AMBIENT_RAISE", ambient_set(NET_BIND_SERVICE, true), Ok(()))?;
    expect("PR_CAP_AMBIENT_IS_SET after the raise", ambient_has(NET_BIND_SERVICE), Ok(true))
}

/// CLEAR_ALL empties the ambient set, and dropping a capability from the inheritable set
/// drops it from the ambient set.
fn basic_manipulation() -> Result<(), ()> {
    add_inheritable()?;
    expect("PR_CAP_AMBIENT_RAISE", ambient_set(NET_BIND_SERVICE, true), Ok(()))?;
    expect("PR_CAP_AMBIENT_CLEAR_ALL", ambient_clear(), Ok(()))?;
    expect("PR_CAP_AMBIENT_IS_SET after CLEAR_ALL", ambient_has(NET_BIND_SERVICE), Ok(false))?;
    expect("PR_CAP_AMBIENT_RAISE again", ambient_set(NET_BIND_SERVICE, true), Ok(()))?;
    let [effective, permitted, inheritable] = capget()?;
    expect(
        "capset: I without it",
        syscall::capset(effective, permitted, inheritable & !BIND),
        Ok(()),
    )?;
    expect("PR_CAP_AMBIENT_IS_SET after dropping I", ambient_has(NET_BIND_SERVICE), Ok(false))
}
