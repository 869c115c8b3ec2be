//! `provoke NAME`: lkdtm's `echo NAME > /sys/kernel/debug/provoke-crash/DIRECT`, as a process.
//!
//! A protected kernel oopses inside the system call and this process dies there. If the
//! call returns, the crash type ran to its end: the protection did not stop it.
//!
//! `provoke --map-null NAME` first maps a page at address 0, as a NULL-dereference exploit
//! does (needs CAP_SYS_RAWIO: `mmap_min_addr`), so that ACCESS_NULL and EXEC_NULL meet a
//! user page instead of the unmapped NULL gap. Past its first word (left zero: `andeq r0, r0,
//! r0`, a no-op) the page is filled with `udf` instructions.

#![no_std]
#![no_main]

use swpan_user::abi::{map, protection};
use swpan_user::{println, syscall};

/// The page size.
const PAGE: usize = 4096;

swpan_user::main!(run);

/// Exit status when the crash type returned.
const SURVIVED: i32 = 1;
/// Exit status when the kernel refused the request.
const REFUSED: i32 = 2;

/// Exit status of a bad command line or a refused mapping.
const USAGE: i32 = 2;
/// `udf #0` in A32: the page at 0 traps if anything executes it.
const UDF: u32 = 0xe7f0_00f0;

fn run(_: &str) -> i32 {
    let mut arguments = swpan_user::arguments().skip(1);
    let (map_null, name) = match (arguments.next(), arguments.next(), arguments.next()) {
        (Some("--map-null"), Some(name), None) => (true, name),
        (Some(name), None, None) if !name.starts_with('-') => (false, name),
        _ => {
            println!("usage: provoke [--map-null] NAME");
            return USAGE;
        }
    };
    if map_null {
        let everything = protection::READ | protection::WRITE | protection::EXEC;
        let fixed = map::PRIVATE | map::ANONYMOUS | map::FIXED;
        if let Err(errno) = syscall::mmap(0, PAGE, everything, fixed) {
            println!("provoke: mmap at 0: {errno}");
            return USAGE;
        }
        let words = core::ptr::null_mut::<u32>();
        // Word 0 is left alone: address 0 itself is never a valid Rust pointer.
        for index in 1..PAGE / 4 {
            // SAFETY: the page at 0 was just mapped read-write and `index` stays inside it;
            // the pointer is never NULL.
            unsafe { words.wrapping_add(index).write_volatile(UDF) };
        }
        if syscall::cacheflush(0, PAGE as u32).is_err() {
            println!("provoke: cacheflush failed");
            return USAGE;
        }
    }
    match syscall::provoke(name) {
        Ok(()) => SURVIVED,
        Err(errno) => {
            println!("provoke: {name}: {errno}");
            REFUSED
        }
    }
}
