//! The runtime of swpan's user programs: the entry point, system calls, console output.
//!
//! A program is a binary in `src/bin/` that defines its entry with [`main!`]:
//!
//! ```ignore
//! swpan_user::main!(run);
//! fn run(argument: &str) -> i32 { swpan_user::println!("hello {argument}"); 0 }
//! ```
//!
//! The kernel starts it at `_start` in User mode with r0/r1 = its argument string (on the
//! user stack) and SP at the top of its stack. Each program is linked on its own, with its own
//! copy of every compiler builtin (`memcpy` included): user code never runs kernel text.

#![no_std]

pub mod forbidden;
pub mod signal;
pub mod syscall;

pub use swpan_abi as abi;
pub use swpan_abi::Errno;

use core::fmt::{self, Write};

core::arch::global_asm!(
    r#"
    .section .text._start, "ax"
    .arm
    .global _start
    .type _start, %function
_start:
    mov     fp, #0                  // ends the frame-pointer chain
    mov     lr, #0
    bl      swpan_user_start
    udf     #0
    .size _start, . - _start
"#
);

unsafe extern "Rust" {
    /// The program's entry, defined by [`main!`].
    fn swpan_main(argument: &str) -> i32;
}

/// Called by `_start` with the argument string the kernel placed on the stack.
#[unsafe(no_mangle)]
extern "C" fn swpan_user_start(argument: *const u8, length: usize) -> ! {
    // SAFETY: the kernel put `length` bytes of UTF-8 (it checked) at `argument`, on this
    // process's stack, which lives as long as the process.
    let argument =
        unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(argument, length)) };
    // SAFETY: `main!` defined `swpan_main` with this signature.
    let status = unsafe { swpan_main(argument) };
    syscall::exit(status)
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

/// Reads one line from the console into `buffer`, echoing what is typed as a terminal would.
/// Returns the line without its end (`\n` or `\r`); backspace erases. `None` on a read error.
pub fn read_line(buffer: &mut [u8]) -> Option<&str> {
    let mut length = 0;
    loop {
        let mut byte = [0u8; 1];
        match syscall::read(0, &mut byte) {
            Ok(1) => {}
            _ => return None,
        }
        match byte[0] {
            b'\r' | b'\n' => {
                print!("\n");
                break;
            }
            0x08 | 0x7F if length > 0 => {
                length -= 1;
                print!("\x08 \x08");
            }
            byte if (0x20..0x7F).contains(&byte) && length < buffer.len() => {
                buffer[length] = byte;
                length += 1;
                let echo = [byte];
                let _ = syscall::write(1, &echo);
            }
            _ => {}
        }
    }
    core::str::from_utf8(&buffer[..length]).ok()
}

#[cfg(target_os = "none")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    println!("user panic: {}", info.message());
    syscall::exit(101)
}
