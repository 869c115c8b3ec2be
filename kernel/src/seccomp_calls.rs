//! seccomp's system calls (`seccomp`, `prctl` PR_GET_SECCOMP / PR_SET_SECCOMP) and the check
//! before every system call of a process in strict or filter mode (kernel/seccomp.c).
//!
//! The rules are in [`crate::seccomp`]; this file moves the arguments across the user
//! boundary (every read through [`crate::uaccess`]), applies the result to the caller, and
//! carries out a verdict: ERRNO and ENOSYS as a return value, TRAP as a forced SIGSYS, a kill
//! as death by SIGSYS (SIGKILL in strict mode), each logged as Linux's audit record.

use crate::arch::trap_frame::TrapFrame;
use crate::errno::Errno;
use crate::process::signal_state::Info;
use crate::process::{self, Cause, Death};
use crate::seccomp::chain::Verdict;
use crate::seccomp::program::{Program, Words};
use crate::seccomp::{self, Action, AuditRecord};
use crate::uaccess::{UserPtr, copy_from_user, copy_to_user, get_user};
use alloc::vec::Vec;
use swpan_abi::seccomp::{
    ACTION_FULL, AUDIT_ARCH_ARM, MAX_INSTRUCTIONS, RET_KILL_THREAD, SockFilter, SockFprog,
    filter_flag, mode, operation,
};
use swpan_abi::signal::{SIGKILL, SIGSYS, code};
use swpan_abi::{Record, capability, prctl};

