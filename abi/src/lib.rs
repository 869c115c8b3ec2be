//! The interface between the swpan kernel and its user programs, defined once for both.
//!
//! System calls follow the Linux ARM EABI: the number in r7, arguments in r0-r5, `svc #0`,
//! the result in r0, negative for `-errno`. The numbers Linux has are Linux's; the calls
//! Linux lacks live in the ARM private range above 0x0f0000 (arch/arm/include/uapi/asm/unistd.h
//! reserves 0x0f0000-0x0fffff for architecture-specific calls). Structures the kernel writes
//! into user memory are [`Record`]s (`record.rs`); the statuses a boot ends with are
//! [`ExitStatus`] (`exit_status.rs`). Pure data, no `unsafe`.

#![no_std]

pub mod capability_text;
pub mod errno;
pub mod exit_status;
pub mod record;
pub mod seccomp;
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
    /// `execve(path, argv, envp) -> !`: replaces the caller's program with `/bin/NAME`
    /// (see [`crate::exec`] for the limits); returns only on failure.
    pub const EXECVE: u32 = 11;
    /// `getpid() -> pid`.
    pub const GETPID: u32 = 20;
    /// `kill(pid, signal) -> 0`: `pid` > 0 one process, 0 the caller's group, -1 every
    /// process but init and the caller, < -1 the group `-pid`; signal 0 only checks.
    pub const KILL: u32 = 37;
    /// `setpgid(pid, pgid) -> 0`: moves a process (0: the caller) to a group (0: its own).
    pub const SETPGID: u32 = 57;
    /// `munmap(address, length) -> 0`.
    pub const MUNMAP: u32 = 91;
    /// `syslog(action, buffer, length)`: the kernel log; action 3 (READ_ALL) copies it into
    /// `buffer` and returns the bytes copied, 10 (SIZE_BUFFER) returns its size.
    pub const SYSLOG: u32 = 103;
    /// `getpgid(pid) -> pgid`: the process group of `pid` (0: the caller).
    pub const GETPGID: u32 = 132;
    /// `sched_yield() -> 0`.
    pub const SCHED_YIELD: u32 = 158;
    /// `sched_setaffinity(pid, length, mask) -> 0`: `pid` (0: the caller) may run only on the
    /// online CPUs in the `length`-byte bit mask at `mask` (bit n: CPU n).
    pub const SCHED_SETAFFINITY: u32 = 241;
    /// `sched_getaffinity(pid, length, mask) -> bytes`: writes `pid`'s CPU mask (4 bytes, the
    /// kernel's cpumask size) to `mask`; `length` is at least that and a multiple of 4.
    pub const SCHED_GETAFFINITY: u32 = 242;
    /// `prctl(option, arg2, arg3, arg4, arg5) -> value`: the options of [`crate::prctl`].
    pub const PRCTL: u32 = 172;
    /// `rt_sigreturn() -> r0`: restores the registers and mask a signal handler's frame
    /// (at SP) saved; the restorer calls it when the handler returns.
    pub const RT_SIGRETURN: u32 = 173;
    /// `rt_sigaction(signal, &new, &mut old, 8) -> 0`: either pointer may be NULL.
    pub const RT_SIGACTION: u32 = 174;
    /// `rt_sigprocmask(how, &new, &mut old, 8) -> 0`: either pointer may be NULL.
    pub const RT_SIGPROCMASK: u32 = 175;
    /// `capget(&mut header, &mut [data]) -> 0`: the capability sets of `header.pid` (0: the
    /// caller), in `header.version`'s layout (see [`crate::capability`]).
    pub const CAPGET: u32 = 184;
    /// `capset(&mut header, &[data]) -> 0`: sets the caller's effective, permitted and
    /// inheritable sets.
    pub const CAPSET: u32 = 185;
    /// `mmap2(address, length, protection, flags, fd, page_offset) -> address`: anonymous
    /// private mappings only.
    pub const MMAP2: u32 = 192;
    /// `getuid32() -> real uid`.
    pub const GETUID32: u32 = 199;
    /// `getgid32() -> real gid`.
    pub const GETGID32: u32 = 200;
    /// `geteuid32() -> effective uid`.
    pub const GETEUID32: u32 = 201;
    /// `getegid32() -> effective gid`.
    pub const GETEGID32: u32 = 202;
    /// `setreuid32(real, effective) -> 0`; -1 leaves one as it is.
    pub const SETREUID32: u32 = 203;
    /// `setresuid32(real, effective, saved) -> 0`; -1 leaves one as it is.
    pub const SETRESUID32: u32 = 208;
    /// `getresuid32(&mut real, &mut effective, &mut saved) -> 0`.
    pub const GETRESUID32: u32 = 209;
    /// `setresgid32(real, effective, saved) -> 0`; -1 leaves one as it is.
    pub const SETRESGID32: u32 = 210;
    /// `getresgid32(&mut real, &mut effective, &mut saved) -> 0`.
    pub const GETRESGID32: u32 = 211;
    /// `setuid32(uid) -> 0`.
    pub const SETUID32: u32 = 213;
    /// `setgid32(gid) -> 0`.
    pub const SETGID32: u32 = 214;
    /// `seccomp(operation, flags, argument) -> 0`: strict mode, a filter, or a question
    /// ([`crate::seccomp`]).
    pub const SECCOMP: u32 = 383;
    /// ARM's private `cacheflush(start, end, flags)`: makes code written to user memory
    /// executable (arch/arm/kernel/traps.c).
    pub const CACHEFLUSH: u32 = 0x0f_0002;
    /// `spawn(program, argument, argv) -> pid`: runs an embedded program (`NAME` or
    /// `/bin/NAME`) in a new child. With `argv` NULL the child's argv is `[NAME, argument]`
    /// (`[NAME]` for an empty argument), the fast path; otherwise `argument` must be NULL and
    /// `argv` is copied in as `execve`'s is.
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
    /// `getstatus(&mut ProcessStatus) -> 0`: the caller's identity, credentials and
    /// capability sets, the facts of Linux's `/proc/self/status`.
    pub const GETSTATUS: u32 = 0x0f_0109;
    /// `bin_entry(index, &mut BinEntry) -> 0`: entry `index` of `/bin` (ENOENT past the last),
    /// as `ls -l` shows it.
    pub const BIN_ENTRY: u32 = 0x0f_010a;
    /// `kallsyms_lookup(name) -> address`: the address of the kernel symbol `name` (a string),
    /// as `/proc/kallsyms` lists it: 0 when `kptr_restrict` hides kernel addresses from the
    /// caller (1 without CAP_SYSLOG, or 2), ENOENT for a name the table lacks.
    pub const KALLSYMS_LOOKUP: u32 = 0x0f_010b;
    /// `vulnerable_ops(table) -> value`: a deliberately vulnerable driver, for teaching only,
    /// that exists only with `vulnerable=ops` on the command line (ENOSYS otherwise). It
    /// calls through the [`crate::vulnerable::Operations`] table at `table` (its own table
    /// for 0), reading the table with plain loads, never `copy_from_user`: the bug. Numbered
    /// apart from the calls above, in the same ARM private range, so that it is never taken
    /// for one of them.
    pub const VULNERABLE_OPS: u32 = 0x0f_0200;
}

