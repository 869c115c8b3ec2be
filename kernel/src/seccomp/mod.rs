//! seccomp's rules, pure and host-tested: a process's mode and filter chain, which flags and
//! actions exist, what strict mode allows, what a verdict does, and the audit line it logs.
//!
//! - [`program`]: one filter, checked by Linux's rules at install and compiled;
//! - [`chain`]: the installed filters, shared with children, and how their results combine.
//!
//! The system calls and the enforcement before every call are in `crate::seccomp_calls`;
//! docs/seccomp.md is the reference.

pub mod chain;
pub mod program;

use crate::errno::Errno;
use chain::{Chain, Verdict};
use core::fmt;
use program::Program;
use swpan_abi::seccomp::{
    ACTION_FULL, ACTIONS, DATA, RET_ALLOW, RET_ERRNO, RET_LOG, RET_TRACE, RET_TRAP, RET_USER_NOTIF,
    filter_flag, mode,
};
use swpan_abi::syscall as number;

/// The filter flags Linux knows (SECCOMP_FILTER_FLAG_MASK): any other bit is EINVAL.
pub const KNOWN_FLAGS: u32 = filter_flag::TSYNC
    | filter_flag::LOG
    | filter_flag::SPEC_ALLOW
    | filter_flag::NEW_LISTENER
    | filter_flag::TSYNC_ESRCH
    | filter_flag::WAIT_KILLABLE_RECV;

/// The sizes SECCOMP_GET_NOTIF_SIZES reports: `struct seccomp_notif`, `seccomp_notif_resp`
/// and `seccomp_data`.
pub const NOTIFICATION_SIZES: [u16; 3] = [80, 24, 64];

/// The largest errno an ERRNO action returns (MAX_ERRNO).
pub const MAX_ERRNO: u32 = 4095;

/// `seccomp_set_mode_filter`'s check of `flags`, before it reads the program: unknown bits,
/// TSYNC with NEW_LISTENER but without TSYNC_ESRCH, and WAIT_KILLABLE_RECV without
/// NEW_LISTENER are EINVAL.
pub fn check_filter_flags(flags: u32) -> Result<(), Errno> {
    let has = |flag| flags & flag != 0;
    let refused = flags & !KNOWN_FLAGS != 0
        || (has(filter_flag::TSYNC)
            && has(filter_flag::NEW_LISTENER)
            && !has(filter_flag::TSYNC_ESRCH))
        || (has(filter_flag::WAIT_KILLABLE_RECV) && !has(filter_flag::NEW_LISTENER));
    if refused { Err(Errno::EINVAL) } else { Ok(()) }
}

/// SECCOMP_GET_ACTION_AVAIL: Ok for exactly one of the eight action values, else EOPNOTSUPP.
pub fn action_available(action: u32) -> Result<(), Errno> {
    if ACTIONS.contains(&action) { Ok(()) } else { Err(Errno::EOPNOTSUPP) }
}

/// Whether strict mode lets call `nr` run: read, write, exit and rt_sigreturn only
/// (`mode1_syscalls`; on ARM sigreturn 119 and exit_group 248 are not among them).
#[inline]
pub const fn strict_allows(nr: u32) -> bool {
    matches!(nr, number::READ | number::WRITE | number::EXIT | number::RT_SIGRETURN)
}

/// A process's seccomp state: its mode and its filters.
#[derive(Clone, Debug, Default)]
pub struct Seccomp {
    mode: u32,
    chain: Chain,
}

impl Seccomp {
    /// The mode: [`mode::DISABLED`], [`mode::STRICT`] or [`mode::FILTER`].
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// The installed filters.
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// `seccomp_may_assign_mode`: a mode, once set, can only be asked for again.
    fn may_assign(&self, wanted: u32) -> Result<(), Errno> {
        if self.mode != mode::DISABLED && self.mode != wanted {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }

    /// Enters strict mode: EINVAL once filters are installed.
    pub fn set_strict(&mut self) -> Result<(), Errno> {
        self.may_assign(mode::STRICT)?;
        self.mode = mode::STRICT;
        Ok(())
    }

    /// Installs `program` in front of the chain (`log`: SECCOMP_FILTER_FLAG_LOG): EINVAL in
    /// strict mode, ENOMEM past the chain's budget; the mode becomes FILTER.
    pub fn install(&mut self, program: Program, log: bool) -> Result<(), Errno> {
        self.may_assign(mode::FILTER)?;
        self.chain = self.chain.with(program, log)?;
        self.mode = mode::FILTER;
        Ok(())
    }
}

/// What a verdict does to the system call (`__seccomp_filter`'s cases).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The call runs.
    Allow,
    /// Logged, then the call runs.
    Log,
    /// Not run: returns `-errno` (0 when the data is 0).
    Errno(u32),
    /// Not run: SIGSYS with `si_code` SYS_SECCOMP and `si_errno` the data.
    Trap(u32),
    /// Not run: ENOSYS, as with no tracer (TRACE) or no listener (USER_NOTIF).
    NoSys,
    /// Not run: the process dies by SIGSYS (KILL_THREAD with one thread, KILL_PROCESS, and
    /// any value that is no action).
    Kill,
}

