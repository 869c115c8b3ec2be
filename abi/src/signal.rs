//! Signals, with Linux's numbers and default actions (ARM EABI, include/uapi/asm-generic/signal.h
//! and signal(7)), and the records that carry them across the user boundary.
//!
//! | number | name | default | | number | name | default |
//! |---|---|---|---|---|---|---|
//! | 1 | SIGHUP | term | | 17 | SIGCHLD | ignore |
//! | 2 | SIGINT | term | | 18 | SIGCONT | continue |
//! | 3 | SIGQUIT | core | | 19 | SIGSTOP | stop |
//! | 4 | SIGILL | core | | 20 | SIGTSTP | stop |
//! | 5 | SIGTRAP | core | | 21 | SIGTTIN | stop |
//! | 6 | SIGABRT | core | | 22 | SIGTTOU | stop |
//! | 7 | SIGBUS | core | | 23 | SIGURG | ignore |
//! | 8 | SIGFPE | core | | 24 | SIGXCPU | core |
//! | 9 | SIGKILL | term | | 25 | SIGXFSZ | core |
//! | 10 | SIGUSR1 | term | | 26 | SIGVTALRM | term |
//! | 11 | SIGSEGV | core | | 27 | SIGPROF | term |
//! | 12 | SIGUSR2 | term | | 28 | SIGWINCH | ignore |
//! | 13 | SIGPIPE | term | | 29 | SIGIO | term |
//! | 14 | SIGALRM | term | | 30 | SIGPWR | term |
//! | 15 | SIGTERM | term | | 31 | SIGSYS | core |
//! | 16 | SIGSTKFLT | term | | 32-64 | real-time | term |
//!
//! swpan writes no core files: "core" ends the process as "term" does. It has no job control:
//! "stop" and "continue" signals are accepted and discarded (documented in docs/user-mode.md).

use crate::record::record_struct;

/// Hangup.
pub const SIGHUP: u32 = 1;
/// Interrupt from the keyboard.
pub const SIGINT: u32 = 2;
/// Quit from the keyboard.
pub const SIGQUIT: u32 = 3;
/// Illegal instruction.
pub const SIGILL: u32 = 4;
/// Trace or breakpoint trap.
pub const SIGTRAP: u32 = 5;
/// Abort.
pub const SIGABRT: u32 = 6;
/// Bus error.
pub const SIGBUS: u32 = 7;
/// Arithmetic exception.
pub const SIGFPE: u32 = 8;
/// Killed: cannot be caught, blocked or ignored.
pub const SIGKILL: u32 = 9;
/// User-defined signal 1.
pub const SIGUSR1: u32 = 10;
/// Invalid memory reference.
pub const SIGSEGV: u32 = 11;
/// User-defined signal 2.
pub const SIGUSR2: u32 = 12;
/// Write to a pipe with no reader.
pub const SIGPIPE: u32 = 13;
/// Timer expired.
pub const SIGALRM: u32 = 14;
/// Termination request.
pub const SIGTERM: u32 = 15;
/// Coprocessor stack fault.
pub const SIGSTKFLT: u32 = 16;
/// A child stopped or ended.
pub const SIGCHLD: u32 = 17;
/// Continue if stopped.
pub const SIGCONT: u32 = 18;
/// Stop: cannot be caught, blocked or ignored.
pub const SIGSTOP: u32 = 19;
/// Stop typed at the terminal.
pub const SIGTSTP: u32 = 20;
/// Terminal input for a background process.
pub const SIGTTIN: u32 = 21;
/// Terminal output for a background process.
pub const SIGTTOU: u32 = 22;
/// Urgent condition on a socket.
pub const SIGURG: u32 = 23;
/// CPU time limit exceeded.
pub const SIGXCPU: u32 = 24;
/// File size limit exceeded.
pub const SIGXFSZ: u32 = 25;
/// Virtual alarm clock.
pub const SIGVTALRM: u32 = 26;
/// Profiling timer expired.
pub const SIGPROF: u32 = 27;
/// Window resize.
pub const SIGWINCH: u32 = 28;
/// I/O now possible.
pub const SIGIO: u32 = 29;
/// Power failure.
pub const SIGPWR: u32 = 30;
/// Bad system call.
pub const SIGSYS: u32 = 31;
/// The first real-time signal (the kernel's; C libraries reserve a few above it).
pub const SIGRTMIN: u32 = 32;
/// The last signal: signals are 1 to 64 (Linux's `_NSIG`).
pub const SIGRTMAX: u32 = 64;