/// The teaching-only vulnerable driver's interface ([`syscall::VULNERABLE_OPS`]).
pub mod vulnerable {
    /// An operations table, the shape of a kernel's `struct file_operations`, cut to one
    /// function: the driver calls `handler(data)` and returns what it returns. Both fields
    /// are 32-bit addresses or values, in this order.
    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Operations {
        /// The address of the function the driver calls.
        pub handler: u32,
        /// The one argument it passes.
        pub data: u32,
    }

    /// What the driver's own table's handler returns: proof that the safe path ran.
    pub const DEFAULT_RESULT: u32 = 0x0000_0D05;
}

/// `execve`'s limits and the auxiliary vector it leaves on the new program's stack.
pub mod exec {
    /// The most bytes of argv and envp together: every string with its NUL, plus one pointer
    /// (4 bytes) per string. More is E2BIG. (Linux allows a quarter of the stack limit.)
    pub const ARG_MAX: usize = 16 * 1024;
    /// The longest path, its NUL included: a longer one is ENAMETOOLONG (Linux: 4096).
    pub const PATH_MAX: usize = 256;
    /// The directory of the embedded programs.
    pub const BIN: &str = "/bin";

    /// Auxiliary vector entry types (include/uapi/linux/auxvec.h).
    pub mod auxv {
        /// The end of the vector.
        pub const AT_NULL: u32 = 0;
        /// The page size.
        pub const AT_PAGESZ: u32 = 6;
        /// Real uid.
        pub const AT_UID: u32 = 11;
        /// Effective uid.
        pub const AT_EUID: u32 = 12;
        /// Real gid.
        pub const AT_GID: u32 = 13;
        /// Effective gid.
        pub const AT_EGID: u32 = 14;
        /// 1 when the program runs with privileges its invoker lacks (set-id): libraries then
        /// distrust the environment.
        pub const AT_SECURE: u32 = 23;
        /// The address of 16 random bytes.
        pub const AT_RANDOM: u32 = 25;
    }
}

