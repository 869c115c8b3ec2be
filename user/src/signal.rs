//! Signals from user mode: handlers with the runtime's restorer, the blocked set, groups.
//!
//! As glibc does, the runtime gives every handler a restorer: [`restorer`], two instructions
//! that call `rt_sigreturn` when the handler returns (the kernel made LR point at it). The
//! handler is an `extern "C" fn(signal, info, context)`; `info` points at the frame the
//! kernel wrote ([`SignalFrame`], whose first 128 bytes are the `siginfo_t`), `context` at its
//! `ucontext`.

use crate::syscall::check;
use swpan_abi::signal::{SIGSET_SIZE, SigAction, SignalFrame, flags};
use swpan_abi::syscall as number;
use swpan_abi::{Errno, Record};

core::arch::global_asm!(
    r#"
    .section .text.swpan_signal_restorer, "ax"
    .arm
    .global swpan_signal_restorer
    .type swpan_signal_restorer, %function
swpan_signal_restorer:
    mov     r7, #{RT_SIGRETURN}
    svc     #0
    udf     #0
    .size swpan_signal_restorer, . - swpan_signal_restorer
"#,
    RT_SIGRETURN = const number::RT_SIGRETURN,
);

unsafe extern "C" {
    fn swpan_signal_restorer();
}

/// The address of the runtime's restorer: `rt_sigreturn`, for a handler's LR.
pub fn restorer() -> u32 {
    swpan_signal_restorer as *const () as u32
}

/// A signal handler: `(signal, frame, ucontext)`.
pub type Handler = extern "C" fn(u32, *mut SignalFrame, *mut u8);

fn call(number: u32, arguments: [u32; 6]) -> Result<u32, Errno> {
    // SAFETY: the wrappers below pass NULL or pointers to live records of the sizes the calls
    // read and write.
    check(unsafe { crate::syscall::raw(number, arguments) })
}

/// `rt_sigaction`: sets the action of `signal` if `new`, returns the one it had.
pub fn sigaction(signal: u32, new: Option<&SigAction>) -> Result<SigAction, Errno> {
    let mut old = SigAction::default();
    let new_address = new.map_or(0, |action| core::ptr::from_ref(action).addr() as u32);
    let old_address = core::ptr::from_mut(&mut old).addr() as u32;
    call(number::RT_SIGACTION, [signal, new_address, old_address, SIGSET_SIZE, 0, 0])?;
    Ok(old)
}

/// Runs `handler` for `signal` (with `SA_SIGINFO` and the runtime's restorer, plus `extra`
/// flags), blocking `mask` while it runs. Returns the old action.
pub fn set_handler(
    signal: u32,
    handler: Handler,
    extra: u32,
    mask: u64,
) -> Result<SigAction, Errno> {
    let action = SigAction {
        handler: handler as *const () as u32,
        flags: flags::SA_SIGINFO | flags::SA_RESTORER | extra,
        restorer: restorer(),
        mask: swpan_abi::signal::set_words(mask),
    };
    sigaction(signal, Some(&action))
}

/// Sets `signal`'s action to `handler` ([`swpan_abi::signal::SIG_DFL`] or `SIG_IGN`).
pub fn set_disposition(signal: u32, handler: u32) -> Result<SigAction, Errno> {
    sigaction(signal, Some(&SigAction { handler, ..SigAction::default() }))
}

/// `rt_sigprocmask`: changes the blocked set as `how` says (if `set`), returns the old one.
pub fn sigprocmask(how: u32, set: Option<u64>) -> Result<u64, Errno> {
    let new = set.unwrap_or(0);
    let mut old = 0u64;
    let new_address = if set.is_some() { core::ptr::from_ref(&new).addr() as u32 } else { 0 };
    let old_address = core::ptr::from_mut(&mut old).addr() as u32;
    call(number::RT_SIGPROCMASK, [how, new_address, old_address, SIGSET_SIZE, 0, 0])?;
    Ok(old)
}

/// `getpgid(pid)`: the process group of `pid` (0: this process).
pub fn getpgid(pid: u32) -> Result<u32, Errno> {
    call(number::GETPGID, [pid, 0, 0, 0, 0, 0])
}

/// `setpgid(pid, group)`: moves `pid` (0: this process) into `group` (0: its own).
pub fn setpgid(pid: u32, group: u32) -> Result<(), Errno> {
    call(number::SETPGID, [pid, group, 0, 0, 0, 0]).map(|_| ())
}

/// The frame a handler received, as a record (a copy).
///
/// # Safety
///
/// `frame` must be the pointer the kernel passed the handler, used while the handler runs.
pub unsafe fn read_frame(frame: *const SignalFrame) -> SignalFrame {
    // SAFETY: the caller passes the frame the kernel wrote on this process's stack.
    unsafe { frame.read() }
}

/// The frame's bytes, as the kernel wrote them (for a program that builds or checks one).
pub fn frame_bytes(frame: &SignalFrame) -> <SignalFrame as Record>::Bytes {
    frame.to_bytes()
}
