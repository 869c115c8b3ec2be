//! usertest's capability checks: every `prctl` and `capset` error, the gates capabilities
//! put on `poweroff`, `kill` and lkdtm, and the ambient scenario (a user keeps a capability
//! across `execve` through its ambient set), run in a child whose changes cannot be undone.

use super::{Checks, call};
use swpan_user::abi::capability::{self, KILL, NET_RAW, SETPCAP, SYSLOG, VERSION_1, VERSION_3};
use swpan_user::abi::{ExitStatus, map, prctl, protection, securebits, syscall as number};
use swpan_user::forbidden::KERNEL_DATA;
use swpan_user::syscall;
use swpan_user::{Errno, println};

/// The uid the child becomes.
const DAEMON: u32 = 1000;
/// The capability the ambient scenario passes on.
const SYSLOG_BIT: u64 = 1 << SYSLOG;

fn ambient(operation: u32, number: u32) -> Result<u32, Errno> {
    syscall::prctl(prctl::CAP_AMBIENT, [operation, number, 0, 0])
}

/// In the parent: runs `usertest capabilities` and expects it to exit 0.
pub fn checks(checks: &mut Checks) {
    let result = syscall::spawn("usertest", "capabilities")
        .and_then(|child| syscall::wait(Some(child)))
        .map(|info| info.how * 1000 + info.status as u32);
    checks.expect("capabilities: prctl, capset, gates, ambient across execve", result, Ok(0));
}

/// `usertest capabilities`: starts as root, ends as uid 1000 holding CAP_SYSLOG only in its
/// ambient set, and execs `usertest ambient-check`. Exits with the number of failures.
pub fn child() -> i32 {
    let mut checks = Checks { passed: 0, failed: 0 };
    as_root(&mut checks);
    null_gap_with_sys_rawio(&mut checks);
    capget_and_capset_errors(&mut checks);
    become_daemon(&mut checks);
    as_daemon(&mut checks);
    if checks.failed > 0 {
        println!("usertest capabilities: {} checks failed", checks.failed);
        return checks.failed as i32;
    }
    let errno = syscall::execve("/bin/usertest", &["usertest", "ambient-check"], &[]);
    println!("usertest capabilities: execve: {errno}");
    1
}