/// What a signal does to a process that neither catches nor ignores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    /// The process ends.
    Terminate,
    /// The process ends, and Linux would write a core file (swpan writes none).
    Core,
    /// Nothing happens.
    Ignore,
    /// The process stops (job control: not supported, the signal is discarded).
    Stop,
    /// A stopped process continues (job control: not supported, the signal is discarded).
    Continue,
}

/// The default action of `signal` (1 to 64), as signal(7) lists it; `None` for a number that
/// is no signal.
pub const fn default_action(signal: u32) -> Option<DefaultAction> {
    use DefaultAction::*;
    Some(match signal {
        SIGQUIT | SIGILL | SIGTRAP | SIGABRT | SIGBUS | SIGFPE | SIGSEGV | SIGXCPU | SIGXFSZ
        | SIGSYS => Core,
        SIGCHLD | SIGURG | SIGWINCH => Ignore,
        SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => Stop,
        SIGCONT => Continue,
        1..=SIGRTMAX => Terminate,
        _ => return None,
    })
}

/// The signal's name (`SIGSEGV`), or `SIGRT` for the real-time ones and `?` for a number that
/// is no signal.
pub const fn name(signal: u32) -> &'static str {
    const NAMES: [&str; 32] = [
        "?",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    match signal {
        1..SIGRTMIN => NAMES[signal as usize],
        SIGRTMIN..=SIGRTMAX => "SIGRT",
        _ => "?",
    }
}

/// The bit of `signal` in a signal set (bit 0 is signal 1, as in Linux's `sigset_t`).
pub const fn bit(signal: u32) -> u64 {
    1 << (signal - 1)
}

/// The signals no process can catch, block or ignore.
pub const UNBLOCKABLE: u64 = bit(SIGKILL) | bit(SIGSTOP);

/// `sa_handler`: the default action.
pub const SIG_DFL: u32 = 0;
/// `sa_handler`: ignore the signal.
pub const SIG_IGN: u32 = 1;

/// `rt_sigprocmask`'s `how`: add the set to the blocked signals.
pub const SIG_BLOCK: u32 = 0;
/// `rt_sigprocmask`'s `how`: remove the set from the blocked signals.
pub const SIG_UNBLOCK: u32 = 1;
/// `rt_sigprocmask`'s `how`: the set becomes the blocked signals.
pub const SIG_SETMASK: u32 = 2;

/// The size of a signal set, which `rt_sigaction` and `rt_sigprocmask` require as their last
/// argument (64 signals).
pub const SIGSET_SIZE: u32 = 8;

/// `sa_flags` (arch/arm/include/uapi/asm/signal.h).
pub mod flags {
    /// Do not signal SIGCHLD when a child stops.
    pub const SA_NOCLDSTOP: u32 = 0x0000_0001;
    /// Do not make zombies of the children.
    pub const SA_NOCLDWAIT: u32 = 0x0000_0002;
    /// The handler takes `(signal, &siginfo, &ucontext)`.
    pub const SA_SIGINFO: u32 = 0x0000_0004;
    /// 32-bit mode for the handler (a 26-bit ARM relic).
    pub const SA_THIRTYTWO: u32 = 0x0200_0000;
    /// `sa_restorer` holds the code the handler returns to (which calls `rt_sigreturn`).
    pub const SA_RESTORER: u32 = 0x0400_0000;
    /// Run the handler on the alternate signal stack.
    pub const SA_ONSTACK: u32 = 0x0800_0000;
    /// Restart system calls the signal interrupted.
    pub const SA_RESTART: u32 = 0x1000_0000;
    /// Do not block the signal while its handler runs.
    pub const SA_NODEFER: u32 = 0x4000_0000;
    /// Go back to the default action once the handler has been entered.
    pub const SA_RESETHAND: u32 = 0x8000_0000;
}

/// `si_code` values.
pub mod code {
    /// Sent by `kill`.
    pub const SI_USER: i32 = 0;
    /// Sent by the kernel.
    pub const SI_KERNEL: i32 = 0x80;
    /// SIGSEGV: no mapping at the address.
    pub const SEGV_MAPERR: i32 = 1;
    /// SIGSEGV: a mapping, but no permission for the access.
    pub const SEGV_ACCERR: i32 = 2;
    /// SIGILL: an illegal opcode.
    pub const ILL_ILLOPC: i32 = 1;
    /// SIGSYS: a seccomp filter returned TRAP (`si_errno` the action's data, then
    /// `si_call_addr`, `si_syscall`, `si_arch` in the first three fields).
    pub const SYS_SECCOMP: i32 = 1;
}

