//! The bad-pointer matrix: every system call that takes a pointer, called with each kind of
//! bad pointer, and what the kernel answered, printed as a Markdown table.
//!
//! Rows are system calls, columns kinds of pointer. A cell is `ok N` (the call succeeded and
//! returned N), `ok` (it succeeded; the value says nothing here, a pid say) or the errno
//! name. `-` marks a column that means nothing for the call (a string has no length). The
//! kernel must answer every bad pointer with an errno: an oops would kill this process before
//! the table ends, a copy outside the kernel's bounce buffer trips its canaries (a kernel
//! panic), and a window left open is reported by the kernel's DACR invariant checks.
//! `qemu/pointer-matrix` boots `init=badptr` and writes the table to docs/bad-pointers.md.
//!
//! The table is made by a child, `badptr table`: the kernel puts a process's last argument
//! string at the very top of the user half, its NUL in the last byte; the child overwrites
//! that NUL, so its own argument becomes a string that runs across the top, the string calls'
//! case of a range across it.

#![no_std]
#![no_main]

use swpan_user::abi::{ExitInfo, map, protection, syscall as number};
use swpan_user::forbidden::{DEVICE, KERNEL_DATA, KERNEL_TEXT, USER_END};
use swpan_user::syscall::{self, check, raw};
use swpan_user::{Errno, print, println};

swpan_user::main!(run);

/// A length that makes `pointer + length` wrap past 2^32.
const WRAPPING: u32 = 0xFFFF_FFF0;
/// A length far beyond any mapping that still ends inside the user half.
const HUGE: u32 = 0x3000_0000;
/// The length of every other case.
const LENGTH: u32 = 16;

/// The pages the cases point into.
struct Pages {
    /// A read-write page, followed by a hole: its first 16 bytes are the good buffer.
    page: u32,
    /// The unmapped page after it.
    hole: u32,
    /// A string without a NUL that ends at the top of the user half.
    string_across_the_top: u32,
    /// A read-only page of zeros.
    read_only: u32,
}

/// One column: a kind of pointer and the length that goes with it.
struct Case {
    name: &'static str,
    /// The pointer and the length, from the pages.
    pointer: fn(&Pages) -> (u32, u32),
    /// Only for calls with a length argument.
    needs_length: bool,
}

/// The string calls' pointer for a case: a string has no length, so the range across the top
/// of the user half is a string that runs into it.
fn string_pointer(case: &Case, pages: &Pages) -> u32 {
    if case.name == ACROSS_THE_TOP { pages.string_across_the_top } else { (case.pointer)(pages).0 }
}

const ACROSS_THE_TOP: &str = "across the top of the user half";

const CASES: &[Case] = &[
    Case { name: "NULL", pointer: |_| (0, LENGTH), needs_length: false },
    Case { name: "unmapped page", pointer: |pages| (pages.hole, LENGTH), needs_length: false },
    Case {
        name: "read-only page",
        pointer: |pages| (pages.read_only, LENGTH),
        needs_length: false,
    },
    Case { name: "kernel text", pointer: |_| (KERNEL_TEXT, LENGTH), needs_length: false },
    Case { name: "kernel data", pointer: |_| (KERNEL_DATA, LENGTH), needs_length: false },
    Case { name: "device", pointer: |_| (DEVICE, LENGTH), needs_length: false },
    Case { name: ACROSS_THE_TOP, pointer: |_| (USER_END - 8, LENGTH), needs_length: false },
    Case { name: "wrapping length", pointer: |pages| (pages.page, WRAPPING), needs_length: true },
    Case { name: "misaligned", pointer: |pages| (pages.page + 1, LENGTH), needs_length: false },
    Case { name: "huge length", pointer: |pages| (pages.page, HUGE), needs_length: true },
];

/// One row: a system call, with the pointer under test in one argument.
struct Row {
    name: &'static str,
    /// Whether the value returned is worth printing (a byte count) or not (a pid).
    show_value: bool,
    /// Whether the call takes a length for the pointer.
    has_length: bool,
    /// A NUL-terminated string the call accepts, for a string argument: written at the good
    /// pointer before each case, so that the misaligned case reads a meaningful string.
    string: Option<&'static [u8]>,
    /// Makes the call.
    call: fn(u32, u32) -> Result<u32, Errno>,
}