fn as_root(checks: &mut Checks) {
    use prctl::*;
    let p = syscall::prctl;
    checks.expect(
        "CLEAR_ALL with arg3",
        p(CAP_AMBIENT, [CAP_AMBIENT_CLEAR_ALL, 1, 0, 0]),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "CLEAR_ALL with arg5",
        p(CAP_AMBIENT, [CAP_AMBIENT_CLEAR_ALL, 0, 0, 1]),
        Err(Errno::EINVAL),
    );
    checks.expect("IS_SET of cap 41", ambient(CAP_AMBIENT_IS_SET, 41), Err(Errno::EINVAL));
    checks.expect(
        "IS_SET with arg4",
        p(CAP_AMBIENT, [CAP_AMBIENT_IS_SET, 1, 1, 0]),
        Err(Errno::EINVAL),
    );
    checks.expect("unknown ambient operation", ambient(9, 1), Err(Errno::EINVAL));
    checks.expect("RAISE not inheritable", ambient(CAP_AMBIENT_RAISE, SYSLOG), Err(Errno::EPERM));
    checks.expect("LOWER of a bit not set", ambient(CAP_AMBIENT_LOWER, SYSLOG), Ok(0));
    checks.expect("CAPBSET_READ 41", p(CAPBSET_READ, [41, 0, 0, 0]), Err(Errno::EINVAL));
    checks.expect("CAPBSET_READ", p(CAPBSET_READ, [SYSLOG, 0, 0, 0]), Ok(1));
    checks.expect("CAPBSET_DROP 41 as root", p(CAPBSET_DROP, [41, 0, 0, 0]), Err(Errno::EINVAL));
    checks.expect(
        "SET_SECUREBITS unknown bit",
        p(SET_SECUREBITS, [0x100, 0, 0, 0]),
        Err(Errno::EPERM),
    );
    checks.expect("SET_KEEPCAPS 2", p(SET_KEEPCAPS, [2, 0, 0, 0]), Err(Errno::EINVAL));
    let kept = securebits::KEEP_CAPS | securebits::KEEP_CAPS_LOCKED;
    checks.expect("SET_SECUREBITS keep-caps, locked", p(SET_SECUREBITS, [kept, 0, 0, 0]), Ok(0));
    checks.expect("GET_SECUREBITS", p(GET_SECUREBITS, [0; 4]), Ok(kept));
    checks.expect("SET_KEEPCAPS when locked", p(SET_KEEPCAPS, [0, 0, 0, 0]), Err(Errno::EPERM));
    checks.expect(
        "clearing a lock",
        p(SET_SECUREBITS, [securebits::KEEP_CAPS, 0, 0, 0]),
        Err(Errno::EPERM),
    );
    checks.expect(
        "changing a locked bit",
        p(SET_SECUREBITS, [securebits::KEEP_CAPS_LOCKED, 0, 0, 0]),
        Err(Errno::EPERM),
    );
    checks.expect("GET_KEEPCAPS", p(GET_KEEPCAPS, [0; 4]), Ok(1));
    checks.expect("SET_NO_NEW_PRIVS 0", p(SET_NO_NEW_PRIVS, [0, 0, 0, 0]), Err(Errno::EINVAL));
    checks.expect("SET_NO_NEW_PRIVS arg3", p(SET_NO_NEW_PRIVS, [1, 1, 0, 0]), Err(Errno::EINVAL));
    checks.expect("GET_NO_NEW_PRIVS arg2", p(GET_NO_NEW_PRIVS, [1, 0, 0, 0]), Err(Errno::EINVAL));
    checks.expect("GET_NO_NEW_PRIVS", p(GET_NO_NEW_PRIVS, [0; 4]), Ok(0));
    checks.expect("unknown option", p(0x7fff, [0; 4]), Err(Errno::EINVAL));
    // NET_RAW leaves the bounding set: root (CAP_SETPCAP) may still not make it inheritable.
    checks.expect("CAPBSET_DROP", p(CAPBSET_DROP, [NET_RAW, 0, 0, 0]), Ok(0));
    checks.expect("CAPBSET_READ after the drop", p(CAPBSET_READ, [NET_RAW, 0, 0, 0]), Ok(0));
    let all = capability::ALL;
    checks.expect(
        "capset: I beyond X",
        ok(syscall::capset(all, all, 1 << NET_RAW)),
        Err(Errno::EPERM),
    );
}

fn ok(result: Result<(), Errno>) -> Result<u32, Errno> {
    result.map(|()| 0)
}

/// `capget` or `capset` with `header`, whose version the kernel may rewrite.
fn header_call(number: u32, header: &mut [u32; 2], data: u32) -> Result<u32, Errno> {
    call(number, [header.as_mut_ptr() as u32, data, 0, 0, 0, 0])
}