record_struct! {
    /// The kernel's `struct sigaction` on ARM, as `rt_sigaction` reads and writes it.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct SigAction {
        /// The handler's address, or [`SIG_DFL`] or [`SIG_IGN`].
        pub handler: u32,
        /// [`flags`].
        pub flags: u32,
        /// With [`flags::SA_RESTORER`]: where the handler returns to.
        pub restorer: u32,
        /// Signals blocked while the handler runs, bit 0 for signal 1 (two words, low first).
        pub mask: [u32; 2],
    }
}

/// The words of `siginfo_t` after its first three (`si_signo`, `si_errno`, `si_code`).
pub const SIGINFO_FIELDS: usize = 29;
/// Words of `uc_regspace` (coprocessor state; swpan's processes have none).
pub const REGSPACE_WORDS: usize = 128;

record_struct! {
    /// Linux ARM's `struct rt_sigframe` (arch/arm/kernel/signal.h): the `siginfo_t` (128
    /// bytes), then the `ucontext` with its `sigcontext` (the saved registers) and signal mask,
    /// then the two words of return code. The kernel writes it below the interrupted SP
    /// before a handler runs, and `rt_sigreturn` reads it back from SP.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct SignalFrame {
        /// `si_signo`.
        pub signal: u32,
        /// `si_errno`.
        pub errno: i32,
        /// `si_code`: [`code`].
        pub code: i32,
        /// The rest of `siginfo_t`: `si_addr` in word 0 for a fault; `si_pid`, `si_uid` in
        /// words 0 and 1 for `kill`.
        pub fields: [u32; SIGINFO_FIELDS],
        /// `uc_flags`.
        pub uc_flags: u32,
        /// `uc_link`.
        pub uc_link: u32,
        /// `uc_stack.ss_sp`.
        pub stack_pointer: u32,
        /// `uc_stack.ss_flags`.
        pub stack_flags: i32,
        /// `uc_stack.ss_size`.
        pub stack_size: u32,
        /// `sigcontext.trap_no`.
        pub trap_no: u32,
        /// `sigcontext.error_code`.
        pub error_code: u32,
        /// `sigcontext.oldmask`: the first word of the mask before the handler.
        pub oldmask: u32,
        /// `arm_r0` to `arm_r10`.
        pub r: [u32; 11],
        /// `arm_fp` (r11).
        pub fp: u32,
        /// `arm_ip` (r12).
        pub ip: u32,
        /// `arm_sp`.
        pub sp: u32,
        /// `arm_lr`.
        pub lr: u32,
        /// `arm_pc`.
        pub pc: u32,
        /// `arm_cpsr`: checked by `rt_sigreturn` before it is restored.
        pub cpsr: u32,
        /// `fault_address`.
        pub fault_address: u32,
        /// `uc_sigmask`: the signals blocked before the handler, restored by `rt_sigreturn`.
        pub sigmask: [u32; 2],
        /// Room Linux leaves for a larger signal mask.
        pub unused: [u32; 30],
        /// `uc_regspace`: coprocessor state (8-byte aligned).
        pub regspace: [u32; REGSPACE_WORDS],
        /// `retcode`: unused when the handler has a restorer.
        pub retcode: [u32; 2],
    }
}

impl SignalFrame {
    /// An all-zero frame.
    pub const fn empty() -> SignalFrame {
        SignalFrame {
            signal: 0,
            errno: 0,
            code: 0,
            fields: [0; SIGINFO_FIELDS],
            uc_flags: 0,
            uc_link: 0,
            stack_pointer: 0,
            stack_flags: 0,
            stack_size: 0,
            trap_no: 0,
            error_code: 0,
            oldmask: 0,
            r: [0; 11],
            fp: 0,
            ip: 0,
            sp: 0,
            lr: 0,
            pc: 0,
            cpsr: 0,
            fault_address: 0,
            sigmask: [0; 2],
            unused: [0; 30],
            regspace: [0; REGSPACE_WORDS],
            retcode: [0; 2],
        }
    }
}

/// Byte offset of the `ucontext` in a [`SignalFrame`] (what a handler's third argument points
/// at).
pub const UCONTEXT_OFFSET: u32 = 128;
/// Byte offset of `uc_mcontext` (the `sigcontext`) in a [`SignalFrame`].
pub const SIGCONTEXT_OFFSET: u32 = UCONTEXT_OFFSET + 20;

/// A signal set as the two words the ABI stores, low word first.
pub const fn set_words(set: u64) -> [u32; 2] {
    [set as u32, (set >> 32) as u32]
}

