//! A process's signal state: its process group, the action of each signal, the blocked and
//! pending sets. Pure logic with Linux's rules, unit-tested on the host; the system calls and
//! the delivery that use it are in `crate::signal`.

use crate::errno::Errno;
use swpan_abi::signal::{
    self, DefaultAction, SIG_BLOCK, SIG_DFL, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK, SIGRTMAX,
    SigAction, UNBLOCKABLE, bit, flags,
};

/// What one signal does when it is delivered: `rt_sigaction`'s record, the mask as one set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Action {
    /// The handler's address, [`SIG_DFL`] or [`SIG_IGN`].
    pub handler: u32,
    /// `sa_flags`.
    pub flags: u32,
    /// Where the handler returns to (with `SA_RESTORER`).
    pub restorer: u32,
    /// Signals blocked while the handler runs.
    pub mask: u64,
}

impl Action {
    /// From the ABI record.
    pub fn from_record(record: &SigAction) -> Action {
        Action {
            handler: record.handler,
            flags: record.flags,
            restorer: record.restorer,
            mask: signal::set_from_words(record.mask),
        }
    }

    /// As the ABI record.
    pub fn to_record(self) -> SigAction {
        SigAction {
            handler: self.handler,
            flags: self.flags,
            restorer: self.restorer,
            mask: signal::set_words(self.mask),
        }
    }
}

/// What the kernel learned about a pending signal, for the handler's `siginfo_t`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Info {
    /// `si_code`.
    pub code: i32,
    /// `si_errno`: a seccomp TRAP's data.
    pub errno: i32,
    /// The faulting address (a fault), the sender's pid (`kill`) or the address after the
    /// `svc` (`si_call_addr`, seccomp).
    pub first: u32,
    /// The sender's uid (`kill`) or the system call number (`si_syscall`, seccomp).
    pub second: u32,
    /// `si_arch` (seccomp).
    pub third: u32,
    /// For the frame's `sigcontext`: the exception that raised it (14 an abort, 6 an
    /// undefined instruction, 0 none), as Linux's `trap_no`.
    pub trap_number: u32,
    /// For the frame's `sigcontext`: the fault status register of an abort (`error_code`).
    pub error_code: u32,
}

/// What delivering a signal comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Nothing: ignored, by the process or by default (or a job-control signal).
    Ignore,
    /// The process ends, killed by the signal.
    Terminate,
    /// The handler runs.
    Handle(Action),
}

/// The signal state of one process.
#[derive(Clone, Debug)]
pub struct SignalState {
    /// The process group (`getpgid`).
    pub group: u32,
    actions: [Action; SIGRTMAX as usize],
    info: [Info; SIGRTMAX as usize],
    /// Blocked signals (never SIGKILL or SIGSTOP).
    pub blocked: u64,
    /// Signals sent and not yet delivered. A standard signal sent while it is pending is
    /// merged with it, and so is a real-time one (swpan does not queue them).
    pub pending: u64,
}

/// Whether `number` is a signal (1 to 64).
pub const fn is_signal(number: u32) -> bool {
    matches!(number, 1..=SIGRTMAX)
}

fn index(signal: u32) -> usize {
    (signal - 1) as usize
}

impl SignalState {
    /// A fresh state in process group `group`: every action the default, nothing blocked or
    /// pending.
    pub fn new(group: u32) -> SignalState {
        SignalState {
            group,
            actions: [Action::default(); SIGRTMAX as usize],
            info: [Info::default(); SIGRTMAX as usize],
            blocked: 0,
            pending: 0,
        }
    }

    /// The action of `signal` (a valid number).
    pub fn action(&self, signal: u32) -> Action {
        self.actions[index(signal)]
    }

    /// `rt_sigaction`: sets the action of `signal` (if `new`), returns the one it replaces.
    /// EINVAL for a number that is no signal, for a new action of SIGKILL or SIGSTOP, and for
    /// a handler without `SA_RESTORER` (swpan has no signal trampoline page: the restorer is
    /// the only way back, and the user runtime always provides one, as glibc does). A signal
    /// that becomes ignored is discarded if pending.
    pub fn set_action(&mut self, signal: u32, new: Option<Action>) -> Result<Action, Errno> {
        if !is_signal(signal) || (new.is_some() && bit(signal) & UNBLOCKABLE != 0) {
            return Err(Errno::EINVAL);
        }
        let old = self.actions[index(signal)];
        if let Some(action) = new {
            let handled = action.handler != SIG_DFL && action.handler != SIG_IGN;
            if handled && action.flags & flags::SA_RESTORER == 0 {
                return Err(Errno::EINVAL);
            }
            self.actions[index(signal)] = Action { mask: action.mask & !UNBLOCKABLE, ..action };
            if self.ignores(signal) {
                self.pending &= !bit(signal);
            }
        }
        Ok(old)
    }

