//! `dmesg`: prints the kernel log (`syslog` READ_ALL), as util-linux's dmesg without options.
//!
//! A reader the kernel refuses (`dmesg_restrict=1` without CAP_SYSLOG) gets util-linux's
//! message and exit status 1.

#![no_std]
#![no_main]

use swpan_user::abi::syslog_action;
use swpan_user::{println, syscall};

swpan_user::main!(run);

/// The log's default size; the kernel says the real one (SIZE_BUFFER).
const BUFFER: usize = 16 * 1024;

fn run(_argument: &str) -> i32 {
    let mut buffer = [0u8; BUFFER];
    match syscall::syslog(syslog_action::READ_ALL, &mut buffer) {
        Ok(length) => {
            let mut written = 0;
            while written < length {
                match syscall::write(1, &buffer[written..length]) {
                    Ok(0) | Err(_) => return 1,
                    Ok(count) => written += count,
                }
            }
            0
        }
        Err(errno) => {
            println!("dmesg: read kernel buffer failed: {}", errno.description());
            1
        }
    }
}
