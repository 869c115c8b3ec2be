//! The statuses a boot ends with: what the kernel powers off with, as QEMU's exit status.
//!
//! The kernel powers off over semihosting (SYS_EXIT_EXTENDED), and QEMU exits with the
//! status the kernel gave. These are the only ones it gives on its own; a user program's
//! `poweroff(status)` passes its own through. The host side adds one more:
//!
//! | status | meaning |
//! |---|---|
//! | 0 [`ExitStatus::Success`] | the job succeeded |
//! | 1 [`ExitStatus::Failure`] | the job ran and found a failure: a self-test failed, an attack was not blocked |
//! | 2 [`ExitStatus::Usage`] | the command line was refused |
//! | 3 [`ExitStatus::Fatal`] | the kernel itself failed: a panic, an unexpected exception, an oops in the kernel's own job |
//! | 124 [`TIMEOUT`] | never the kernel's: `qemu/run` stopped QEMU at its timeout |

/// The kernel's exit statuses, as QEMU passes them on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    /// The job succeeded.
    Success = 0,
    /// The job ran and found a failure (a self-test, an lkdtm test that was not blocked).
    Failure = 1,
    /// The command line was refused.
    Usage = 2,
    /// The kernel itself failed: a panic or an exception nobody expected.
    Fatal = 3,
}

impl ExitStatus {
    /// The status as QEMU's exit status.
    pub const fn code(self) -> u8 {
        self as u8
    }
}

/// What `qemu/run` exits with when its timeout stops QEMU (GNU `timeout`'s status): the
/// kernel never powers off with it.
pub const TIMEOUT: u8 = 124;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(ExitStatus::Success.code(), 0);
        assert_eq!(ExitStatus::Failure.code(), 1);
        assert_eq!(ExitStatus::Usage.code(), 2);
        assert_eq!(ExitStatus::Fatal.code(), 3);
        assert_eq!(TIMEOUT, 124);
    }
}