impl Action {
    /// The action of a chain's result.
    pub const fn of(value: u32) -> Action {
        let data = value & DATA;
        match value & ACTION_FULL {
            RET_ALLOW => Action::Allow,
            RET_LOG => Action::Log,
            RET_ERRNO => Action::Errno(if data > MAX_ERRNO { MAX_ERRNO } else { data }),
            RET_TRAP => Action::Trap(data),
            RET_TRACE | RET_USER_NOTIF => Action::NoSys,
            _ => Action::Kill,
        }
    }
}

/// Whether `verdict` is written to the kernel log (`seccomp_log`): KILL (any kind, unknown
/// values included) and LOG always; TRAP, ERRNO, TRACE and USER_NOTIF only when the filter
/// that returned it has FLAG_LOG; ALLOW never.
pub fn is_logged(verdict: Verdict) -> bool {
    match verdict.value & ACTION_FULL {
        RET_ALLOW => false,
        RET_TRAP | RET_ERRNO | RET_TRACE | RET_USER_NOTIF => verdict.log,
        // LOG, KILL_THREAD, KILL_PROCESS and the unknown values that kill.
        _ => true,
    }
}

/// The facts of one audit record (type 1326, AUDIT_SECCOMP), as Linux's `audit_seccomp`
/// writes them: `audit_log_task`'s identity, then the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditRecord<'a> {
    /// The real uid.
    pub uid: u32,
    /// The real gid.
    pub gid: u32,
    /// The process.
    pub pid: u32,
    /// Its program's name (`comm`), also its path in `/bin` (`exe`).
    pub name: &'a str,
    /// The signal the action sends: SIGSYS for a kill, SIGKILL in strict mode, else 0.
    pub signal: u32,
    /// The system call number.
    pub syscall: u32,
    /// The address after the `svc`.
    pub ip: u32,
    /// The action (the verdict's high 16 bits; KILL_THREAD in strict mode).
    pub code: u32,
}

/// `auid` and `ses` of a process no login set them for: (u32)-1.
const UNSET: u32 = u32::MAX;

