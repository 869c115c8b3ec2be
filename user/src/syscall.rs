//! System calls: the raw `svc #0` and a typed wrapper for each call.

use swpan_abi::syscall as number;
use swpan_abi::{BinEntry, DacrReport, Errno, ExitInfo, ExitStatus, ProcessStatus, Record};

/// Issues system call `number` with up to six arguments; returns r0 as the kernel left it.
///
/// # Safety
///
/// The arguments must be what the call expects; pointers must be valid for what the kernel
/// will read or write through them (the kernel checks them, but it does write through
/// valid ones).
#[inline(always)]
pub unsafe fn raw(number: u32, arguments: [u32; 6]) -> u32 {
    let result: u32;
    // SAFETY: SVC enters the kernel, which preserves every register but r0.
    unsafe {
        core::arch::asm!(
            "svc #0",
            inlateout("r0") arguments[0] => result,
            in("r1") arguments[1],
            in("r2") arguments[2],
            in("r3") arguments[3],
            in("r4") arguments[4],
            in("r5") arguments[5],
            in("r7") number,
            options(nostack),
        )
    };
    result
}

/// A raw result as `Result`: values from -4095 to -1 are `-errno`, as on Linux.
pub fn check(result: u32) -> Result<u32, Errno> {
    let signed = result as i32;
    if (-4095..0).contains(&signed) {
        Err(Errno::from_number((-signed) as u32).unwrap_or(Errno::EINVAL))
    } else {
        Ok(result)
    }
}

fn call(number: u32, arguments: [u32; 6]) -> Result<u32, Errno> {
    // SAFETY: the wrappers below pass pointers to live buffers of the sizes they pass.
    check(unsafe { raw(number, arguments) })
}

/// The address of `record`, as the argument of a call that fills it in: the kernel writes
/// the record's bytes there, which the record's `#[repr(C)]` layout reads back as fields.
fn record_argument<T: Record>(record: &mut T) -> u32 {
    core::ptr::from_mut(record).addr() as u32
}

/// Ends the process with `status`.
pub fn exit(status: i32) -> ! {
    // SAFETY: `exit` takes no pointer.
    unsafe { raw(number::EXIT, [status as u32, 0, 0, 0, 0, 0]) };
    unreachable!("exit returned")
}

/// Writes `bytes` to file descriptor `fd` (1 or 2: the console).
pub fn write(fd: u32, bytes: &[u8]) -> Result<usize, Errno> {
    call(number::WRITE, [fd, bytes.as_ptr() as u32, bytes.len() as u32, 0, 0, 0])
        .map(|n| n as usize)
}

/// `syslog(action, buffer, length)`: with `syslog_action::READ_ALL`, the newest kernel log
/// lines that fit in `buffer` and the bytes copied; with `SIZE_BUFFER`, the log's size.
pub fn syslog(action: u32, buffer: &mut [u8]) -> Result<usize, Errno> {
    let arguments = [action, buffer.as_mut_ptr() as u32, buffer.len() as u32, 0, 0, 0];
    call(number::SYSLOG, arguments).map(|n| n as usize)
}

/// Reads into `buffer` from file descriptor `fd` (0: the console); blocks for the first byte.
pub fn read(fd: u32, buffer: &mut [u8]) -> Result<usize, Errno> {
    call(number::READ, [fd, buffer.as_mut_ptr() as u32, buffer.len() as u32, 0, 0, 0])
        .map(|n| n as usize)
}

/// This process's id.
pub fn getpid() -> u32 {
    call(number::GETPID, [0; 6]).unwrap_or(0)
}

/// Lets another process run.
pub fn sched_yield() {
    let _ = call(number::SCHED_YIELD, [0; 6]);
}

/// The CPUs process `pid` (0: this one) may run on, as a mask (bit n: CPU n).
pub fn sched_getaffinity(pid: u32) -> Result<u32, Errno> {
    let mut mask = 0u32;
    call(number::SCHED_GETAFFINITY, [pid, 4, &raw mut mask as u32, 0, 0, 0])?;
    Ok(mask)
}

/// Lets process `pid` (0: this one) run only on the CPUs in `mask` (bit n: CPU n).
pub fn sched_setaffinity(pid: u32, mask: u32) -> Result<(), Errno> {
    call(number::SCHED_SETAFFINITY, [pid, 4, &raw const mask as u32, 0, 0, 0]).map(|_| ())
}

