//! The interface between the swpan kernel and its user programs, defined once for both.
//!
//! System calls follow the Linux ARM EABI: the number in r7, arguments in r0-r5, `svc #0`,
//! the result in r0, negative for `-errno`. The numbers Linux has are Linux's; the calls
//! Linux lacks live in the ARM private range above 0x0f0000 (arch/arm/include/uapi/asm/unistd.h
//! reserves 0x0f0000-0x0fffff for architecture-specific calls). Structures the kernel writes
//! into user memory are [`Record`]s (`record.rs`); the statuses a boot ends with are
//! [`ExitStatus`] (`exit_status.rs`). Pure data, no `unsafe`.

#![no_std]

pub mod errno;
pub mod exit_status;
pub mod record;
pub mod signal;

pub use errno::Errno;
pub use exit_status::ExitStatus;
pub use record::Record;

use record::record_struct;

/// System call numbers.
pub mod syscall {
    /// `exit(status) -> !`.
    pub const EXIT: u32 = 1;
    /// `read(fd, buffer, count) -> bytes`: fd 0 is the console.
    pub const READ: u32 = 3;
    /// `write(fd, buffer, count) -> bytes`: fds 1 and 2 are the console.
    pub const WRITE: u32 = 4;
    /// `getpid() -> pid`.
    pub const GETPID: u32 = 20;
    /// `kill(pid, signal) -> 0`: `pid` > 0 one process, 0 the caller's group, -1 every
    /// process but init and the caller, < -1 the group `-pid`; signal 0 only checks.
    pub const KILL: u32 = 37;
    /// `setpgid(pid, pgid) -> 0`: moves a process (0: the caller) to a group (0: its own).
    pub const SETPGID: u32 = 57;
    /// `munmap(address, length) -> 0`.
    pub const MUNMAP: u32 = 91;
    /// `getpgid(pid) -> pgid`: the process group of `pid` (0: the caller).
    pub const GETPGID: u32 = 132;
    /// `sched_yield() -> 0`.
    pub const SCHED_YIELD: u32 = 158;
    /// `rt_sigreturn() -> r0`: restores the registers and mask a signal handler's frame
    /// (at SP) saved; the restorer calls it when the handler returns.
    pub const RT_SIGRETURN: u32 = 173;
    /// `rt_sigaction(signal, &new, &mut old, 8) -> 0`: either pointer may be NULL.
    pub const RT_SIGACTION: u32 = 174;
    /// `rt_sigprocmask(how, &new, &mut old, 8) -> 0`: either pointer may be NULL.
    pub const RT_SIGPROCMASK: u32 = 175;
    /// `mmap2(address, length, protection, flags, fd, page_offset) -> address`: anonymous
    /// private mappings only.
    pub const MMAP2: u32 = 192;
    /// ARM's private `cacheflush(start, end, flags)`: makes code written to user memory
    /// executable (arch/arm/kernel/traps.c).
    pub const CACHEFLUSH: u32 = 0x0f_0002;
    /// `spawn(program, argument) -> pid`: runs an embedded program with one argument string.
    pub const SPAWN: u32 = 0x0f_0101;
    /// `wait(pid, &mut ExitInfo) -> pid`: waits for a child (`pid` -1: any child).
    pub const WAIT: u32 = 0x0f_0102;
    /// `provoke(name) -> 0`: lkdtm's DIRECT entry: runs the crash type `name` (a string).
    pub const PROVOKE: u32 = 0x0f_0103;
    /// `poweroff(status) -> !`: powers the machine off; QEMU exits with `status`.
    pub const POWEROFF: u32 = 0x0f_0104;
    /// `uaccess_report(&mut DacrReport) -> 0`: what the DACR is at each step of a syscall.
    pub const UACCESS_REPORT: u32 = 0x0f_0105;
    /// `maps(buffer, length) -> bytes`: the caller's mappings as text, one per line.
    pub const MAPS: u32 = 0x0f_0106;
    /// `lkdtm_list(buffer, length) -> bytes`: the lkdtm crash types, one per line.
    pub const LKDTM_LIST: u32 = 0x0f_0107;
    /// `ptdump() -> 0`: the kernel prints the page tables (the caller's user half, then the
    /// kernel half) on the console.
    pub const PTDUMP: u32 = 0x0f_0108;
}

/// `mmap2` protections.
pub mod protection {
    /// Readable.
    pub const READ: u32 = 1;
    /// Writable.
    pub const WRITE: u32 = 2;
    /// Executable (by user mode).
    pub const EXEC: u32 = 4;
}

/// `mmap2` flags.
pub mod map {
    /// Private to the process (required).
    pub const PRIVATE: u32 = 0x02;
    /// At exactly the given address.
    pub const FIXED: u32 = 0x10;
    /// Not backed by a file (required).
    pub const ANONYMOUS: u32 = 0x20;
}