/// Capabilities: Linux's numbering (include/uapi/linux/capability.h).
pub mod capability {
    /// The highest capability number (CAP_CHECKPOINT_RESTORE).
    pub const LAST_CAP: u32 = 40;
    /// Every capability, 0 to [`LAST_CAP`]: the set a root process holds.
    pub const ALL: u64 = (1 << (LAST_CAP + 1)) - 1;

    /// CAP_CHOWN.
    pub const CHOWN: u32 = 0;
    /// CAP_DAC_OVERRIDE.
    pub const DAC_OVERRIDE: u32 = 1;
    /// CAP_DAC_READ_SEARCH.
    pub const DAC_READ_SEARCH: u32 = 2;
    /// CAP_FOWNER.
    pub const FOWNER: u32 = 3;
    /// CAP_FSETID.
    pub const FSETID: u32 = 4;
    /// CAP_KILL.
    pub const KILL: u32 = 5;
    /// CAP_SETGID.
    pub const SETGID: u32 = 6;
    /// CAP_SETUID.
    pub const SETUID: u32 = 7;
    /// CAP_SETPCAP.
    pub const SETPCAP: u32 = 8;
    /// CAP_LINUX_IMMUTABLE.
    pub const LINUX_IMMUTABLE: u32 = 9;
    /// CAP_NET_BIND_SERVICE.
    pub const NET_BIND_SERVICE: u32 = 10;
    /// CAP_NET_BROADCAST.
    pub const NET_BROADCAST: u32 = 11;
    /// CAP_NET_ADMIN.
    pub const NET_ADMIN: u32 = 12;
    /// CAP_NET_RAW.
    pub const NET_RAW: u32 = 13;
    /// CAP_IPC_LOCK.
    pub const IPC_LOCK: u32 = 14;
    /// CAP_IPC_OWNER.
    pub const IPC_OWNER: u32 = 15;
    /// CAP_SYS_MODULE.
    pub const SYS_MODULE: u32 = 16;
    /// CAP_SYS_RAWIO.
    pub const SYS_RAWIO: u32 = 17;
    /// CAP_SYS_CHROOT.
    pub const SYS_CHROOT: u32 = 18;
    /// CAP_SYS_PTRACE.
    pub const SYS_PTRACE: u32 = 19;
    /// CAP_SYS_PACCT.
    pub const SYS_PACCT: u32 = 20;
    /// CAP_SYS_ADMIN.
    pub const SYS_ADMIN: u32 = 21;
    /// CAP_SYS_BOOT.
    pub const SYS_BOOT: u32 = 22;
    /// CAP_SYS_NICE.
    pub const SYS_NICE: u32 = 23;
    /// CAP_SYS_RESOURCE.
    pub const SYS_RESOURCE: u32 = 24;
    /// CAP_SYS_TIME.
    pub const SYS_TIME: u32 = 25;
    /// CAP_SYS_TTY_CONFIG.
    pub const SYS_TTY_CONFIG: u32 = 26;
    /// CAP_MKNOD.
    pub const MKNOD: u32 = 27;
    /// CAP_LEASE.
    pub const LEASE: u32 = 28;
    /// CAP_AUDIT_WRITE.
    pub const AUDIT_WRITE: u32 = 29;
    /// CAP_AUDIT_CONTROL.
    pub const AUDIT_CONTROL: u32 = 30;
    /// CAP_SETFCAP.
    pub const SETFCAP: u32 = 31;
    /// CAP_MAC_OVERRIDE.
    pub const MAC_OVERRIDE: u32 = 32;
    /// CAP_MAC_ADMIN.
    pub const MAC_ADMIN: u32 = 33;
    /// CAP_SYSLOG.
    pub const SYSLOG: u32 = 34;
    /// CAP_WAKE_ALARM.
    pub const WAKE_ALARM: u32 = 35;
    /// CAP_BLOCK_SUSPEND.
    pub const BLOCK_SUSPEND: u32 = 36;
    /// CAP_AUDIT_READ.
    pub const AUDIT_READ: u32 = 37;
    /// CAP_PERFMON.
    pub const PERFMON: u32 = 38;
    /// CAP_BPF.
    pub const BPF: u32 = 39;
    /// CAP_CHECKPOINT_RESTORE.
    pub const CHECKPOINT_RESTORE: u32 = 40;