/// Maps `length` bytes of zeroed anonymous memory with `protection` (see `abi::protection`).
pub fn mmap(address: u32, length: usize, protection: u32, flags: u32) -> Result<u32, Errno> {
    call(number::MMAP2, [address, length as u32, protection, flags, u32::MAX, 0])
}

/// Unmaps `length` bytes at `address`.
pub fn munmap(address: u32, length: usize) -> Result<(), Errno> {
    call(number::MUNMAP, [address, length as u32, 0, 0, 0, 0]).map(|_| ())
}

/// ARM's `cacheflush`: makes the code written to `[start, end)` executable.
pub fn cacheflush(start: u32, end: u32) -> Result<(), Errno> {
    call(number::CACHEFLUSH, [start, end, 0, 0, 0, 0]).map(|_| ())
}

/// Starts the embedded program `program` with `argument`; returns its pid.
pub fn spawn(program: &str, argument: &str) -> Result<u32, Errno> {
    // The kernel reads both as NUL-terminated strings.
    let mut program_buffer = [0u8; 32];
    let mut argument_buffer = [0u8; 128];
    let program_c = to_c_string(program, &mut program_buffer)?;
    let argument_c = to_c_string(argument, &mut argument_buffer)?;
    call(number::SPAWN, [program_c, argument_c, 0, 0, 0, 0])
}

/// Starts the program at `path` (`/bin/NAME` or `NAME`) in a new child with `argv`; returns
/// its pid.
pub fn spawn_argv(path: &str, argv: &[&str]) -> Result<u32, Errno> {
    let mut strings = CStrings::<1024, 32>::new();
    let path = strings.string(path)?;
    let argv = strings.vector(argv)?;
    call(number::SPAWN, [path, 0, argv, 0, 0, 0])
}

/// Replaces this program with the one at `path` (`/bin/NAME`), with `argv` and `envp`;
/// returns only on failure.
pub fn execve(path: &str, argv: &[&str], envp: &[&str]) -> Errno {
    let mut strings = CStrings::<2048, 64>::new();
    let arguments =
        (|| Ok([strings.string(path)?, strings.vector(argv)?, strings.vector(envp)?]))();
    match arguments {
        Ok([path, argv, envp]) => match call(number::EXECVE, [path, argv, envp, 0, 0, 0]) {
            Err(errno) => errno,
            Ok(_) => unreachable!("execve returned success"),
        },
        Err(errno) => errno,
    }
}

/// C strings and NULL-terminated pointer arrays to them, in fixed buffers, for the calls
/// that take argv-style vectors. `E2BIG` when they do not fit.
pub struct CStrings<const BYTES: usize, const POINTERS: usize> {
    bytes: [u8; BYTES],
    used: usize,
    pointers: [u32; POINTERS],
    pointers_used: usize,
}

impl<const BYTES: usize, const POINTERS: usize> Default for CStrings<BYTES, POINTERS> {
    fn default() -> Self {
        CStrings::new()
    }
}

impl<const BYTES: usize, const POINTERS: usize> CStrings<BYTES, POINTERS> {
    /// Empty buffers.
    pub fn new() -> Self {
        CStrings { bytes: [0; BYTES], used: 0, pointers: [0; POINTERS], pointers_used: 0 }
    }

    /// Copies `text` and a NUL in; returns its address.
    pub fn string(&mut self, text: &str) -> Result<u32, Errno> {
        if text.as_bytes().contains(&0) {
            return Err(Errno::EINVAL);
        }
        let end = self.used + text.len() + 1;
        if end > BYTES {
            return Err(Errno::E2BIG);
        }
        self.bytes[self.used..end - 1].copy_from_slice(text.as_bytes());
        self.bytes[end - 1] = 0;
        let address = self.bytes[self.used..].as_ptr() as u32;
        self.used = end;
        Ok(address)
    }

    /// Copies `words` in with a NULL-terminated array of pointers to them; returns the
    /// array's address.
    pub fn vector(&mut self, words: &[&str]) -> Result<u32, Errno> {
        let start = self.pointers_used;
        if start + words.len() + 1 > POINTERS {
            return Err(Errno::E2BIG);
        }
        for (index, word) in words.iter().enumerate() {
            self.pointers[start + index] = self.string(word)?;
        }
        self.pointers[start + words.len()] = 0;
        self.pointers_used = start + words.len() + 1;
        Ok(self.pointers[start..].as_ptr() as u32)
    }
}