record_struct! {
    /// How a child ended, filled in by `wait`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct ExitInfo {
        /// The child's pid.
        pub pid: u32,
        /// [`ExitInfo::EXITED`] or [`ExitInfo::KILLED`].
        pub how: u32,
        /// The exit status, or the signal that killed it.
        pub status: i32,
        /// 1 when a kernel oops in one of its system calls killed it.
        pub by_oops: u32,
        /// The faulting address (DFAR/IFAR), when a fault killed it.
        pub fault_address: u32,
        /// The fault status register (DFSR/IFSR), when a fault killed it.
        pub fault_status: u32,
        /// The PC at the fault.
        pub pc: u32,
        /// What killed it, in words (`page domain fault`), NUL-terminated.
        pub cause: [u8; 48],
    }
}

impl ExitInfo {
    /// `how`: the child called `exit`.
    pub const EXITED: u32 = 0;
    /// `how`: the child was killed.
    pub const KILLED: u32 = 1;

    /// An all-zero record.
    pub const fn empty() -> ExitInfo {
        ExitInfo {
            pid: 0,
            how: 0,
            status: 0,
            by_oops: 0,
            fault_address: 0,
            fault_status: 0,
            pc: 0,
            cause: [0; 48],
        }
    }

    /// The cause as text.
    pub fn cause(&self) -> &str {
        let length = self.cause.iter().position(|&byte| byte == 0).unwrap_or(self.cause.len());
        core::str::from_utf8(&self.cause[..length]).unwrap_or("?")
    }
}

record_struct! {
    /// The DACR at each step of one system call, as the kernel observed it.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct DacrReport {
        /// The value the return to user mode writes (what user code runs with).
        pub user: u32,
        /// In the kernel, right after the syscall entry.
        pub kernel_entry: u32,
        /// Inside the uaccess window that copies this report out.
        pub inside_window: u32,
        /// After that window closed.
        pub after_window: u32,
        /// 1 when emulated PAN is on.
        pub pan: u32,
        /// 1 when hardware PXN is on.
        pub pxn: u32,
    }
}

/// The lkdtm crash types the kernel implements, in lkdtm's order.
pub const LKDTM_NAMES: &[&str] = &[
    "EXEC_DATA",
    "EXEC_STACK",
    "EXEC_KMALLOC",
    "EXEC_VMALLOC",
    "EXEC_RODATA",
    "EXEC_USERSPACE",
    "EXEC_NULL",
    "ACCESS_USERSPACE",
    "ACCESS_NULL",
    "WRITE_RO",
    "WRITE_RO_AFTER_INIT",
    "WRITE_KERN",
    "WRITE_OPD",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_fixed() {
        assert_eq!(core::mem::size_of::<ExitInfo>(), 7 * 4 + 48);
        assert_eq!(core::mem::size_of::<DacrReport>(), 6 * 4);
    }

    #[test]
    fn records_round_trip_through_their_bytes() {
        let mut info = ExitInfo::empty();
        info.pid = 7;
        info.how = ExitInfo::KILLED;
        info.status = -11;
        info.by_oops = 1;
        info.fault_address = 0x4000_0000;
        info.fault_status = 0x0000_0809;
        info.pc = 0x8001_2345;
        info.cause[..17].copy_from_slice(b"page domain fault");
        assert_eq!(ExitInfo::from_bytes(&info.to_bytes()), info);

        let report = DacrReport {
            user: 0x55,
            kernel_entry: 0x51,
            inside_window: 0x55,
            after_window: 0x51,
            pan: 1,
            pxn: 0,
        };
        assert_eq!(DacrReport::from_bytes(&report.to_bytes()), report);
    }

    #[test]
    fn record_bytes_are_the_memory_layout() {
        let mut info = ExitInfo::empty();
        info.status = -2;
        info.pc = 0x0102_0304;
        info.cause[0] = b'k';
        info.cause[47] = b'!';
        let bytes = info.to_bytes();
        assert_eq!(bytes.len(), core::mem::size_of::<ExitInfo>());
        assert_eq!(bytes[8..12], (-2i32).to_ne_bytes());
        assert_eq!(bytes[24..28], 0x0102_0304u32.to_ne_bytes());
        assert_eq!((bytes[28], bytes[75]), (b'k', b'!'));

        let report = DacrReport { pxn: 0xAABB_CCDD, ..DacrReport::default() };
        assert_eq!(report.to_bytes()[20..], 0xAABB_CCDDu32.to_ne_bytes());
    }

    #[test]
    fn every_byte_image_is_a_record() {
        let bytes = [0xFF; 24];
        let report = DacrReport::from_bytes(&bytes);
        assert_eq!(report.user, u32::MAX);
        assert_eq!(report.to_bytes(), bytes);
        let info = ExitInfo::from_bytes(&[0x80; 76]);
        assert_eq!(info.status, i32::from_ne_bytes([0x80; 4]));
        assert_eq!(info.cause, [0x80; 48]);
    }

    #[test]
    fn cause_text() {
        let mut info = ExitInfo::empty();
        info.cause[..17].copy_from_slice(b"page domain fault");
        assert_eq!(info.cause(), "page domain fault");
        assert_eq!(ExitInfo::empty().cause(), "");
    }
}