    /// The mask with capability `number` alone (0 for a number above [`LAST_CAP`]).
    pub const fn bit(number: u32) -> u64 {
        if number > LAST_CAP { 0 } else { 1 << number }
    }

    /// Whether `number` names a capability (`cap_valid`).
    pub const fn is_valid(number: u32) -> bool {
        number <= LAST_CAP
    }

    /// `capget`/`capset` header versions (`_LINUX_CAPABILITY_VERSION_1` to `_3`).
    pub const VERSION_1: u32 = 0x1998_0330;
    /// Version 2 (deprecated): two data elements, as version 3.
    pub const VERSION_2: u32 = 0x2007_1026;
    /// Version 3, the preferred one: two data elements, low word first.
    pub const VERSION_3: u32 = 0x2008_0522;
}

/// `prctl` options (include/uapi/linux/prctl.h).
pub mod prctl {
    /// PR_GET_KEEPCAPS: 1 when SECBIT_KEEP_CAPS is set.
    pub const GET_KEEPCAPS: u32 = 7;
    /// PR_SET_KEEPCAPS(0 or 1).
    pub const SET_KEEPCAPS: u32 = 8;
    /// PR_GET_SECCOMP: the seccomp mode ([`crate::seccomp::mode`]).
    pub const GET_SECCOMP: u32 = 21;
    /// PR_SET_SECCOMP(mode, &sock_fprog): strict (1) or one filter (2).
    pub const SET_SECCOMP: u32 = 22;
    /// PR_CAPBSET_READ(cap): 1 when `cap` is in the bounding set.
    pub const CAPBSET_READ: u32 = 23;
    /// PR_CAPBSET_DROP(cap): removes `cap` from the bounding set (needs CAP_SETPCAP).
    pub const CAPBSET_DROP: u32 = 24;
    /// PR_GET_SECUREBITS.
    pub const GET_SECUREBITS: u32 = 27;
    /// PR_SET_SECUREBITS(bits) (needs CAP_SETPCAP).
    pub const SET_SECUREBITS: u32 = 28;
    /// PR_SET_NO_NEW_PRIVS(1): one way, inherited.
    pub const SET_NO_NEW_PRIVS: u32 = 38;
    /// PR_GET_NO_NEW_PRIVS.
    pub const GET_NO_NEW_PRIVS: u32 = 39;
    /// PR_CAP_AMBIENT(operation, cap): the ambient set.
    pub const CAP_AMBIENT: u32 = 47;
    /// PR_CAP_AMBIENT_IS_SET: 1 when `cap` is ambient.
    pub const CAP_AMBIENT_IS_SET: u32 = 1;
    /// PR_CAP_AMBIENT_RAISE: `cap` must be permitted and inheritable.
    pub const CAP_AMBIENT_RAISE: u32 = 2;
    /// PR_CAP_AMBIENT_LOWER.
    pub const CAP_AMBIENT_LOWER: u32 = 3;
    /// PR_CAP_AMBIENT_CLEAR_ALL.
    pub const CAP_AMBIENT_CLEAR_ALL: u32 = 4;
}