/// The signal set two ABI words hold.
pub const fn set_from_words(words: [u32; 2]) -> u64 {
    words[0] as u64 | (words[1] as u64) << 32
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn linux_numbers() {
        // include/uapi/asm-generic/signal.h, which ARM uses unchanged.
        let linux = [
            (SIGHUP, 1),
            (SIGINT, 2),
            (SIGQUIT, 3),
            (SIGILL, 4),
            (SIGTRAP, 5),
            (SIGABRT, 6),
            (SIGBUS, 7),
            (SIGFPE, 8),
            (SIGKILL, 9),
            (SIGUSR1, 10),
            (SIGSEGV, 11),
            (SIGUSR2, 12),
            (SIGPIPE, 13),
            (SIGALRM, 14),
            (SIGTERM, 15),
            (SIGSTKFLT, 16),
            (SIGCHLD, 17),
            (SIGCONT, 18),
            (SIGSTOP, 19),
            (SIGTSTP, 20),
            (SIGTTIN, 21),
            (SIGTTOU, 22),
            (SIGURG, 23),
            (SIGXCPU, 24),
            (SIGXFSZ, 25),
            (SIGVTALRM, 26),
            (SIGPROF, 27),
            (SIGWINCH, 28),
            (SIGIO, 29),
            (SIGPWR, 30),
            (SIGSYS, 31),
            (SIGRTMIN, 32),
            (SIGRTMAX, 64),
        ];
        for (ours, theirs) in linux {
            assert_eq!(ours, theirs);
        }
        assert_eq!(name(SIGSEGV), "SIGSEGV");
        assert_eq!(name(SIGSYS), "SIGSYS");
        assert_eq!(name(40), "SIGRT");
        assert_eq!((name(0), name(65)), ("?", "?"));
    }

    #[test]
    fn linux_default_actions() {
        // signal(7), "Standard signals".
        use DefaultAction::*;
        let core = [3, 4, 5, 6, 7, 8, 11, 24, 25, 31];
        let ignore = [17, 23, 28];
        let stop = [19, 20, 21, 22];
        for signal in 1..=64 {
            let expected = if core.contains(&signal) {
                Core
            } else if ignore.contains(&signal) {
                Ignore
            } else if stop.contains(&signal) {
                Stop
            } else if signal == 18 {
                Continue
            } else {
                Terminate
            };
            assert_eq!(default_action(signal), Some(expected), "signal {signal}");
        }
        assert_eq!(default_action(0), None);
        assert_eq!(default_action(65), None);
    }

    #[test]
    fn linux_flags_and_codes() {
        // arch/arm/include/uapi/asm/signal.h and include/uapi/asm-generic/siginfo.h.
        assert_eq!(flags::SA_SIGINFO, 4);
        assert_eq!(flags::SA_RESTORER, 0x0400_0000);
        assert_eq!(flags::SA_RESTART, 0x1000_0000);
        assert_eq!(flags::SA_NODEFER, 0x4000_0000);
        assert_eq!(flags::SA_RESETHAND, 0x8000_0000);
        assert_eq!((SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK), (0, 1, 2));
        assert_eq!((code::SEGV_MAPERR, code::SEGV_ACCERR, code::ILL_ILLOPC), (1, 2, 1));
        assert_eq!((code::SI_USER, code::SI_KERNEL), (0, 0x80));
        assert_eq!(bit(SIGKILL), 1 << 8);
        assert_eq!(set_from_words(set_words(0x8000_0001_0000_0100)), 0x8000_0001_0000_0100);
    }

    #[test]
    fn frame_is_linux_rt_sigframe() {
        // siginfo_t is 128 bytes; ucontext: uc_flags, uc_link, stack_t (12), sigcontext (21
        // words), sigset_t (8), 120 bytes unused, uc_regspace (512, 8-aligned); retcode[2].
        assert_eq!(offset_of!(SignalFrame, uc_flags), UCONTEXT_OFFSET as usize);
        assert_eq!(offset_of!(SignalFrame, trap_no), SIGCONTEXT_OFFSET as usize);
        assert_eq!(offset_of!(SignalFrame, r), 128 + 20 + 12);
        assert_eq!(offset_of!(SignalFrame, pc), 128 + 20 + 18 * 4);
        assert_eq!(offset_of!(SignalFrame, cpsr), 128 + 20 + 19 * 4);
        assert_eq!(offset_of!(SignalFrame, fault_address), 128 + 20 + 20 * 4);
        assert_eq!(offset_of!(SignalFrame, sigmask), 128 + 104);
        assert_eq!(offset_of!(SignalFrame, regspace), 128 + 232);
        assert_eq!(offset_of!(SignalFrame, regspace) % 8, 0);
        assert_eq!(size_of::<SignalFrame>(), 128 + 744 + 8);
        assert_eq!(size_of::<SigAction>(), 20);
    }
}