fn to_c_string(text: &str, buffer: &mut [u8]) -> Result<u32, Errno> {
    if text.len() >= buffer.len() || text.as_bytes().contains(&0) {
        return Err(Errno::ENAMETOOLONG);
    }
    buffer[..text.len()].copy_from_slice(text.as_bytes());
    buffer[text.len()] = 0;
    Ok(buffer.as_ptr() as u32)
}

/// Waits for child `pid` (or any child with `None`) to end.
pub fn wait(pid: Option<u32>) -> Result<ExitInfo, Errno> {
    let mut info = ExitInfo::empty();
    let pid = pid.map(|pid| pid as i32).unwrap_or(-1);
    call(number::WAIT, [pid as u32, record_argument(&mut info), 0, 0, 0, 0])?;
    Ok(info)
}

/// lkdtm's DIRECT entry: runs crash type `name` in this process.
pub fn provoke(name: &str) -> Result<(), Errno> {
    let mut buffer = [0u8; 64];
    let name_c = to_c_string(name, &mut buffer)?;
    call(number::PROVOKE, [name_c, 0, 0, 0, 0, 0]).map(|_| ())
}

/// The address of kernel symbol `name`, as `/proc/kallsyms` shows it to this process: 0 when
/// `kptr_restrict` hides kernel addresses from it.
pub fn kallsyms_lookup(name: &str) -> Result<u32, Errno> {
    let mut buffer = [0u8; 128];
    let name_c = to_c_string(name, &mut buffer)?;
    call(number::KALLSYMS_LOOKUP, [name_c, 0, 0, 0, 0, 0])
}

/// The teaching-only vulnerable driver (`vulnerable=ops`): the kernel calls through the
/// operations table at address `table` and returns what the handler returned.
///
/// # Safety
///
/// The kernel calls whatever handler the table names, in kernel mode: the point of the
/// driver is that nothing checks it. `table` must be 0 (the driver's own table) or the
/// address of a table whose handler is one the caller means the kernel to run.
pub unsafe fn vulnerable_ops(table: u32) -> Result<u32, Errno> {
    // SAFETY: the caller vouches for the table (this function's contract).
    check(unsafe { raw(number::VULNERABLE_OPS, [table, 0, 0, 0, 0, 0]) })
}

/// Powers the machine off; QEMU exits with `status`.
pub fn poweroff(status: ExitStatus) -> Result<(), Errno> {
    call(number::POWEROFF, [u32::from(status.code()), 0, 0, 0, 0, 0]).map(|_| ())
}

/// What the DACR is at each step of a system call.
pub fn uaccess_report() -> Result<DacrReport, Errno> {
    let mut report = DacrReport::default();
    call(number::UACCESS_REPORT, [record_argument(&mut report), 0, 0, 0, 0, 0])?;
    Ok(report)
}

/// This process's mappings as text.
pub fn maps(buffer: &mut [u8]) -> Result<usize, Errno> {
    call(number::MAPS, [buffer.as_mut_ptr() as u32, buffer.len() as u32, 0, 0, 0, 0])
        .map(|n| n as usize)
}

/// The lkdtm crash types as text, one per line.
pub fn lkdtm_list(buffer: &mut [u8]) -> Result<usize, Errno> {
    call(number::LKDTM_LIST, [buffer.as_mut_ptr() as u32, buffer.len() as u32, 0, 0, 0, 0])
        .map(|n| n as usize)
}

/// Asks the kernel to print the page tables (this process's and the kernel's).
pub fn ptdump() -> Result<(), Errno> {
    call(number::PTDUMP, [0; 6]).map(|_| ())
}

/// Sends `signal` to process `pid`.
pub fn kill(pid: u32, signal: u32) -> Result<(), Errno> {
    call(number::KILL, [pid, signal, 0, 0, 0, 0]).map(|_| ())
}

/// This process's real uid.
pub fn getuid() -> u32 {
    call(number::GETUID32, [0; 6]).unwrap_or(u32::MAX)
}

/// This process's effective uid.
pub fn geteuid() -> u32 {
    call(number::GETEUID32, [0; 6]).unwrap_or(u32::MAX)
}

/// This process's real gid.
pub fn getgid() -> u32 {
    call(number::GETGID32, [0; 6]).unwrap_or(u32::MAX)
}

