//! `syscall [--strict] [--sigsys] NR [ARG...]`: makes one raw system call with integer arguments
//! (decimal or 0x hex, at most six) and prints what it returned:
//!
//! ```text
//! syscall: 20 returned 7
//! syscall: 37 failed: errno 1 (EPERM)
//! ```
//!
//! Exit status 0 when the call succeeded, 1 when it failed, 2 for bad usage. `--strict`
//! enters seccomp's strict mode first: read, write, exit and rt_sigreturn still work (the
//! result is printed with write, the status given with exit), any other call kills the
//! process with SIGKILL. `--sigsys` first installs a SIGSYS handler that prints the siginfo
//! of a seccomp TRAP (Linux's `si_code` SYS_SECCOMP fields) and returns:
//!
//! ```text
//! syscall: SIGSYS si_code 1 (SYS_SECCOMP) si_errno 66 si_call_addr 0x0010123c si_syscall 20 si_arch 0x40000028
//! ```

#![no_std]
#![no_main]

use swpan_user::abi::signal::{SIGSYS, SignalFrame, code::SYS_SECCOMP};
use swpan_user::seccomp::{self, ErrnoText};
use swpan_user::signal;
use swpan_user::{Errno, println, syscall};

swpan_user::main!(run);

const USAGE: &str = "usage: syscall [--strict] [--sigsys] NR [ARG...] (at most 6 integer \
                     arguments, decimal or 0x hex)";

fn run(_: &str) -> i32 {
    let mut words = swpan_user::arguments().skip(1).peekable();
    let strict = words.next_if_eq(&"--strict").is_some();
    let sigsys = words.next_if_eq(&"--sigsys").is_some();
    let Some(number_word) = words.next() else {
        println!("{USAGE}");
        return 2;
    };
    let Some(number) = parse(number_word) else {
        println!("syscall: '{number_word}' is not an integer\n{USAGE}");
        return 2;
    };
    let mut values = [0u32; 6];
    for (index, word) in words.enumerate() {
        let Some(value) = parse(word) else {
            println!("syscall: '{word}' is not an integer\n{USAGE}");
            return 2;
        };
        let Some(slot) = values.get_mut(index) else {
            println!("syscall: too many arguments\n{USAGE}");
            return 2;
        };
        *slot = value;
    }
    if sigsys && let Err(errno) = signal::set_handler(SIGSYS, print_sigsys, 0, 0) {
        println!("syscall: rt_sigaction: {}", ErrnoText(errno.number()));
        return 1;
    }
    if strict && let Err(errno) = seccomp::enter_strict_mode() {
        println!("syscall: seccomp: {}", ErrnoText(errno));
        return 1;
    }
    // SAFETY: the user asked for exactly this call; whatever it does to this process (a bad
    // pointer is the kernel's to refuse) is the point of the tool.
    let result = unsafe { syscall::raw(number, values) };
    match syscall::check(result) {
        Ok(value) => {
            println!("syscall: {number_word} returned {value}");
            0
        }
        Err(_) => {
            let errno = (result as i32).unsigned_abs();
            let name = Errno::from_number(errno).map_or("unknown", Errno::name);
            println!("syscall: {number_word} failed: errno {errno} ({name})");
            1
        }
    }
}

/// The SIGSYS handler of `--sigsys`: prints the seccomp fields of its siginfo.
extern "C" fn print_sigsys(_: u32, frame: *mut SignalFrame, _: *mut u8) {
    // SAFETY: the kernel passed this handler its frame, on this process's stack.
    let frame = unsafe { signal::read_frame(frame) };
    let code = if frame.code == SYS_SECCOMP { "SYS_SECCOMP" } else { "not SYS_SECCOMP" };
    let [call_address, number, arch, ..] = frame.fields;
    println!(
        "syscall: SIGSYS si_code {} ({code}) si_errno {} si_call_addr {call_address:#010x} \
         si_syscall {number} si_arch {arch:#010x}",
        frame.code, frame.errno
    );
}

/// A decimal or `0x` hexadecimal integer; negative decimals are their two's complement.
fn parse(word: &str) -> Option<u32> {
    if let Some(hex) = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok();
    }
    if let Some(negative) = word.strip_prefix('-') {
        return negative
            .parse::<u32>()
            .ok()
            .filter(|&value| value <= 1 << 31)
            .map(u32::wrapping_neg);
    }
    word.parse().ok()
}