fn capget_and_capset_errors(checks: &mut Checks) {
    let mut header = [0x1234u32, 0];
    let mut data = [0xeeee_eeeeu32; 6];
    let data_at = data.as_mut_ptr() as u32;
    checks.expect(
        "capget bad version",
        header_call(number::CAPGET, &mut header, data_at),
        Err(Errno::EINVAL),
    );
    checks.expect("the preferred version written back", Ok(header[0]), Ok(VERSION_3));
    header[0] = 0x1234;
    checks.expect(
        "capget version probe (NULL data)",
        header_call(number::CAPGET, &mut header, 0),
        Ok(0),
    );
    checks.expect("the probe's version", Ok(header[0]), Ok(VERSION_3));
    header[0] = 0x1234;
    checks.expect(
        "capset bad version",
        header_call(number::CAPSET, &mut header, data_at),
        Err(Errno::EINVAL),
    );
    checks.expect("capset writes it back too", Ok(header[0]), Ok(VERSION_3));
    checks.expect(
        "capget bad header",
        call(number::CAPGET, [KERNEL_DATA, data_at, 0, 0, 0, 0]),
        Err(Errno::EFAULT),
    );
    checks.expect(
        "capset bad header",
        call(number::CAPSET, [0, data_at, 0, 0, 0, 0]),
        Err(Errno::EFAULT),
    );
    checks.expect(
        "capget bad data",
        header_call(number::CAPGET, &mut header, KERNEL_DATA),
        Err(Errno::EFAULT),
    );
    checks.expect(
        "capset NULL data",
        header_call(number::CAPSET, &mut header, 0),
        Err(Errno::EFAULT),
    );
    header[1] = u32::MAX;
    checks.expect(
        "capget pid -1",
        header_call(number::CAPGET, &mut header, data_at),
        Err(Errno::EINVAL),
    );
    header[1] = 99_999;
    checks.expect(
        "capget unknown pid",
        header_call(number::CAPGET, &mut header, data_at),
        Err(Errno::ESRCH),
    );
    let parent = syscall::getstatus().map(|status| status.ppid).unwrap_or(1);
    header[1] = parent;
    checks.expect(
        "capset of another process",
        header_call(number::CAPSET, &mut header, data_at),
        Err(Errno::EPERM),
    );
    checks.expect("capget of the parent", header_call(number::CAPGET, &mut header, data_at), Ok(0));
    checks.expect("the parent's permitted high word", Ok(data[4]), Ok(0x1ff));
    header = [VERSION_1, 0];
    data = [0xeeee_eeee; 6];
    let data_at = data.as_mut_ptr() as u32;
    checks.expect("capget version 1", header_call(number::CAPGET, &mut header, data_at), Ok(0));
    checks.expect_true(
        "version 1: one element, low words",
        data[1] == u32::MAX && data[3] == 0xeeee_eeee,
    );
}

/// Linux's recipe (capabilities.md §8): keep-caps, switch uid, narrow the sets, raise ambient.
fn become_daemon(checks: &mut Checks) {
    checks.expect(
        "setresuid with keep-caps",
        ok(syscall::setresuid(DAEMON, DAEMON, DAEMON)),
        Ok(0),
    );
    let sets = syscall::capget(0).unwrap_or([u64::MAX; 3]);
    checks.expect_true(
        "keep-caps: permitted kept, effective cleared",
        sets[0] == 0 && sets[1] == capability::ALL,
    );
    let wanted = SYSLOG_BIT | (1 << KILL);
    checks.expect(
        "capset: E beyond P",
        ok(syscall::capset(1 << SETPCAP, wanted, SYSLOG_BIT)),
        Err(Errno::EPERM),
    );
    checks.expect("capset", ok(syscall::capset(wanted, wanted, SYSLOG_BIT)), Ok(0));
    checks.expect(
        "capset: P grows back",
        ok(syscall::capset(0, capability::ALL, 0)),
        Err(Errno::EPERM),
    );
    checks.expect(
        "capset: I beyond P without SETPCAP",
        ok(syscall::capset(0, wanted, 1 << 3)),
        Err(Errno::EPERM),
    );
    checks.expect("RAISE", ambient(prctl::CAP_AMBIENT_RAISE, SYSLOG), Ok(0));
    checks.expect("IS_SET", ambient(prctl::CAP_AMBIENT_IS_SET, SYSLOG), Ok(1));
    checks.expect(
        "RAISE of a bit not permitted",
        ambient(prctl::CAP_AMBIENT_RAISE, 3),
        Err(Errno::EPERM),
    );
}

