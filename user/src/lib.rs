//! The runtime of swpan's user programs: the entry point, system calls, console output.
//!
//! A program is a binary in `src/bin/` that defines its entry with [`main!`]:
//!
//! ```ignore
//! swpan_user::main!(run);
//! fn run(argument: &str) -> i32 { swpan_user::println!("hello {argument}"); 0 }
//! ```
//!
//! The kernel starts it at `_start` in User mode with SP at its initial stack, laid out as
//! Linux's ELF ABI: argc, argv[], NULL, envp[], NULL, the auxiliary vector (docs/user-mode.md).
//! `main!`'s function gets argv[1..] joined by spaces (argv[1] itself when it is the only one,
//! as `spawn`'s fast path passes it); [`arguments`], [`environment`] and [`auxiliary`] read
//! the vectors themselves. Each program is linked on its own, with its own copy of every
//! compiler builtin (`memcpy` included): user code never runs kernel text.

#![no_std]

pub mod capability;
pub mod forbidden;
pub mod seccomp;
pub mod signal;
pub mod status;
pub mod syscall;
pub mod users;

pub use swpan_abi as abi;
pub use swpan_abi::Errno;

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicPtr, Ordering};

core::arch::global_asm!(
    r#"
    .section .text._start, "ax"
    .arm
    .global _start
    .type _start, %function
_start:
    mov     fp, #0                  // ends the frame-pointer chain
    mov     lr, #0
    mov     r0, sp                  // argc, argv[], envp[], auxv
    bl      swpan_user_start
    udf     #0
    .size _start, . - _start
"#
);

unsafe extern "Rust" {
    /// The program's entry, defined by [`main!`].
    fn swpan_main(argument: &str) -> i32;
}

/// Where the kernel left argc (the initial stack pointer), for [`arguments`] and the others.
static INITIAL_STACK: AtomicPtr<u32> = AtomicPtr::new(core::ptr::null_mut());

/// The most bytes of the joined argument string `main!` passes when there are several.
const JOINED_MAX: usize = 1024;

/// Called by `_start` with the initial stack pointer.
#[unsafe(no_mangle)]
extern "C" fn swpan_user_start(stack: *mut u32) -> ! {
    INITIAL_STACK.store(stack, Ordering::Relaxed);
    let mut joined = [0u8; JOINED_MAX];
    let mut words = arguments().skip(1);
    let argument = match (words.next(), words.clone().next()) {
        (None, _) => "",
        (Some(only), None) => only,
        (Some(first), Some(_)) => {
            let mut length = 0;
            for word in core::iter::once(first).chain(words) {
                let separator = usize::from(length > 0);
                if length + separator + word.len() > JOINED_MAX {
                    break;
                }
                joined[length..length + separator].fill(b' ');
                joined[length + separator..][..word.len()].copy_from_slice(word.as_bytes());
                length += separator + word.len();
            }
            core::str::from_utf8(&joined[..length]).unwrap_or("")
        }
    };
    // SAFETY: `main!` defined `swpan_main` with this signature.
    let status = unsafe { swpan_main(argument) };
    syscall::exit(status)
}

/// The words of the initial stack from `index` on (argc is word 0).
fn stack_word(index: usize) -> u32 {
    let stack = INITIAL_STACK.load(Ordering::Relaxed);
    if stack.is_null() {
        return 0;
    }
    // SAFETY: the kernel laid out argc, the two NULL-terminated vectors and the AT_NULL-ended
    // auxiliary vector at the initial stack; callers only index within them, and the stack
    // lives as long as the process.
    unsafe { stack.add(index).read() }
}

/// The NUL-terminated string at `address` (on the initial stack), `"?"` when not UTF-8.
fn stack_string(address: u32) -> &'static str {
    let start = address as usize as *const u8;
    let mut length = 0;
    // SAFETY: the kernel put NUL-terminated strings on the stack for every vector entry; they
    // live as long as the process.
    while unsafe { start.add(length).read() } != 0 {
        length += 1;
    }
    // SAFETY: the `length` bytes before the NUL were just read.
    let bytes = unsafe { core::slice::from_raw_parts(start, length) };
    core::str::from_utf8(bytes).unwrap_or("?")
}

/// The program's argv: argv[0] (its name, as its invoker gave it) first.
pub fn arguments() -> impl Iterator<Item = &'static str> + Clone {
    let count = stack_word(0) as usize;
    (0..count).map(|index| stack_string(stack_word(1 + index)))
}

/// The program's environment strings (`NAME=value`).
pub fn environment() -> impl Iterator<Item = &'static str> + Clone {
    let start = 1 + stack_word(0) as usize + 1;
    (start..).map(stack_word).take_while(|&pointer| pointer != 0).map(stack_string)
}

/// The value of auxiliary vector entry `kind` (`abi::exec::auxv`), if the kernel gave one.
pub fn auxiliary(kind: u32) -> Option<u32> {
    let mut index = 1 + stack_word(0) as usize + 1;
    while stack_word(index) != 0 {
        index += 1;
    }
    index += 1;
    loop {
        match (stack_word(index), stack_word(index + 1)) {
            (abi::exec::auxv::AT_NULL, _) => return None,
            (found, value) if found == kind => return Some(value),
            _ => index += 2,
        }
    }
}

/// Defines the program's entry: `main!(function)` with `fn function(argument: &str) -> i32`.
#[macro_export]
macro_rules! main {
    ($function:path) => {
        #[unsafe(no_mangle)]
        fn swpan_main(argument: &str) -> i32 {
            $function(argument)
        }
    };
}

/// Console output, buffered per call so that a line leaves in one `write`.
pub struct Console {
    buffer: [u8; 256],
    length: usize,
}

impl Console {
    /// An empty buffer.
    pub const fn new() -> Console {
        Console { buffer: [0; 256], length: 0 }
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) {
        let mut written = 0;
        while written < self.length {
            match syscall::write(1, &self.buffer[written..self.length]) {
                Ok(0) | Err(_) => break,
                Ok(count) => written += count,
            }
        }
        self.length = 0;
    }
}

impl Default for Console {
    fn default() -> Self {
        Console::new()
    }
}

impl Write for Console {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for &byte in text.as_bytes() {
            if self.length == self.buffer.len() {
                self.flush();
            }
            self.buffer[self.length] = byte;
            self.length += 1;
        }
        Ok(())
    }
}

/// Prints formatted text on the console.
pub fn print(arguments: fmt::Arguments<'_>) {
    let mut console = Console::new();
    let _ = console.write_fmt(arguments);
    console.flush();
}

/// Prints to the console.
#[macro_export]
macro_rules! print {
    ($($argument:tt)*) => { $crate::print(format_args!($($argument)*)) };
}

/// Prints to the console, with a newline.
#[macro_export]
macro_rules! println {
    () => { $crate::print(format_args!("\n")) };
    ($($argument:tt)*) => { $crate::print(format_args!("{}\n", format_args!($($argument)*))) };
}

#[cfg(target_os = "none")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    println!("user panic: {}", info.message());
    syscall::exit(101)
}
