//! The kernel command line: `key` and `key=value` words separated by spaces.
//!
//! QEMU hands the words to the kernel over semihosting; this module reads them and turns them
//! into a typed [`CommandLine`] or an error that names the offending word.
//!
//! - `parse`: the parser and the keys (pure, unit-tested on the host);
//! - `semihosting` (target only): the line as QEMU hands it over.

mod parse;
#[cfg(target_arch = "arm")]
mod semihosting;

pub use parse::*;
#[cfg(target_arch = "arm")]
pub use semihosting::command_line;
