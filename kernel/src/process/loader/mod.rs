//! The ELF loader: checks a user program image and maps its segments into an address space.
//!
//! [`plan`] is pure and unit-tested on the host: it reads the image through [`crate::elf`]
//! (which bounds-checks every header) and refuses anything a user program must not be: not
//! a 32-bit little-endian ARM executable, no loadable segment, a segment outside the program
//! area of the user half, an unreadable segment, segments sharing a page, an entry point
//! outside the file bytes of an executable segment, a Thumb or misaligned entry point.
//! A segment may be both writable and executable: user memory follows Linux's policy, the
//! same for `mmap` (docs/user-mode.md). `load` (target only) then maps exactly what the plan
//! says, and makes the code it wrote visible to instruction fetches.

#[cfg(target_arch = "arm")]
mod load;
mod plan;

#[cfg(target_arch = "arm")]
pub use load::{load, user_attributes};
pub use plan::*;