    /// `rt_sigprocmask`: changes the blocked set as `how` says (if `set`), returns the old one.
    /// SIGKILL and SIGSTOP are never blocked, whatever is asked.
    pub fn set_blocked(&mut self, how: u32, set: Option<u64>) -> Result<u64, Errno> {
        let old = self.blocked;
        let Some(set) = set else {
            return if how <= SIG_SETMASK { Ok(old) } else { Err(Errno::EINVAL) };
        };
        let blocked = match how {
            SIG_BLOCK => old | set,
            SIG_UNBLOCK => old & !set,
            SIG_SETMASK => set,
            _ => return Err(Errno::EINVAL),
        };
        self.blocked = blocked & !UNBLOCKABLE;
        Ok(old)
    }

    /// Whether `signal`, delivered now, would be discarded: ignored by the process, or by
    /// default (job-control signals included, which swpan does not implement).
    pub fn ignores(&self, signal: u32) -> bool {
        match self.actions[index(signal)].handler {
            SIG_IGN => true,
            SIG_DFL => matches!(
                signal::default_action(signal),
                Some(DefaultAction::Ignore | DefaultAction::Stop | DefaultAction::Continue)
            ),
            _ => false,
        }
    }

    /// Sends `signal` with `info`. An ignored signal that is not blocked is discarded at
    /// once, as Linux does; a blocked one waits, even if ignored. Returns whether it is now
    /// pending.
    pub fn post(&mut self, signal: u32, info: Info) -> bool {
        if self.blocked & bit(signal) == 0 && self.ignores(signal) {
            return false;
        }
        if self.pending & bit(signal) == 0 {
            self.info[index(signal)] = info;
        }
        self.pending |= bit(signal);
        true
    }

    /// A fault's signal (SIGSEGV, SIGILL) must reach the process: if it is blocked or ignored,
    /// it is unblocked and its action reset to the default, which kills (Linux's
    /// `force_sig_info`). So a handler that faults with its own signal blocked dies instead
    /// of looping.
    pub fn force(&mut self, signal: u32, info: Info) {
        let blocked = self.blocked & bit(signal) != 0;
        if blocked || self.actions[index(signal)].handler == SIG_IGN {
            self.actions[index(signal)].handler = SIG_DFL;
            self.blocked &= !bit(signal);
        }
        self.pending &= !bit(signal);
        self.post(signal, info);
    }

    /// The signal to deliver next, if any is pending and not blocked: the lowest number.
    pub fn next(&self) -> Option<u32> {
        let deliverable = self.pending & !self.blocked;
        (deliverable != 0).then(|| deliverable.trailing_zeros() + 1)
    }

    /// Whether a signal waits to be delivered: a blocking call returns EINTR for it.
    pub fn interrupts(&self) -> bool {
        self.next().is_some()
    }

    /// Takes `signal` (pending) off the pending set: what delivering it does, and its info.
    /// For a handler, the blocked set becomes what the handler runs with (its mask, and the
    /// signal itself unless `SA_NODEFER`), and `SA_RESETHAND` restores the default action;
    /// the caller saves the blocked set it had before, for `rt_sigreturn`.
    pub fn take(&mut self, signal: u32) -> (Disposition, Info) {
        self.pending &= !bit(signal);
        let info = self.info[index(signal)];
        if self.ignores(signal) {
            return (Disposition::Ignore, info);
        }
        let action = self.actions[index(signal)];
        if action.handler == SIG_DFL {
            return (Disposition::Terminate, info);
        }
        let mut blocked = self.blocked | action.mask;
        if action.flags & flags::SA_NODEFER == 0 {
            blocked |= bit(signal);
        }
        self.blocked = blocked & !UNBLOCKABLE;
        if action.flags & flags::SA_RESETHAND != 0 {
            self.actions[index(signal)] = Action::default();
        }
        (Disposition::Handle(action), info)
    }

