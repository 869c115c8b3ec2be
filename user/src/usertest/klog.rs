//! usertest's kernel log checks: `syslog` READ_ALL and SIZE_BUFFER with good and bad
//! arguments, `dmesg_restrict` for a process that gave up root, and `kptr_restrict`'s zeros in
//! an oops report read by such a process.

use super::{Checks, call};
use swpan_user::abi::{ExitInfo, syscall as number, syslog_action};
use swpan_user::forbidden::{DEVICE, KERNEL_DATA, KERNEL_TEXT};
use swpan_user::{Errno, println, syscall};

/// The kernel log's size (16 KiB, as Linux's default).
const LOG_SIZE: usize = 16 * 1024;

/// The uid the children switch to.
const STUDENT: u32 = 1000;

/// Exit status of `klog-user` when the read was refused with EPERM.
pub const REFUSED: i32 = 1;

fn syslog(action: u32, address: u32, length: u32) -> Result<u32, Errno> {
    call(number::SYSLOG, [action, address, length, 0, 0, 0])
}

/// Every check, in the parent usertest (root, `dmesg_restrict=1`).
pub fn checks(checks: &mut Checks) {
    let mut buffer = [0u8; LOG_SIZE];
    let size = syscall::syslog(syslog_action::SIZE_BUFFER, &mut []);
    checks.expect("syslog SIZE_BUFFER", size.map(|n| n as u32), Ok(LOG_SIZE as u32));
    let read = syscall::syslog(syslog_action::READ_ALL, &mut buffer).unwrap_or(0);
    let text = core::str::from_utf8(&buffer[..read]).unwrap_or("");
    checks.expect_true("syslog READ_ALL holds the boot banner", text.contains("Command line: "));
    checks.expect_true("syslog READ_ALL ends with a whole line", text.ends_with('\n'));
    checks.expect_true("syslog READ_ALL has no pointer marks", !text.bytes().any(|b| b < 3));

    let mut small = [0u8; 200];
    let short = syscall::syslog(syslog_action::READ_ALL, &mut small).unwrap_or(0);
    checks.expect_true("syslog READ_ALL into 200 bytes: the newest lines", short <= 200);
    checks.expect_true(
        "syslog READ_ALL into 200 bytes: whole lines, the last ones",
        short > 0 && text.ends_with(core::str::from_utf8(&small[..short]).unwrap_or("?")),
    );

    let good = small.as_mut_ptr() as u32;
    let read_all = syslog_action::READ_ALL;
    checks.expect("syslog READ_ALL of length 0", syslog(read_all, good, 0), Ok(0));
    checks.expect("syslog negative length", syslog(read_all, good, u32::MAX), Err(Errno::EINVAL));
    checks.expect("syslog NULL buffer", syslog(read_all, 0, 16), Err(Errno::EINVAL));
    for (what, address) in [
        ("syslog into an unmapped page", 0x1000),
        ("syslog into kernel text", KERNEL_TEXT),
        ("syslog into kernel data", KERNEL_DATA),
        ("syslog into a device", DEVICE),
    ] {
        // Room for the whole log: the unmapped page is written to, not skipped.
        checks.expect(what, syslog(read_all, address, LOG_SIZE as u32), Err(Errno::EFAULT));
    }
    checks.expect("syslog action 2 (READ)", syslog(2, good, 64), Err(Errno::EINVAL));
    checks.expect("syslog action 99", syslog(99, good, 64), Err(Errno::EINVAL));

    let child = syscall::spawn("usertest", "klog-user").and_then(|pid| syscall::wait(Some(pid)));
    checks.expect(
        "syslog after setuid(1000) under dmesg_restrict=1",
        child.map(|info| info.how * 100 + info.status as u32),
        Ok(ExitInfo::EXITED * 100 + REFUSED as u32),
    );
}

/// The children the checks and the integration tests run: `klog-user` reads the log as uid
/// 1000 (exit 0 when it could, [`REFUSED`] for EPERM); `klog-kptr` makes a kernel oops in a
/// child, then checks its pc reads real as root and as zeros once uid 1000 (exit 0 when so).
pub fn child(mode: &str) -> i32 {
    match mode {
        "klog-user" => {
            if syscall::setuid(STUDENT).is_err() {
                return 3;
            }
            let mut buffer = [0u8; LOG_SIZE];
            match syscall::syslog(syslog_action::READ_ALL, &mut buffer) {
                Ok(_) => 0,
                Err(Errno::EPERM) => REFUSED,
                Err(errno) => {
                    println!("usertest klog-user: {errno}");
                    2
                }
            }
        }
        "klog-kptr" => kptr_check(),
        _ => 2,
    }
}

/// The `pc : [<...>]` value of the last oops report in the log, as this process reads it.
fn last_oops_pc(buffer: &mut [u8]) -> Option<&str> {
    let length = syscall::syslog(syslog_action::READ_ALL, buffer).ok()?;
    let text = core::str::from_utf8(&buffer[..length]).ok()?;
    let line = text.lines().rfind(|line| line.starts_with("pc : [<"))?;
    line.get(7..15)
}

fn kptr_check() -> i32 {
    let oops =
        syscall::spawn("provoke", "ACCESS_USERSPACE").and_then(|pid| syscall::wait(Some(pid)));
    if oops.map(|info| info.by_oops) != Ok(1) {
        println!("usertest klog-kptr: provoke ACCESS_USERSPACE did not oops");
        return 2;
    }
    let mut buffer = [0u8; LOG_SIZE];
    let as_root = first_eight(last_oops_pc(&mut buffer).unwrap_or("none"));
    if syscall::setuid(STUDENT).is_err() {
        return 3;
    }
    let as_user = last_oops_pc(&mut buffer).unwrap_or("none");
    let root_text = core::str::from_utf8(&as_root).unwrap_or("?");
    println!("usertest klog-kptr: pc as root {root_text}, as uid 1000 {as_user}");
    let real = root_text != "00000000" && root_text.bytes().all(|b| b.is_ascii_hexdigit());
    if real && as_user == "00000000" { 0 } else { 1 }
}

/// The first eight bytes of `text` (padded with '?'), kept past the buffer's next use.
fn first_eight(text: &str) -> [u8; 8] {
    let mut array = [b'?'; 8];
    let count = text.len().min(8);
    array[..count].copy_from_slice(&text.as_bytes()[..count]);
    array
}
