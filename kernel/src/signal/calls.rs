//! The signal system calls: `kill`, `getpgid`, `setpgid`, `rt_sigaction`, `rt_sigprocmask`
//! (`rt_sigreturn` is in `delivery`, beside the frame it reads).

use crate::errno::Errno;
use crate::process::signal_state::{Action, Info, is_signal};
use crate::process::{self, Pid};
use crate::uaccess::{UserPtr, copy_from_user, copy_record_to_user, copy_to_user};
use swpan_abi::Record;
use swpan_abi::signal::{self, SIGKILL, SIGSET_SIZE, SigAction, code};

/// The result of a call: a value, or an errno.
type SyscallResult = Result<u32, Errno>;

/// Linux's permission rule for sending a signal (`kill_ok_by_cred`): the sender's real or
/// effective uid equals the target's real or saved uid, or the sender has CAP_KILL
/// ([`crate::credentials::Credentials::may_signal`]).
pub fn may_signal(sender: Pid, target: Pid) -> bool {
    let credentials = |pid| process::with_process(pid, |process| process.credentials).ok();
    match (credentials(sender), credentials(target)) {
        (Some(sender), Some(target)) => sender.may_signal(&target),
        _ => false,
    }
}

/// `kill(pid, signal)`: `pid` > 0 that process, 0 the caller's process group, -1 every
/// process but init (pid 1) and the caller, < -1 the group `-pid`. Signal 0 checks that the
/// targets exist and may be signalled, and sends nothing. ESRCH when no process matches,
/// EPERM when none may be signalled, EINVAL for a number that is no signal.
pub fn kill(pid: u32, signal: u32) -> SyscallResult {
    if signal != 0 && !is_signal(signal) {
        return Err(Errno::EINVAL);
    }
    let sender = process::current_pid();
    let targets = match pid as i32 {
        0 => {
            let group = process::with_current(|process| process.signals.group);
            process::live_processes(|process| process.signals.group == group)
        }
        -1 => process::live_processes(|process| process.pid != 1 && process.pid != sender),
        i32::MIN => return Err(Errno::ESRCH),
        group @ ..-1 => {
            let group = group.unsigned_abs();
            process::live_processes(|process| process.signals.group == group)
        }
        _ => process::with_process(pid, |process| alloc::vec![process.pid])?,
    };
    let permitted: alloc::vec::Vec<Pid> =
        targets.iter().copied().filter(|&target| may_signal(sender, target)).collect();
    match (targets.is_empty(), permitted.is_empty()) {
        (true, _) => return Err(Errno::ESRCH),
        (false, true) => return Err(Errno::EPERM),
        _ => {}
    }
    if signal == 0 {
        return Ok(0);
    }
    // The caller last: a fatal signal to itself ends the call.
    let (others, itself): (alloc::vec::Vec<Pid>, alloc::vec::Vec<Pid>) =
        permitted.into_iter().partition(|&target| target != sender);
    let info = Info { code: code::SI_USER, first: sender, ..Info::default() };
    for target in others.into_iter().chain(itself) {
        // A target that ended meanwhile is skipped, as if it had ended before.
        let _ = if signal == SIGKILL {
            process::kill(target)
        } else {
            process::post(target, signal, info)
        };
    }
    Ok(0)
}

/// `getpgid(pid)`: the process group of `pid` (0: the caller).
pub fn getpgid(pid: u32) -> SyscallResult {
    if pid == 0 {
        return Ok(process::with_current(|process| process.signals.group));
    }
    process::with_process(pid, |process| process.signals.group)
}

/// `setpgid(pid, group)`: moves `pid` (0: the caller), which must be the caller or one of its
/// children (ESRCH), into `group` (0: a group of its own, numbered by its pid). A group other
/// than its own must exist already (EPERM); a negative one is EINVAL. swpan has no sessions,
/// so Linux's session rules have nothing to check.
pub fn setpgid(pid: u32, group: u32) -> SyscallResult {
    if (group as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let caller = process::current_pid();
    let pid = if pid == 0 { caller } else { pid };
    let group = if group == 0 { pid } else { group };
    let parent = process::with_process(pid, |process| process.parent)?;
    if pid != caller && parent != caller {
        return Err(Errno::ESRCH);
    }
    if group != pid && process::live_processes(|process| process.signals.group == group).is_empty()
    {
        return Err(Errno::EPERM);
    }
    process::with_process(pid, |process| process.signals.group = group)?;
    Ok(0)
}

/// Checks the `sigsetsize` argument of the `rt_` calls: 8 bytes, 64 signals.
fn check_set_size(size: u32) -> Result<(), Errno> {
    if size == SIGSET_SIZE { Ok(()) } else { Err(Errno::EINVAL) }
}

/// `rt_sigaction(signal, new, old, sigsetsize)`: reads the new action (if `new` is not NULL)
/// before anything changes, sets it, and writes the old one (if `old` is not NULL). EFAULT
/// for a bad pointer, EINVAL as `SignalState::set_action` says.
pub fn sigaction(
    signal: u32,
    new: UserPtr<SigAction>,
    old: UserPtr<SigAction>,
    set_size: u32,
) -> SyscallResult {
    check_set_size(set_size)?;
    let new = if new.address() == 0 {
        None
    } else {
        let mut bytes = [0u8; core::mem::size_of::<SigAction>()];
        copy_from_user(&mut bytes, new.cast())?;
        Some(Action::from_record(&SigAction::from_bytes(&bytes)))
    };
    if !is_signal(signal) {
        return Err(Errno::EINVAL);
    }
    // The old action is read first, so that a bad `old` pointer changes nothing.
    let previous = process::with_current(|process| process.signals.action(signal));
    if old.address() != 0 {
        crate::uaccess::access_ok(old.address(), core::mem::size_of::<SigAction>() as u32)?;
    }
    process::with_current(|process| process.signals.set_action(signal, new))?;
    if old.address() != 0 {
        copy_record_to_user(old, &previous.to_record())?;
    }
    Ok(0)
}

/// `rt_sigprocmask(how, new, old, sigsetsize)`: changes the blocked set (if `new` is not
/// NULL) and writes the old one (if `old` is not NULL). SIGKILL and SIGSTOP are never
/// blocked. A signal this unblocks is delivered on the way back to user mode.
pub fn sigprocmask(how: u32, new: UserPtr<u8>, old: UserPtr<u8>, set_size: u32) -> SyscallResult {
    check_set_size(set_size)?;
    let new = if new.address() == 0 {
        None
    } else {
        let mut bytes = [0u8; 8];
        copy_from_user(&mut bytes, new)?;
        Some(u64::from_ne_bytes(bytes))
    };
    let previous = process::with_current(|process| process.signals.blocked);
    if old.address() != 0 {
        crate::uaccess::access_ok(old.address(), 8)?;
    }
    process::change_current_signals(|signals| signals.set_blocked(how, new))?;
    if old.address() != 0 {
        let words = signal::set_words(previous);
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&words[0].to_ne_bytes());
        bytes[4..].copy_from_slice(&words[1].to_ne_bytes());
        copy_to_user(old, &bytes)?;
    }
    Ok(0)
}