const ROWS: &[Row] = &[
    Row {
        name: "read(loopback)",
        show_value: true,
        has_length: true,
        string: None,
        call: |pointer, length| {
            fill_loopback();
            let result = call(number::READ, [4, pointer, length, 0, 0, 0]);
            drain_loopback();
            result
        },
    },
    Row {
        name: "write(null device)",
        show_value: true,
        has_length: true,
        string: None,
        call: |pointer, length| call(number::WRITE, [3, pointer, length, 0, 0, 0]),
    },
    Row {
        name: "spawn(program)",
        show_value: false,
        has_length: false,
        string: Some(b"true\0"),
        call: |pointer, _| {
            reap(call(number::SPAWN, [pointer, CHILD_ARGUMENT.as_ptr() as u32, 0, 0, 0, 0]))
        },
    },
    Row {
        name: "spawn(argument)",
        show_value: false,
        has_length: false,
        string: Some(b"argument\0"),
        call: |pointer, _| {
            reap(call(number::SPAWN, [PROGRAM.as_ptr() as u32, pointer, 0, 0, 0, 0]))
        },
    },
    Row {
        name: "wait(info)",
        show_value: false,
        has_length: false,
        string: None,
        call: |pointer, _| {
            let child = match syscall::spawn("true", "") {
                Ok(child) => child,
                Err(errno) => return Err(errno),
            };
            let result = call(number::WAIT, [child, pointer, 0, 0, 0, 0]);
            if result.is_err() {
                // Refused before reaping (the range check) or after (the copy): either way
                // the child must not outlive the case.
                let _ = syscall::wait(Some(child));
            }
            result
        },
    },
    Row {
        name: "provoke(name)",
        show_value: false,
        has_length: false,
        string: Some(b"NOT_A_CRASH_TYPE\0"),
        call: |pointer, _| call(number::PROVOKE, [pointer, 0, 0, 0, 0, 0]),
    },
    Row {
        name: "uaccess_report(report)",
        show_value: false,
        has_length: false,
        string: None,
        call: |pointer, _| call(number::UACCESS_REPORT, [pointer, 0, 0, 0, 0, 0]),
    },
    Row {
        name: "maps(buffer)",
        show_value: false,
        has_length: true,
        string: None,
        call: |pointer, length| call(number::MAPS, [pointer, length, 0, 0, 0, 0]),
    },
    Row {
        name: "lkdtm_list(buffer)",
        show_value: true,
        has_length: true,
        string: None,
        call: |pointer, length| call(number::LKDTM_LIST, [pointer, length, 0, 0, 0, 0]),
    },
    Row {
        name: "cacheflush(start, end)",
        show_value: true,
        has_length: true,
        string: None,
        call: |pointer, length| {
            call(number::CACHEFLUSH, [pointer, pointer.wrapping_add(length), 0, 0, 0, 0])
        },
    },
];

/// The child the `spawn` and `wait` rows start: it exits at once.
const PROGRAM: &[u8] = b"true\0";
const CHILD_ARGUMENT: &[u8] = b"\0";

fn call(number: u32, arguments: [u32; 6]) -> Result<u32, Errno> {
    // SAFETY: the pointers are bad on purpose: the kernel must refuse them with an errno;
    // the good ones point into this process's own pages.
    check(unsafe { raw(number, arguments) })
}

/// Puts 16 bytes in the loopback, for `read` to have something to copy.
fn fill_loopback() {
    let _ = syscall::write(4, b"0123456789abcdef");
}

/// Empties the loopback, whatever the case left in it.
fn drain_loopback() {
    let mut sink = [0u8; 64];
    while matches!(syscall::read(4, &mut sink), Ok(length) if length > 0) {}
}

/// A successful spawn leaves a child: reap it, so that every case starts alike.
fn reap(spawned: Result<u32, Errno>) -> Result<u32, Errno> {
    if let Ok(child) = spawned {
        let _ = syscall::wait(Some(child));
    }
    spawned
}

fn run(argument: &str) -> i32 {
    if argument.is_empty() {
        return table_in_a_child();
    }
    let flags = map::PRIVATE | map::ANONYMOUS;
    let read_write = protection::READ | protection::WRITE;
    let (Ok(read_only), Ok(page)) = (
        syscall::mmap(0, 4096, protection::READ, flags),
        syscall::mmap(0, 2 * 4096, read_write, flags),
    ) else {
        println!("badptr: mmap failed");
        return 1;
    };
    if syscall::munmap(page + 4096, 4096).is_err() {
        println!("badptr: munmap failed");
        return 1;
    }
    let string_across_the_top = argument.as_ptr() as u32;
    if string_across_the_top.wrapping_add(argument.len() as u32 + 1) != USER_END {
        println!("badptr: the argument is not at the top of the user half");
        return 1;
    }
    // SAFETY: the last byte of the user half is the NUL after the argument, on this process's
    // stack; nothing reads the argument as a string after this.
    unsafe { ((USER_END - 1) as *mut u8).write_volatile(b'!') };
    let pages = Pages { page, hole: page + 4096, read_only, string_across_the_top };

    print!("| system call |");
    for case in CASES {
        print!(" {} |", case.name);
    }
    println!();
    print!("|---|");
    for _ in CASES {
        print!("---|");
    }
    println!();
    for row in ROWS {
        print!("| {} |", row.name);
        for case in CASES {
            if case.needs_length && !row.has_length {
                print!(" - |");
                continue;
            }
            let (mut pointer, length) = (case.pointer)(&pages);
            if let Some(string) = row.string {
                pointer = string_pointer(case, &pages);
                // SAFETY: the string fits in the first page with a byte to spare, which is
                // this process's own read-write memory.
                unsafe {
                    core::ptr::copy_nonoverlapping(
                        string.as_ptr(),
                        (pages.page + 1) as *mut u8,
                        string.len(),
                    )
                };
            }
            match (row.call)(pointer, length) {
                Ok(value) if row.show_value => print!(" ok {value} |"),
                Ok(_) => print!(" ok |"),
                Err(errno) => print!(" {errno} |"),
            }
        }
        println!();
    }
    0
}

/// Runs `badptr table` and passes on how it ended.
fn table_in_a_child() -> i32 {
    let info = match syscall::spawn("badptr", "table").and_then(|child| syscall::wait(Some(child)))
    {
        Ok(info) => info,
        Err(errno) => {
            println!("badptr: could not run the table: {errno}");
            return 1;
        }
    };
    if info.how == ExitInfo::EXITED {
        info.status
    } else {
        println!("badptr: the table was killed: {}", info.cause());
        1
    }
}