/// `seccomp(operation, flags, argument)` (`do_seccomp`).
pub fn seccomp(operation: u32, flags: u32, argument: u32) -> Result<u32, Errno> {
    match operation {
        operation::SET_MODE_STRICT => {
            if flags != 0 || argument != 0 {
                return Err(Errno::EINVAL);
            }
            process::change_current_seccomp(|state, _| state.set_strict()).map(|()| 0)
        }
        operation::SET_MODE_FILTER => set_mode_filter(flags, argument),
        operation::GET_ACTION_AVAIL => {
            if flags != 0 {
                return Err(Errno::EINVAL);
            }
            let action = get_user(UserPtr::<u32>::new(argument))?;
            seccomp::action_available(action).map(|()| 0)
        }
        operation::GET_NOTIF_SIZES => {
            if flags != 0 {
                return Err(Errno::EINVAL);
            }
            let mut bytes = [0u8; 6];
            for (slot, size) in bytes.chunks_exact_mut(2).zip(seccomp::NOTIFICATION_SIZES) {
                slot.copy_from_slice(&size.to_le_bytes());
            }
            copy_to_user(UserPtr::new(argument), &bytes).map(|()| 0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `prctl(PR_GET_SECCOMP)` and `prctl(PR_SET_SECCOMP, mode, program)` (`prctl_set_seccomp`):
/// strict ignores the pointer, filter installs with flags 0, any other mode is EINVAL.
pub fn prctl(option: u32, wanted: u32, program: u32) -> Result<u32, Errno> {
    match (option, wanted) {
        (prctl::GET_SECCOMP, _) => Ok(process::current_seccomp_mode()),
        (prctl::SET_SECCOMP, mode::STRICT) => seccomp(operation::SET_MODE_STRICT, 0, 0),
        (prctl::SET_SECCOMP, mode::FILTER) => set_mode_filter(0, program),
        _ => Err(Errno::EINVAL),
    }
}

/// SECCOMP_SET_MODE_FILTER, its errors in Linux's order: flags (EINVAL), the `sock_fprog`
/// (EFAULT), its length (EINVAL), no_new_privs or CAP_SYS_ADMIN (EACCES), a NULL program
/// (EINVAL), the instructions (EFAULT), the program (EINVAL); then the mode (EINVAL) and the
/// chain's budget (ENOMEM). A listener (NEW_LISTENER) is refused with EOPNOTSUPP once the
/// program has passed: swpan has no notification file descriptors.
fn set_mode_filter(flags: u32, fprog: u32) -> Result<u32, Errno> {
    seccomp::check_filter_flags(flags)?;
    let mut header = [0u8; core::mem::size_of::<SockFprog>()];
    if fprog == 0 {
        return Err(Errno::EFAULT);
    }
    copy_from_user(&mut header, UserPtr::new(fprog))?;
    let header = SockFprog::from_bytes(&header);
    let length = usize::from(header.len);
    if length == 0 || length > MAX_INSTRUCTIONS {
        return Err(Errno::EINVAL);
    }
    let permitted = process::with_current(|process| {
        let credentials = &process.credentials;
        credentials.no_new_privs || credentials.capable(capability::SYS_ADMIN)
    });
    if !permitted {
        return Err(Errno::EACCES);
    }
    if header.filter == 0 {
        return Err(Errno::EINVAL);
    }
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(length * SockFilter::SIZE).map_err(|_| Errno::ENOMEM)?;
    bytes.resize(length * SockFilter::SIZE, 0);
    copy_from_user(&mut bytes, UserPtr::new(header.filter))?;
    let instructions: Vec<SockFilter> = bytes
        .chunks_exact(SockFilter::SIZE)
        .map(|chunk| SockFilter::from_le_bytes(chunk.try_into().expect("8 bytes")))
        .collect();
    drop(bytes);
    let program = Program::new(&instructions)?;
    if flags & filter_flag::NEW_LISTENER != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    // TSYNC: one thread per process, nothing to synchronise. SPEC_ALLOW: no mitigation to skip.
    let log = flags & filter_flag::LOG != 0;
    process::change_current_seccomp(|state, _| state.install(program, log)).map(|()| 0)
}

/// What the check before a call decided, when the process lives on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// The call runs (ALLOW, LOG).
    Runs,
    /// The call does not run and returns this value, already in r0: `-errno` for ERRNO and
    /// for TRACE or USER_NOTIF (ENOSYS), 0 for ERRNO with data 0.
    Answered(u32),
    /// The call does not run and r0 keeps its value (TRAP: the SIGSYS is pending).
    Trapped,
}

/// The check before the call in `frame` of a process in strict or filter mode. A kill does
/// not return.
#[inline(never)]
pub fn permits(frame: &mut TrapFrame) -> Checked {
    let nr = frame.r[7];
    let verdict = process::with_running_seccomp(|state| match state.mode() {
        mode::STRICT => seccomp::strict_allows(nr)
            .then_some(Verdict::ALLOW)
            .ok_or(Verdict { value: RET_KILL_THREAD, log: true }),
        _ => {
            let chain = state.chain();
            Ok(chain.constant().unwrap_or_else(|| chain.run(&seccomp_data(frame))))
        }
    });
    match verdict {
        None | Some(Ok(Verdict::ALLOW)) => Checked::Runs,
        // Strict mode: `__secure_computing_strict` logs and kills with SIGKILL.
        Some(Err(verdict)) => {
            log(frame, SIGKILL, verdict.value);
            process::exit_current(Death::Killed { signal: SIGKILL, cause: Cause::Signal })
        }
        Some(Ok(verdict)) => carry_out(frame, verdict),
    }
}

/// `seccomp_data` of the call in `frame`, as words: nr from r7, the arch, the address after
/// the `svc`, r0-r5 zero-extended (`populate_seccomp_data`).
pub fn seccomp_data(frame: &TrapFrame) -> Words {
    let r = &frame.r;
    [
        nr_word(frame),
        AUDIT_ARCH_ARM,
        frame.pc,
        0,
        r[0],
        0,
        r[1],
        0,
        r[2],
        0,
        r[3],
        0,
        r[4],
        0,
        r[5],
        0,
    ]
}

fn nr_word(frame: &TrapFrame) -> u32 {
    frame.r[7]
}

/// Does what a verdict other than ALLOW says (`__seccomp_filter`).
fn carry_out(frame: &mut TrapFrame, verdict: Verdict) -> Checked {
    let action = Action::of(verdict.value);
    let signal = if action == Action::Kill { SIGSYS } else { 0 };
    if seccomp::is_logged(verdict) {
        log(frame, signal, verdict.value & ACTION_FULL);
    }
    match action {
        Action::Allow | Action::Log => Checked::Runs,
        Action::Errno(errno) => {
            frame.r[0] = errno.wrapping_neg();
            Checked::Answered(frame.r[0])
        }
        Action::NoSys => {
            frame.r[0] = Errno::ENOSYS.number().wrapping_neg();
            Checked::Answered(frame.r[0])
        }
        Action::Trap(data) => {
            // r0 keeps the first argument (`syscall_rollback`); the signal is forced through a
            // block or an ignore (`force_sig_seccomp`).
            let info = Info {
                code: code::SYS_SECCOMP,
                errno: data as i32,
                first: frame.pc,
                second: nr_word(frame),
                third: AUDIT_ARCH_ARM,
                ..Info::default()
            };
            process::change_current_signals(|signals| signals.force(SIGSYS, info));
            Checked::Trapped
        }
        Action::Kill => {
            process::exit_current(Death::Killed { signal: SIGSYS, cause: Cause::Signal })
        }
    }
}

/// Writes the audit record of the call in `frame` to the kernel log (`audit_seccomp`).
fn log(frame: &TrapFrame, signal: u32, code: u32) {
    let (uid, gid) = process::with_current(|process| {
        (process.credentials.uid.real, process.credentials.gid.real)
    });
    let record = AuditRecord {
        uid,
        gid,
        pid: process::current_pid(),
        name: process::current_name(),
        signal,
        syscall: nr_word(frame),
        ip: frame.pc,
        code,
    };
    crate::println!("{record}");
}
