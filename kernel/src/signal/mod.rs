//! Signals: `kill` with process groups, `rt_sigaction`, `rt_sigprocmask`, the handler's frame
//! on the user stack and `rt_sigreturn`, with Linux's numbers and rules (signal(7)).
//!
//! - [`frame`]: the frame a handler finds (Linux ARM's `struct rt_sigframe`), the registers
//!   it starts with, and `rt_sigreturn`'s CPSR check; pure logic, unit-tested on the host;
//! - `delivery` (target only): on the way back to user mode, the next pending signal ends
//!   the process, is ignored, or gets its frame written with `copy_record_to_user`; a user
//!   fault becomes SIGSEGV or SIGILL; `rt_sigreturn` reads the frame back with
//!   `copy_from_user`;
//! - `calls` (target only): the system calls.
//!
//! The numbers, default actions and records are in `swpan_abi::signal`; each process's state
//! (group, actions, blocked and pending sets) in `crate::process::signal_state`.

pub mod frame;

#[cfg(target_arch = "arm")]
mod calls;
#[cfg(target_arch = "arm")]
mod delivery;

#[cfg(target_arch = "arm")]
pub use calls::*;
#[cfg(target_arch = "arm")]
pub use delivery::{deliver_pending, fault, sigreturn};