impl fmt::Display for AuditRecord<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "audit: type=1326 auid={UNSET} uid={} gid={} ses={UNSET} pid={} comm=\"{}\" \
             exe=\"/bin/{}\" sig={} arch={:x} syscall={} compat=0 ip={:#x} code={:#x}",
            self.uid,
            self.gid,
            self.pid,
            self.name,
            self.name,
            self.signal,
            swpan_abi::seccomp::AUDIT_ARCH_ARM,
            self.syscall,
            self.ip,
            self.code,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use swpan_abi::seccomp::{RET_KILL_PROCESS, RET_KILL_THREAD, SockFilter, bpf};

    fn returning(value: u32) -> Program {
        Program::new(&[SockFilter::statement(bpf::RET | bpf::K, value)]).unwrap()
    }

    #[test]
    fn flags_are_checked_as_linux_does() {
        for flag in [1, 2, 4, 8, 16] {
            assert_eq!(check_filter_flags(flag), Ok(()), "{flag}");
        }
        assert_eq!(check_filter_flags(0), Ok(()));
        assert_eq!(check_filter_flags(1 << 6), Err(Errno::EINVAL));
        assert_eq!(check_filter_flags(u32::MAX), Err(Errno::EINVAL));
        assert_eq!(check_filter_flags(1 | 8), Err(Errno::EINVAL), "TSYNC + NEW_LISTENER");
        assert_eq!(check_filter_flags(1 | 8 | 16), Ok(()), "with TSYNC_ESRCH");
        assert_eq!(check_filter_flags(32), Err(Errno::EINVAL), "WAIT_KILLABLE_RECV alone");
        assert_eq!(check_filter_flags(32 | 8), Ok(()));
    }

    #[test]
    fn the_eight_actions_are_available_and_nothing_else() {
        for action in ACTIONS {
            assert_eq!(action_available(action), Ok(()), "{action:#x}");
        }
        for other in [0x1000_0000, RET_ALLOW | 1, RET_ERRNO | 5, 0xaaaa_aaaa] {
            assert_eq!(action_available(other), Err(Errno::EOPNOTSUPP), "{other:#x}");
        }
    }

    #[test]
    fn strict_mode_allows_four_calls() {
        let allowed: alloc::vec::Vec<u32> = (0..400).filter(|&nr| strict_allows(nr)).collect();
        assert_eq!(allowed, [1, 3, 4, 173]);
        assert!(!strict_allows(number::SECCOMP) && !strict_allows(0x0f_0102));
    }

    #[test]
    fn modes_only_move_forward() {
        let mut state = Seccomp::default();
        assert_eq!(state.mode(), mode::DISABLED);
        assert_eq!(state.set_strict(), Ok(()));
        assert_eq!(state.set_strict(), Ok(()), "strict again is allowed");
        assert_eq!(state.install(returning(RET_ALLOW), false), Err(Errno::EINVAL));
        assert_eq!(state.mode(), mode::STRICT);
        let mut filtered = Seccomp::default();
        filtered.install(returning(RET_ALLOW), false).unwrap();
        filtered.install(returning(RET_ALLOW), false).unwrap();
        assert_eq!((filtered.mode(), filtered.chain().count()), (mode::FILTER, 2));
        assert_eq!(filtered.set_strict(), Err(Errno::EINVAL), "filter to strict");
        assert_eq!(filtered.mode(), mode::FILTER);
    }

    #[test]
    fn each_value_s_action() {
        assert_eq!(Action::of(RET_ALLOW | 9), Action::Allow);
        assert_eq!(Action::of(RET_LOG), Action::Log);
        assert_eq!(Action::of(RET_ERRNO | 7), Action::Errno(7));
        assert_eq!(Action::of(RET_ERRNO), Action::Errno(0));
        assert_eq!(Action::of(RET_ERRNO | 4096), Action::Errno(4095), "capped");
        assert_eq!(Action::of(RET_ERRNO | 0xffff), Action::Errno(4095));
        assert_eq!(Action::of(RET_TRAP | 0x1234), Action::Trap(0x1234));
        assert_eq!(Action::of(RET_TRACE | 1), Action::NoSys);
        assert_eq!(Action::of(RET_USER_NOTIF), Action::NoSys);
        for kill in [RET_KILL_THREAD, RET_KILL_PROCESS, 0x1000_0000, 0x9000_0000, 0xaaaa_aaaa] {
            assert_eq!(Action::of(kill), Action::Kill, "{kill:#x}");
        }
    }

    #[test]
    fn what_is_logged() {
        let verdict = |value, log| Verdict { value, log };
        for value in [RET_KILL_THREAD, RET_KILL_PROCESS, RET_LOG, 0x1000_0000] {
            assert!(is_logged(verdict(value, false)), "{value:#x}");
        }
        for value in [RET_TRAP, RET_ERRNO | 1, RET_TRACE, RET_USER_NOTIF] {
            assert!(!is_logged(verdict(value, false)), "{value:#x} without FLAG_LOG");
            assert!(is_logged(verdict(value, true)), "{value:#x} with FLAG_LOG");
        }
        assert!(!is_logged(verdict(RET_ALLOW, true)));
    }

    #[test]
    fn the_audit_line_has_linux_s_fields_in_linux_s_order() {
        let record = AuditRecord {
            uid: 1000,
            gid: 100,
            pid: 7,
            name: "syscall",
            signal: 31,
            syscall: 20,
            ip: 0x8124,
            code: 0x8000_0000,
        };
        assert_eq!(
            record.to_string(),
            "audit: type=1326 auid=4294967295 uid=1000 gid=100 ses=4294967295 pid=7 \
             comm=\"syscall\" exe=\"/bin/syscall\" sig=31 arch=40000028 syscall=20 compat=0 \
             ip=0x8124 code=0x80000000"
        );
    }
}