/// Securebits (include/uapi/linux/securebits.h): each flag's lock is the bit above it.
pub mod securebits {
    /// SECBIT_NOROOT: uid 0 gets no capabilities from `execve`.
    pub const NOROOT: u32 = 1 << 0;
    /// SECBIT_NOROOT_LOCKED.
    pub const NOROOT_LOCKED: u32 = 1 << 1;
    /// SECBIT_NO_SETUID_FIXUP: uid changes leave the capability sets alone.
    pub const NO_SETUID_FIXUP: u32 = 1 << 2;
    /// SECBIT_NO_SETUID_FIXUP_LOCKED.
    pub const NO_SETUID_FIXUP_LOCKED: u32 = 1 << 3;
    /// SECBIT_KEEP_CAPS: leaving uid 0 keeps the permitted set (cleared by `execve`).
    pub const KEEP_CAPS: u32 = 1 << 4;
    /// SECBIT_KEEP_CAPS_LOCKED.
    pub const KEEP_CAPS_LOCKED: u32 = 1 << 5;
    /// SECBIT_NO_CAP_AMBIENT_RAISE: PR_CAP_AMBIENT_RAISE is refused.
    pub const NO_CAP_AMBIENT_RAISE: u32 = 1 << 6;
    /// SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED.
    pub const NO_CAP_AMBIENT_RAISE_LOCKED: u32 = 1 << 7;
    /// Every flag (v4.3's `SECURE_ALL_BITS`).
    pub const ALL_FLAGS: u32 = 0x55;
    /// Every lock (`SECURE_ALL_LOCKS`).
    pub const ALL_LOCKS: u32 = 0xaa;
}

/// `syslog` actions (Linux's SYSLOG_ACTION_*), the ones this kernel implements.
pub mod syslog_action {
    /// Read the whole log, leaving it in place.
    pub const READ_ALL: u32 = 3;
    /// The log's size in bytes.
    pub const SIZE_BUFFER: u32 = 10;
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

record_struct! {
    /// A process's identity and credentials, filled in by `getstatus`: what Linux shows in
    /// `/proc/self/status`. Each 64-bit capability set is two words, low word first.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct ProcessStatus {
        /// The process's id.
        pub pid: u32,
        /// Its parent's id.
        pub ppid: u32,
        /// Real, effective, saved and filesystem uid.
        pub uid: [u32; 4],
        /// Real, effective, saved and filesystem gid.
        pub gid: [u32; 4],
        /// Inheritable capabilities.
        pub cap_inheritable: [u32; 2],
        /// Permitted capabilities.
        pub cap_permitted: [u32; 2],
        /// Effective capabilities.
        pub cap_effective: [u32; 2],
        /// The capability bounding set.
        pub cap_bounding: [u32; 2],
        /// Ambient capabilities.
        pub cap_ambient: [u32; 2],
        /// 1 when the process may not gain privileges through `execve`.
        pub no_new_privs: u32,
        /// The seccomp mode: 0 none, 1 strict, 2 filter.
        pub seccomp: u32,
        /// The program's name (NUL-terminated unless it fills the field), as Linux's `comm`.
        pub name: [u8; 16],
    }
}

impl ProcessStatus {
    /// The name as text.
    pub fn name(&self) -> &str {
        let length = self.name.iter().position(|&byte| byte == 0).unwrap_or(self.name.len());
        core::str::from_utf8(&self.name[..length]).unwrap_or("?")
    }

    /// Splits a 64-bit set into the record's two words.
    pub const fn split(set: u64) -> [u32; 2] {
        [set as u32, (set >> 32) as u32]
    }

    /// Joins the record's two words into a 64-bit set.
    pub const fn join(words: [u32; 2]) -> u64 {
        words[0] as u64 | (words[1] as u64) << 32
    }
}