    /// What `execve` keeps: handlers go back to the default (the code they pointed at is
    /// gone); ignored signals stay ignored; the blocked and pending sets and the group stay.
    pub fn on_exec(&mut self) {
        for action in &mut self.actions {
            if action.handler != SIG_IGN {
                *action = Action::default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use swpan_abi::signal::{SIGCHLD, SIGINT, SIGKILL, SIGSEGV, SIGSTOP, SIGTERM, SIGUSR1};

    const HANDLER: Action =
        Action { handler: 0x1000, flags: flags::SA_RESTORER, restorer: 0x2000, mask: 0 };

    #[test]
    fn actions_follow_linux_rules() {
        let mut state = SignalState::new(1);
        assert_eq!(state.set_action(0, None), Err(Errno::EINVAL));
        assert_eq!(state.set_action(65, None), Err(Errno::EINVAL));
        assert_eq!(state.set_action(SIGKILL, None), Ok(Action::default()));
        assert_eq!(state.set_action(SIGKILL, Some(HANDLER)), Err(Errno::EINVAL));
        assert_eq!(state.set_action(SIGSTOP, Some(Action::default())), Err(Errno::EINVAL));
        let no_restorer = Action { flags: 0, ..HANDLER };
        assert_eq!(state.set_action(SIGUSR1, Some(no_restorer)), Err(Errno::EINVAL));
        let masking = Action { mask: bit(SIGKILL) | bit(SIGINT), ..HANDLER };
        assert_eq!(state.set_action(SIGUSR1, Some(masking)), Ok(Action::default()));
        assert_eq!(state.action(SIGUSR1).mask, bit(SIGINT), "SIGKILL is never masked");
    }

    #[test]
    fn kill_and_stop_are_never_blocked() {
        let mut state = SignalState::new(1);
        assert_eq!(state.set_blocked(SIG_BLOCK, Some(u64::MAX)), Ok(0));
        assert_eq!(state.blocked, !UNBLOCKABLE);
        assert_eq!(state.set_blocked(SIG_UNBLOCK, Some(bit(SIGTERM))), Ok(!UNBLOCKABLE));
        assert_eq!(state.blocked & bit(SIGTERM), 0);
        assert_eq!(state.set_blocked(SIG_SETMASK, Some(0)).map(|_| state.blocked), Ok(0));
        assert_eq!(state.set_blocked(3, Some(0)), Err(Errno::EINVAL));
        assert_eq!(state.set_blocked(3, None), Err(Errno::EINVAL));
        assert_eq!(state.set_blocked(SIG_BLOCK, None), Ok(0));
    }

    #[test]
    fn ignored_signals_are_discarded_unless_blocked() {
        let mut state = SignalState::new(1);
        assert!(!state.post(SIGCHLD, Info::default()), "ignored by default");
        assert!(!state.post(SIGSTOP, Info::default()), "no job control");
        state.set_action(SIGTERM, Some(Action { handler: SIG_IGN, ..Action::default() })).unwrap();
        assert!(!state.post(SIGTERM, Info::default()));
        state.set_blocked(SIG_BLOCK, Some(bit(SIGTERM))).unwrap();
        assert!(state.post(SIGTERM, Info::default()));
        assert_eq!(state.next(), None, "blocked");
        state.set_blocked(SIG_SETMASK, Some(0)).unwrap();
        assert_eq!(state.next(), Some(SIGTERM));
        assert_eq!(state.take(SIGTERM).0, Disposition::Ignore);
    }

    #[test]
    fn delivery_order_and_handler_masks() {
        let mut state = SignalState::new(1);
        assert!(state.post(SIGTERM, Info { first: 7, ..Info::default() }));
        assert!(state.post(SIGINT, Info::default()));
        assert!(state.interrupts());
        assert_eq!(state.next(), Some(SIGINT), "the lowest number first");
        assert_eq!(state.take(SIGINT).0, Disposition::Terminate);
        let resetting = Action { flags: HANDLER.flags | flags::SA_RESETHAND, ..HANDLER };
        state.set_action(SIGTERM, Some(Action { mask: bit(SIGINT), ..resetting })).unwrap();
        let (disposition, info) = state.take(SIGTERM);
        assert_eq!(info.first, 7);
        assert!(matches!(disposition, Disposition::Handle(action) if action.handler == 0x1000));
        assert_eq!(state.blocked, bit(SIGINT) | bit(SIGTERM));
        assert_eq!(state.action(SIGTERM), Action::default(), "SA_RESETHAND");
        assert!(!state.interrupts());
        state.blocked = 0;
        state
            .set_action(
                SIGUSR1,
                Some(Action { flags: HANDLER.flags | flags::SA_NODEFER, ..HANDLER }),
            )
            .unwrap();
        state.post(SIGUSR1, Info::default());
        state.take(SIGUSR1);
        assert_eq!(state.blocked, 0, "SA_NODEFER");
    }

    #[test]
    fn a_fault_cannot_be_blocked_or_ignored() {
        let mut state = SignalState::new(1);
        state.set_action(SIGSEGV, Some(HANDLER)).unwrap();
        state.force(SIGSEGV, Info { code: 1, first: 0x10, ..Info::default() });
        assert!(matches!(state.take(SIGSEGV).0, Disposition::Handle(_)));
        // In the handler SIGSEGV is blocked: a second fault kills.
        state.force(SIGSEGV, Info::default());
        assert_eq!(state.blocked & bit(SIGSEGV), 0);
        assert_eq!(state.take(SIGSEGV).0, Disposition::Terminate);
        state.set_action(SIGSEGV, Some(Action { handler: SIG_IGN, ..Action::default() })).unwrap();
        state.force(SIGSEGV, Info::default());
        assert_eq!(state.take(SIGSEGV).0, Disposition::Terminate);
    }

    #[test]
    fn exec_keeps_what_linux_keeps() {
        let mut state = SignalState::new(4);
        state.set_action(SIGUSR1, Some(HANDLER)).unwrap();
        state.set_action(SIGINT, Some(Action { handler: SIG_IGN, ..Action::default() })).unwrap();
        state.set_blocked(SIG_BLOCK, Some(bit(SIGTERM))).unwrap();
        state.on_exec();
        assert_eq!(state.action(SIGUSR1), Action::default());
        assert_eq!(state.action(SIGINT).handler, SIG_IGN);
        assert_eq!((state.blocked, state.group), (bit(SIGTERM), 4));
    }
}