fn as_daemon(checks: &mut Checks) {
    use prctl::*;
    let p = syscall::prctl;
    checks.expect(
        "CAPBSET_DROP without SETPCAP (before EINVAL)",
        p(CAPBSET_DROP, [41, 0, 0, 0]),
        Err(Errno::EPERM),
    );
    checks.expect(
        "SET_SECUREBITS without SETPCAP",
        p(SET_SECUREBITS, [securebits::KEEP_CAPS_LOCKED, 0, 0, 0]),
        Err(Errno::EPERM),
    );
    // CAP_KILL lets a user signal root's process; CAP_SYS_BOOT and root's files stay out of reach.
    let parent = syscall::getstatus().map(|status| status.ppid).unwrap_or(1);
    checks.expect("kill root's process with CAP_KILL", ok(syscall::kill(parent, 0)), Ok(0));
    checks.expect(
        "poweroff without CAP_SYS_BOOT",
        ok(syscall::poweroff(ExitStatus::Failure)),
        Err(Errno::EPERM),
    );
    checks.expect("provoke as a user", ok(syscall::provoke("NO_SUCH_TYPE")), Err(Errno::EACCES));
    checks.expect("ptdump as a user", ok(syscall::ptdump()), Err(Errno::EACCES));
    // Dropping KILL from P takes it from E; the ambient bit stays (still in P and I).
    checks.expect(
        "capset: drop KILL",
        ok(syscall::capset(SYSLOG_BIT, SYSLOG_BIT, SYSLOG_BIT)),
        Ok(0),
    );
    checks.expect(
        "kill root's process without it",
        ok(syscall::kill(parent, 0)),
        Err(Errno::EPERM),
    );
    checks.expect("IS_SET after", ambient(CAP_AMBIENT_IS_SET, SYSLOG), Ok(1));
    checks.expect(
        "mmap in the NULL gap without CAP_SYS_RAWIO",
        syscall::mmap(0, 4096, READ_WRITE, map::PRIVATE | map::ANONYMOUS | map::FIXED),
        Err(Errno::EPERM),
    );
}

/// Readable and writable.
const READ_WRITE: u32 = protection::READ | protection::WRITE;

/// `mmap_min_addr` (64 KiB): CAP_SYS_RAWIO lets a fixed mapping into the NULL gap, where the
/// page works as any other user page; it may not reach above the gap.
fn null_gap_with_sys_rawio(checks: &mut Checks) {
    let fixed = map::PRIVATE | map::ANONYMOUS | map::FIXED;
    checks.expect(
        "mmap across the top of the NULL gap",
        syscall::mmap(0xf000, 0x2000, READ_WRITE, fixed),
        Err(Errno::EINVAL),
    );
    checks.expect("mmap at 0 with CAP_SYS_RAWIO", syscall::mmap(0, 4096, READ_WRITE, fixed), Ok(0));
    let page = core::ptr::null_mut::<u32>().wrapping_byte_add(8);
    // SAFETY: the page at 0 was just mapped read-write in this process (when the check above
    // passed: otherwise the child dies by SIGSEGV and the parent's check fails). `page` is not
    // NULL itself, so the compiler may not assume the access unreachable.
    let read_back = unsafe {
        page.write_volatile(0x5eed);
        page.read_volatile()
    };
    checks.expect("the page at 0 holds what was written", Ok(read_back), Ok(0x5eed));
    checks.expect("munmap the page at 0", syscall::munmap(0, 4096).map(|()| 0), Ok(0));
}

/// `usertest ambient-check`: after `execve` by the daemon, CAP_SYSLOG is in all four of its
/// sets (P' = E' = A for a plain program) and the uid is the daemon's. Exits with the number
/// of failures.
pub fn ambient_check() -> i32 {
    let mut checks = Checks { passed: 0, failed: 0 };
    let status = syscall::getstatus().unwrap_or_default();
    let join = swpan_user::abi::ProcessStatus::join;
    checks.expect("uid after execve", Ok(status.uid[0]), Ok(DAEMON));
    for (name, set) in [
        ("CapAmb", status.cap_ambient),
        ("CapPrm", status.cap_permitted),
        ("CapEff", status.cap_effective),
        ("CapInh", status.cap_inheritable),
    ] {
        checks.expect_true(name, join(set) == SYSLOG_BIT);
    }
    checks.expect("IS_SET after execve", ambient(prctl::CAP_AMBIENT_IS_SET, SYSLOG), Ok(1));
    checks.expect(
        "keep-caps cleared by execve",
        syscall::prctl(prctl::GET_KEEPCAPS, [0; 4]),
        Ok(0),
    );
    checks.expect(
        "its lock kept",
        syscall::prctl(prctl::GET_SECUREBITS, [0; 4]),
        Ok(securebits::KEEP_CAPS_LOCKED),
    );
    checks.expect_true(
        "bounding set without NET_RAW",
        join(status.cap_bounding) == capability::ALL & !(1 << NET_RAW),
    );
    if checks.failed > 0 {
        println!("usertest ambient-check: {} checks failed", checks.failed);
    }
    checks.failed as i32
}