/// This process's effective gid.
pub fn getegid() -> u32 {
    call(number::GETEGID32, [0; 6]).unwrap_or(u32::MAX)
}

/// Sets the uid (all of them when privileged, the effective one otherwise).
pub fn setuid(uid: u32) -> Result<(), Errno> {
    call(number::SETUID32, [uid, 0, 0, 0, 0, 0]).map(|_| ())
}

/// Sets the gid (all of them when privileged, the effective one otherwise).
pub fn setgid(gid: u32) -> Result<(), Errno> {
    call(number::SETGID32, [gid, 0, 0, 0, 0, 0]).map(|_| ())
}

/// Sets the real and effective uids (`u32::MAX`: unchanged).
pub fn setreuid(real: u32, effective: u32) -> Result<(), Errno> {
    call(number::SETREUID32, [real, effective, 0, 0, 0, 0]).map(|_| ())
}

/// Sets the real, effective and saved uids (`u32::MAX`: unchanged).
pub fn setresuid(real: u32, effective: u32, saved: u32) -> Result<(), Errno> {
    call(number::SETRESUID32, [real, effective, saved, 0, 0, 0]).map(|_| ())
}

/// Sets the real, effective and saved gids (`u32::MAX`: unchanged).
pub fn setresgid(real: u32, effective: u32, saved: u32) -> Result<(), Errno> {
    call(number::SETRESGID32, [real, effective, saved, 0, 0, 0]).map(|_| ())
}

/// The real, effective and saved uids.
pub fn getresuid() -> Result<[u32; 3], Errno> {
    let mut ids = [0u32; 3];
    let [real, effective, saved] = ids.each_mut().map(|id| core::ptr::from_mut(id) as u32);
    call(number::GETRESUID32, [real, effective, saved, 0, 0, 0])?;
    Ok(ids)
}

/// The real, effective and saved gids.
pub fn getresgid() -> Result<[u32; 3], Errno> {
    let mut ids = [0u32; 3];
    let [real, effective, saved] = ids.each_mut().map(|id| core::ptr::from_mut(id) as u32);
    call(number::GETRESGID32, [real, effective, saved, 0, 0, 0])?;
    Ok(ids)
}

/// `prctl(option, arg2, arg3, arg4, arg5)`.
pub fn prctl(option: u32, arguments: [u32; 4]) -> Result<u32, Errno> {
    let [arg2, arg3, arg4, arg5] = arguments;
    call(number::PRCTL, [option, arg2, arg3, arg4, arg5, 0])
}

/// The effective, permitted and inheritable sets of process `pid` (0: this one), through a
/// version-3 `capget`.
pub fn capget(pid: u32) -> Result<[u64; 3], Errno> {
    let mut header = [swpan_abi::capability::VERSION_3, pid];
    let mut data = [0u32; 6];
    call(number::CAPGET, [header.as_mut_ptr() as u32, data.as_mut_ptr() as u32, 0, 0, 0, 0])?;
    Ok([0, 1, 2].map(|set| u64::from(data[set]) | (u64::from(data[3 + set]) << 32)))
}

/// Sets this process's effective, permitted and inheritable sets (version-3 `capset`).
pub fn capset(effective: u64, permitted: u64, inheritable: u64) -> Result<(), Errno> {
    let mut header = [swpan_abi::capability::VERSION_3, 0];
    let sets = [effective, permitted, inheritable];
    let data: [u32; 6] = core::array::from_fn(|word| (sets[word % 3] >> (32 * (word / 3))) as u32);
    call(number::CAPSET, [header.as_mut_ptr() as u32, data.as_ptr() as u32, 0, 0, 0, 0]).map(|_| ())
}

/// This process's identity and credentials (what `/proc/self/status` shows).
pub fn getstatus() -> Result<ProcessStatus, Errno> {
    let mut status = ProcessStatus::default();
    call(number::GETSTATUS, [record_argument(&mut status), 0, 0, 0, 0, 0])?;
    Ok(status)
}

/// Entry `index` of `/bin`; ENOENT past the last.
pub fn bin_entry(index: u32) -> Result<BinEntry, Errno> {
    let mut entry = BinEntry::default();
    call(number::BIN_ENTRY, [index, record_argument(&mut entry), 0, 0, 0, 0])?;
    Ok(entry)
}
