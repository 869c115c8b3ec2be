//! `provoke NAME`: lkdtm's `echo NAME > /sys/kernel/debug/provoke-crash/DIRECT`, as a process.
//!
//! A protected kernel oopses inside the system call and this process dies there. If the
//! call returns, the crash type ran to its end: the protection did not stop it.

#![no_std]
#![no_main]

use swpan_user::{println, syscall};

swpan_user::main!(run);

/// Exit status when the crash type returned.
const SURVIVED: i32 = 1;
/// Exit status when the kernel refused the request.
const REFUSED: i32 = 2;

fn run(name: &str) -> i32 {
    match syscall::provoke(name) {
        Ok(()) => SURVIVED,
        Err(errno) => {
            println!("provoke: {name}: {errno}");
            REFUSED
        }
    }
}
