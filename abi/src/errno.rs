//! Error numbers, with Linux's values (include/uapi/asm-generic/errno-base.h, errno.h).
//!
//! A system call returns `-errno` in r0, as on Linux; kernel functions return
//! `Result<T, Errno>`; user programs get an `Err(Errno)`.

use core::fmt;

/// An error number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum Errno {
    /// Operation not permitted.
    EPERM = 1,
    /// No such file or directory (no such program).
    ENOENT = 2,
    /// No such process.
    ESRCH = 3,
    /// Interrupted system call (a blocking call of a process that was killed).
    EINTR = 4,
    /// Input/output error.
    EIO = 5,
    /// Argument list too long.
    E2BIG = 7,
    /// Exec format error.
    ENOEXEC = 8,
    /// Bad file descriptor.
    EBADF = 9,
    /// No child processes.
    ECHILD = 10,
    /// Try again.
    EAGAIN = 11,
    /// Out of memory.
    ENOMEM = 12,
    /// Permission denied (a program the caller may not execute).
    EACCES = 13,
    /// Bad address.
    EFAULT = 14,
    /// File exists (the range is already mapped).
    EEXIST = 17,
    /// Invalid argument.
    EINVAL = 22,
    /// Name too long.
    ENAMETOOLONG = 36,
    /// Function not implemented.
    ENOSYS = 38,
    /// Operation not supported (a seccomp action this kernel does not know).
    EOPNOTSUPP = 95,
}

impl Errno {
    /// Every error number, in numeric order.
    pub const ALL: [Errno; 18] = [
        Errno::EPERM,
        Errno::ENOENT,
        Errno::ESRCH,
        Errno::EINTR,
        Errno::EIO,
        Errno::E2BIG,
        Errno::ENOEXEC,
        Errno::EBADF,
        Errno::ECHILD,
        Errno::EAGAIN,
        Errno::ENOMEM,
        Errno::EACCES,
        Errno::EFAULT,
        Errno::EEXIST,
        Errno::EINVAL,
        Errno::ENAMETOOLONG,
        Errno::ENOSYS,
        Errno::EOPNOTSUPP,
    ];

    /// The number.
    pub const fn number(self) -> u32 {
        self as u32
    }

    /// The error for a number, if it is one of ours.
    pub fn from_number(number: u32) -> Option<Errno> {
        Errno::ALL.into_iter().find(|errno| errno.number() == number)
    }

    /// Its symbolic name.
    pub const fn name(self) -> &'static str {
        match self {
            Errno::EPERM => "EPERM",
            Errno::ENOENT => "ENOENT",
            Errno::ESRCH => "ESRCH",
            Errno::EINTR => "EINTR",
            Errno::EIO => "EIO",
            Errno::E2BIG => "E2BIG",
            Errno::ENOEXEC => "ENOEXEC",
            Errno::EBADF => "EBADF",
            Errno::ECHILD => "ECHILD",
            Errno::EAGAIN => "EAGAIN",
            Errno::ENOMEM => "ENOMEM",
            Errno::EACCES => "EACCES",
            Errno::EFAULT => "EFAULT",
            Errno::EEXIST => "EEXIST",
            Errno::EINVAL => "EINVAL",
            Errno::ENAMETOOLONG => "ENAMETOOLONG",
            Errno::ENOSYS => "ENOSYS",
            Errno::EOPNOTSUPP => "EOPNOTSUPP",
        }
    }
}

impl Errno {
    /// What C's `strerror` says for it (glibc's text), the words Linux's tools print.
    pub const fn description(self) -> &'static str {
        match self {
            Errno::EPERM => "Operation not permitted",
            Errno::ENOENT => "No such file or directory",
            Errno::ESRCH => "No such process",
            Errno::EINTR => "Interrupted system call",
            Errno::EIO => "Input/output error",
            Errno::E2BIG => "Argument list too long",
            Errno::ENOEXEC => "Exec format error",
            Errno::EBADF => "Bad file descriptor",
            Errno::ECHILD => "No child processes",
            Errno::EAGAIN => "Resource temporarily unavailable",
            Errno::ENOMEM => "Cannot allocate memory",
            Errno::EACCES => "Permission denied",
            Errno::EFAULT => "Bad address",
            Errno::EEXIST => "File exists",
            Errno::EINVAL => "Invalid argument",
            Errno::ENAMETOOLONG => "File name too long",
            Errno::ENOSYS => "Function not implemented",
            Errno::EOPNOTSUPP => "Operation not supported",
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_values() {
        assert_eq!(Errno::EFAULT.number(), 14);
        assert_eq!(Errno::EINTR.number(), 4);
        assert_eq!(Errno::ENOSYS.number(), 38);
        assert_eq!(Errno::EINVAL.number(), 22);
        assert_eq!(Errno::ENOMEM.number(), 12);
        assert_eq!(Errno::EACCES.number(), 13);
        assert_eq!(Errno::EOPNOTSUPP.number(), 95);
        for errno in Errno::ALL {
            assert_eq!(Errno::from_number(errno.number()), Some(errno));
        }
        assert_eq!(Errno::from_number(999), None);
        assert!(Errno::ALL.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
