//! Reports of kernel failures, in the shape of Linux's: the cause, the registers, the DACR,
//! the call trace; then the end of the process that failed, or a panic.
//!
//! - [`format`]: the report's lines, pure formatting (unit-tested on the host);
//! - `report` (target only): printing them for an oops, a stack overflow, a fault in user
//!   mode or an exception nobody expected, and what follows.

pub mod format;
#[cfg(target_arch = "arm")]
mod report;

pub use format::*;
#[cfg(target_arch = "arm")]
pub use report::*;