record_struct! {
    /// One entry of `/bin`, filled in by `bin_entry`: what `stat` would say of the file.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct BinEntry {
        /// Owner uid.
        pub uid: u32,
        /// Owner gid.
        pub gid: u32,
        /// Permission bits with setuid and setgid (`st_mode & 0o7777`).
        pub mode: u32,
        /// Size in bytes.
        pub size: u32,
        /// 1 when the file carries a capability record.
        pub has_capabilities: u32,
        /// The record's effective bit (fE): 1 or 0.
        pub cap_effective: u32,
        /// The record's permitted set (fP), low word first.
        pub cap_permitted: [u32; 2],
        /// The record's inheritable set (fI), low word first.
        pub cap_inheritable: [u32; 2],
        /// Its name, NUL-terminated.
        pub name: [u8; 28],
    }
}

impl BinEntry {
    /// The name as text.
    pub fn name(&self) -> &str {
        let length = self.name.iter().position(|&byte| byte == 0).unwrap_or(self.name.len());
        core::str::from_utf8(&self.name[..length]).unwrap_or("?")
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
    "ACCESS_USERSPACE_LINEAR",
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
        assert_eq!(core::mem::size_of::<ProcessStatus>(), 22 * 4 + 16);
        assert_eq!(core::mem::size_of::<BinEntry>(), 10 * 4 + 28);
    }

    #[test]
    fn linux_numbers() {
        // arch/arm/tools/syscall.tbl and include/uapi/linux/auxvec.h.
        assert_eq!(
            [syscall::EXECVE, syscall::GETUID32, syscall::SETUID32, syscall::SETRESGID32],
            [11, 199, 213, 210]
        );
        assert_eq!(
            [exec::auxv::AT_PAGESZ, exec::auxv::AT_SECURE, exec::auxv::AT_RANDOM],
            [6, 23, 25]
        );
        assert_eq!(capability::ALL, 0x0000_01ff_ffff_ffff);
    }

    #[test]
    fn capability_and_securebit_numbers_are_linuxs() {
        // include/uapi/linux/capability.h and securebits.h.
        use capability as c;
        assert_eq!([c::CHOWN, c::KILL, c::SETGID, c::SETUID, c::SETPCAP], [0, 5, 6, 7, 8]);
        assert_eq!([c::SYS_RAWIO, c::SYS_ADMIN, c::SYS_BOOT, c::SETFCAP], [17, 21, 22, 31]);
        assert_eq!([c::SYSLOG, c::AUDIT_READ, c::CHECKPOINT_RESTORE], [34, 37, 40]);
        assert_eq!(
            [c::VERSION_1, c::VERSION_2, c::VERSION_3],
            [0x19980330, 0x20071026, 0x20080522]
        );
        assert_eq!((c::bit(40), c::bit(41)), (1 << 40, 0));
        use securebits as s;
        let flags = s::NOROOT | s::NO_SETUID_FIXUP | s::KEEP_CAPS | s::NO_CAP_AMBIENT_RAISE;
        assert_eq!((flags, s::ALL_FLAGS, s::ALL_LOCKS), (0x55, 0x55, 0xaa));
        assert_eq!(s::ALL_LOCKS, s::ALL_FLAGS << 1);
        assert_eq!([syscall::PRCTL, syscall::CAPGET, syscall::CAPSET], [172, 184, 185]);
        use prctl as p;
        assert_eq!([p::GET_KEEPCAPS, p::CAPBSET_READ, p::GET_SECUREBITS], [7, 23, 27]);
        assert_eq!([p::SET_NO_NEW_PRIVS, p::GET_NO_NEW_PRIVS, p::CAP_AMBIENT], [38, 39, 47]);
        assert_eq!([p::CAP_AMBIENT_IS_SET, p::CAP_AMBIENT_CLEAR_ALL], [1, 4]);
    }

    #[test]
    fn capability_sets_split_and_join() {
        assert_eq!(ProcessStatus::split(capability::ALL), [u32::MAX, 0x1ff]);
        assert_eq!(ProcessStatus::join([u32::MAX, 0x1ff]), capability::ALL);
        let mut status = ProcessStatus::default();
        status.name[..2].copy_from_slice(b"sh");
        assert_eq!(status.name(), "sh");
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
