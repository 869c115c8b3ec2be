//! System calls: the Linux ARM EABI convention, numbers from `swpan_abi::syscall`.
//!
//! Every pointer a call receives is a [`UserPtr`] and reaches memory only through the
//! uaccess API ([`crate::uaccess`]): a bad pointer is EFAULT, never an oops. Bounce buffers
//! are small, on the stack, and guarded by canaries that are checked after every copy; the
//! one user-sized allocation (the loopback device) is capped and fallible.
//!
//! File descriptors: 0 the console's input, 1 and 2 its output, [`NULL_DEVICE`] (3) accepts
//! what is written without reading it (as Linux's `/dev/null`) and reads as end of file, [`LOOPBACK`] (4) gives a process back what it
//! wrote (up to [`LOOPBACK_CAPACITY`] bytes).

use crate::arch::trap_frame::TrapFrame;
use crate::arch::{exception, mmu};
use crate::credentials::Kind;
use crate::errno::Errno;
use crate::mm::address_space;
use crate::power;
use crate::process::identity::{self, Which};
use crate::process::{self, Cause, Death, Reaped, exec, mmap, programs};
use crate::seccomp::Seccomp;
use crate::seccomp_calls::Checked;
use crate::uaccess::window::UserAccessWindow;
use crate::uaccess::{
    UserPtr, access_ok, copy_from_user, copy_record_to_user, copy_to_user, strncpy_from_user,
};
use crate::{capability_calls, console, domain, klog, lkdtm, seccomp_calls, signal};
use swpan_abi::{DacrReport, ExitInfo, capability, prctl, syscall as number};

/// The result of a call: a value, or an errno that goes back as `-errno`.
type SyscallResult = Result<u32, Errno>;

/// Runs the system call in `frame` (number in r7, arguments in r0-r5) and puts the result in
/// r0. `entry_dacr` is the DACR the handler found on entry, for `uaccess_report`. A process in
/// seccomp's strict or filter mode has the call checked first ([`seccomp_calls::permits`]);
/// any other pays one load and a branch for it, one whose filters allow everything a second.
pub fn dispatch(frame: &mut TrapFrame, entry_dacr: u32) {
    let checked = process::with_running_seccomp(Seccomp::allows_every_call) == Some(false);
    if checked {
        match seccomp_calls::permits(frame) {
            Checked::Runs => {}
            // A call the filter answered counts as made, with that result.
            Checked::Answered(value) => {
                statistics::count_call();
                statistics::count_returned(value);
                return;
            }
            Checked::Trapped => return,
        }
    }
    let [a0, a1, a2, a3, _a4, _a5] =
        [frame.r[0], frame.r[1], frame.r[2], frame.r[3], frame.r[4], frame.r[5]];
    statistics::count_call();
    let result = match frame.r[7] {
        number::EXIT => process::exit_current(Death::Exited(a0 as i32)),
        number::READ => read(a0, UserPtr::new(a1), a2),
        number::EXECVE => exec::execve(frame, UserPtr::new(a0), UserPtr::new(a1), UserPtr::new(a2)),
        number::WRITE => write(a0, UserPtr::new(a1), a2),
        number::GETPID => Ok(process::current_pid()),
        number::KILL => signal::kill(a0, a1),
        number::SETPGID => signal::setpgid(a0, a1),
        number::GETPGID => signal::getpgid(a0),
        number::RT_SIGRETURN => signal::sigreturn(frame),
        number::RT_SIGACTION => signal::sigaction(a0, UserPtr::new(a1), UserPtr::new(a2), a3),
        number::RT_SIGPROCMASK => signal::sigprocmask(a0, UserPtr::new(a1), UserPtr::new(a2), a3),
        number::MUNMAP => mmap::munmap(a0, a1).map(|()| 0),
        number::SCHED_YIELD => {
            process::yield_now();
            Ok(0)
        }
        number::MMAP2 => mmap2(a0, a1, a2, a3, frame.r[4], frame.r[5]),
        number::SCHED_SETAFFINITY => sched_setaffinity(a0, a1, UserPtr::new(a2)),
        number::SCHED_GETAFFINITY => sched_getaffinity(a0, a1, UserPtr::new(a2)),
        number::GETUID32 => identity::get_id(Kind::User, Which::Real),
        number::GETGID32 => identity::get_id(Kind::Group, Which::Real),
        number::GETEUID32 => identity::get_id(Kind::User, Which::Effective),
        number::GETEGID32 => identity::get_id(Kind::Group, Which::Effective),
        number::SETREUID32 => identity::set_real_effective(Kind::User, a0, a1),
        number::SETRESUID32 => identity::set_real_effective_saved(Kind::User, a0, a1, a2),
        number::GETRESUID32 => identity::get_real_effective_saved(
            Kind::User,
            UserPtr::new(a0),
            UserPtr::new(a1),
            UserPtr::new(a2),
        ),
        number::SETRESGID32 => identity::set_real_effective_saved(Kind::Group, a0, a1, a2),
        number::GETRESGID32 => identity::get_real_effective_saved(
            Kind::Group,
            UserPtr::new(a0),
            UserPtr::new(a1),
            UserPtr::new(a2),
        ),
        number::PRCTL => match a0 {
            prctl::GET_SECCOMP | prctl::SET_SECCOMP => seccomp_calls::prctl(a0, a1, a2),
            _ => capability_calls::prctl(a0, [a1, a2, a3, frame.r[4]]),
        },
        number::CAPGET => capability_calls::capget(UserPtr::new(a0), UserPtr::new(a1)),
        number::CAPSET => capability_calls::capset(UserPtr::new(a0), UserPtr::new(a1)),
        number::SETUID32 => identity::set_id(Kind::User, a0),
        number::SETGID32 => identity::set_id(Kind::Group, a0),
        number::SPAWN => spawn(UserPtr::new(a0), UserPtr::new(a1), UserPtr::new(a2)),
        number::WAIT => wait(a0 as i32, UserPtr::new(a1)),
        number::PROVOKE => provoke(UserPtr::new(a0)),
        number::POWEROFF => capability_calls::require(capability::SYS_BOOT)
            .and_then(|()| power::poweroff_code(a0.min(255) as u8)),
        number::UACCESS_REPORT => uaccess_report(UserPtr::new(a0), entry_dacr),
        number::MAPS => maps(UserPtr::new(a0), a1),
        number::LKDTM_LIST => lkdtm_list(UserPtr::new(a0), a1),
        number::CACHEFLUSH => cacheflush(a0, a1, a2),
        number::PTDUMP => capability_calls::require_root_file().map(|()| {
            let table =
                process::with_current(|process| process.space().map(|space| space.l1_table()));
            // SAFETY: the running process's own table: it stays alive and unchanged while this
            // system call of that process walks it.
            unsafe { crate::mm::ptdump::print(process::current_pid(), table) };
            0
        }),
        number::SYSLOG => klog::syslog(a0, UserPtr::new(a1), a2),
        number::GETSTATUS => identity::get_status(UserPtr::new(a0)),
        number::BIN_ENTRY => programs::bin_entry(a0, UserPtr::new(a1)),
        number::KALLSYMS_LOOKUP => kallsyms_lookup(UserPtr::new(a0)),
        _ => beyond_the_table(frame),
    };
    statistics::count_result(result);
    frame.r[0] = match result {
        Ok(value) => value,
        Err(errno) => (errno.number() as i32).wrapping_neg() as u32,
    };
}

/// The size of a CPU mask (Linux's `cpumask_size()` for 32 CPUs or fewer: one word).
const CPU_MASK_BYTES: u32 = 4;

/// `sched_setaffinity(pid, length, mask)`, as Linux's: a shorter mask is zero-extended, a
/// longer one read only as far as the kernel's size; EFAULT for an unreadable mask, then the
/// errors of [`process::affinity::set_affinity`].
fn sched_setaffinity(pid: u32, length: u32, mask: UserPtr<u8>) -> SyscallResult {
    let mut bytes = [0u8; CPU_MASK_BYTES as usize];
    let count = length.min(CPU_MASK_BYTES) as usize;
    crate::uaccess::copy_from_user(&mut bytes[..count], mask)?;
    process::affinity::set_affinity(pid, u32::from_le_bytes(bytes)).map(|()| 0)
}

/// `sched_getaffinity(pid, length, mask)`, as Linux's: EINVAL when `length` cannot hold a bit
/// per CPU of the board or is not a multiple of the word size, ESRCH, EFAULT; else the mask
/// (the process's CPUs that are online) and its size.
fn sched_getaffinity(pid: u32, length: u32, mask: UserPtr<u8>) -> SyscallResult {
    let possible = crate::arch::cpu::cluster_cpus();
    if length.saturating_mul(8) < possible || !length.is_multiple_of(CPU_MASK_BYTES) {
        return Err(Errno::EINVAL);
    }
    let cpus = process::affinity::affinity(pid)? & process::affinity::online_cpus();
    let count = length.min(CPU_MASK_BYTES);
    crate::uaccess::copy_to_user(mask, &cpus.to_le_bytes()[..count as usize])?;
    Ok(count)
}

/// The calls numbered far above the others (`seccomp`, 383, and the teaching-only
/// `vulnerable_ops`, ENOSYS unless `vulnerable=ops`), or ENOSYS: out of line, so that the
/// dispatcher's jump table keeps its one range check.
#[inline(never)]
fn beyond_the_table(frame: &TrapFrame) -> SyscallResult {
    match frame.r[7] {
        number::SECCOMP => seccomp_calls::seccomp(frame.r[0], frame.r[1], frame.r[2]),
        number::VULNERABLE_OPS => lkdtm::vulnerable_ops::call(frame.r[0]),
        _ => Err(Errno::ENOSYS),
    }
}

/// The null device.
pub const NULL_DEVICE: u32 = 3;
/// The loopback device.
pub const LOOPBACK: u32 = 4;
/// The most bytes a process's loopback holds.
pub const LOOPBACK_CAPACITY: usize = 16 * 1024;

// Every process full of loopback bytes takes at most a quarter of the kernel heap, so that a
// user cannot starve the kernel's own infallible allocations (docs/hostile-input.md).
const _: () = assert!(
    process::MAX_PROCESSES * LOOPBACK_CAPACITY <= crate::mm::heap::SIZE / 4,
    "the loopbacks could exhaust the heap"
);

/// A bounce buffer between two canaries: a copy that ever wrote outside the buffer would
/// change one of them, and `check` would report it as the kernel bug it is.
#[repr(C)]
struct Guarded<const N: usize> {
    front: u32,
    bytes: [u8; N],
    back: u32,
}

const CANARY: u32 = 0xC0DE_CAFE;

impl<const N: usize> Guarded<N> {
    fn new() -> Self {
        Guarded { front: CANARY, bytes: [0; N], back: CANARY }
    }

    fn check(&self) {
        // Volatile reads: the compiler cannot know a copy may have touched them.
        let (front, back) = (&raw const self.front, &raw const self.back);
        // SAFETY: both fields are live and aligned.
        let intact = unsafe { front.read_volatile() == CANARY && back.read_volatile() == CANARY };
        assert!(intact, "a uaccess copy wrote outside its kernel buffer");
    }
}

/// Size of the kernel's bounce buffer for console I/O.
const CHUNK: usize = 256;

fn read(fd: u32, buffer: UserPtr<u8>, count: u32) -> SyscallResult {
    if !matches!(fd, 0 | NULL_DEVICE | LOOPBACK) {
        return Err(Errno::EBADF);
    }
    access_ok(buffer.address(), count)?;
    if count == 0 || fd == NULL_DEVICE {
        return Ok(0);
    }
    if fd == LOOPBACK {
        return read_loopback(buffer, count);
    }
    process::wait_for_console_input()?;
    let mut bytes = Guarded::<CHUNK>::new();
    let length = console::read_input(&mut bytes.bytes[..(count as usize).min(CHUNK)]);
    copy_to_user(buffer, &bytes.bytes[..length])?;
    Ok(length as u32)
}

fn read_loopback(buffer: UserPtr<u8>, count: u32) -> SyscallResult {
    // The buffer leaves the process table while it is copied, so that the copy runs with
    // interrupts on and no lock held.
    let mut stored = process::with_current(|process| core::mem::take(&mut process.loopback));
    let length = (count as usize).min(stored.len());
    let result = copy_to_user(buffer, &stored[..length]);
    if result.is_ok() {
        stored.drain(..length);
    }
    process::with_current(|process| process.loopback = stored);
    result.map(|()| length as u32)
}

fn write_loopback(buffer: UserPtr<u8>, count: u32) -> SyscallResult {
    let mut stored = process::with_current(|process| core::mem::take(&mut process.loopback));
    let room = LOOPBACK_CAPACITY - stored.len();
    let length = (count as usize).min(room);
    let result = if count > 0 && length == 0 {
        Err(Errno::EAGAIN)
    } else if stored.try_reserve_exact(length).is_err() {
        Err(Errno::ENOMEM)
    } else {
        let start = stored.len();
        stored.resize(start + length, 0);
        let copied = copy_from_user(&mut stored[start..], buffer);
        if copied.is_err() {
            stored.truncate(start);
        }
        copied.map(|()| length as u32)
    };
    process::with_current(|process| process.loopback = stored);
    result
}

fn write(fd: u32, buffer: UserPtr<u8>, count: u32) -> SyscallResult {
    if !matches!(fd, 1 | 2 | NULL_DEVICE | LOOPBACK) {
        return Err(Errno::EBADF);
    }
    access_ok(buffer.address(), count)?;
    match fd {
        LOOPBACK => write_loopback(buffer, count),
        // As Linux's /dev/null: the bytes are accepted and never read.
        NULL_DEVICE => Ok(count),
        _ => write_through_console_buffer(buffer, count, console::write_bytes),
    }
}

/// The console's write path: copies `count` bytes in from `buffer` through a canaried bounce
/// buffer, [`CHUNK`] bytes (one copy window) at a time, and hands each chunk to `output` (the
/// UART's writer for the console). Returns the bytes written; a fault after some were keeps
/// them written, as on Linux, and reports them; a fault before any is EFAULT.
/// `kernel_benchmarks` measures it with an output that discards (`console_write_path_4096`).
pub fn write_through_console_buffer(
    buffer: UserPtr<u8>,
    count: u32,
    output: fn(&[u8]),
) -> SyscallResult {
    let mut written = 0u32;
    let mut bytes = Guarded::<CHUNK>::new();
    while written < count {
        let length = ((count - written) as usize).min(CHUNK);
        let source = buffer.byte_add(written).ok_or(Errno::EFAULT)?;
        let copied = copy_from_user(&mut bytes.bytes[..length], source);
        bytes.check();
        if let Err(error) = copied {
            return if written > 0 { Ok(written) } else { Err(error) };
        }
        output(&bytes.bytes[..length]);
        written += length as u32;
    }
    Ok(written)
}

fn mmap2(
    address: u32,
    length: u32,
    protection: u32,
    flags: u32,
    fd: u32,
    page_offset: u32,
) -> SyscallResult {
    if fd != u32::MAX || page_offset != 0 {
        return Err(Errno::EINVAL);
    }
    mmap::mmap(address, length, protection, flags)
}

/// Copies in a NUL-terminated user string of at most `N - 1` bytes.
fn user_string<const N: usize>(
    pointer: UserPtr<u8>,
    buffer: &mut Guarded<N>,
) -> Result<&str, Errno> {
    let copied = strncpy_from_user(&mut buffer.bytes, pointer);
    buffer.check();
    let length = copied?;
    if length == N {
        return Err(Errno::ENAMETOOLONG);
    }
    core::str::from_utf8(&buffer.bytes[..length]).map_err(|_| Errno::EINVAL)
}

fn spawn(program: UserPtr<u8>, argument: UserPtr<u8>, argv: UserPtr<u32>) -> SyscallResult {
    if argv.address() != 0 {
        if argument.address() != 0 {
            return Err(Errno::EINVAL);
        }
        return exec::spawn_vector(program, argv);
    }
    let mut program_buffer = Guarded::<32>::new();
    let mut argument_buffer = Guarded::<128>::new();
    let program = user_string(program, &mut program_buffer)?;
    let argument = user_string(argument, &mut argument_buffer)?;
    process::spawn(program, argument, process::current_pid())
}

fn wait(pid: i32, info: UserPtr<ExitInfo>) -> SyscallResult {
    access_ok(info.address(), core::mem::size_of::<ExitInfo>() as u32)?;
    let filter = if pid < 0 { None } else { Some(pid as u32) };
    let reaped = process::wait(filter)?;
    copy_record_to_user(info, &exit_info(&reaped))?;
    Ok(reaped.pid)
}

/// The ABI record of how a child ended.
pub fn exit_info(reaped: &Reaped) -> ExitInfo {
    let mut info = ExitInfo::empty();
    info.pid = reaped.pid;
    let mut describe = |text: core::fmt::Arguments<'_>| {
        let mut writer = crate::fmt_buffer::FmtBuffer::new(&mut info.cause[..47]);
        let _ = core::fmt::write(&mut writer, text);
    };
    match reaped.death {
        Death::Exited(status) => {
            info.how = ExitInfo::EXITED;
            info.status = status;
        }
        Death::Killed { signal, cause } => {
            info.how = ExitInfo::KILLED;
            info.status = signal as i32;
            match cause {
                Cause::KernelOops { status, address, pc }
                | Cause::UserFault { status, address, pc } => {
                    describe(format_args!("{}", status.kind()));
                    info.fault_status = status.raw();
                    info.fault_address = address;
                    info.pc = pc;
                    info.by_oops = matches!(cause, Cause::KernelOops { .. }) as u32;
                }
                Cause::UndefinedInstruction { pc } => {
                    describe(format_args!("undefined instruction"));
                    info.pc = pc;
                }
                Cause::Signal => describe(format_args!("killed")),
            }
        }
    }
    info
}

/// ARM's `cacheflush(start, end, flags)`: cleans the data cache and invalidates the
/// instruction cache over `[start, end)` of the caller's memory, so that code it wrote can
/// run. The maintenance runs on user addresses, so inside a window (the path Linux once left
/// unopened); at most [`CACHEFLUSH_LIMIT`] bytes per call.
fn cacheflush(start: u32, end: u32, flags: u32) -> SyscallResult {
    if flags != 0 || end < start {
        return Err(Errno::EINVAL);
    }
    let length = end - start;
    access_ok(start, length)?;
    if length > CACHEFLUSH_LIMIT {
        return Err(Errno::EINVAL);
    }
    let mapped = process::with_current(|process| {
        let first = start & !(crate::mm::descriptor::PAGE_SIZE - 1);
        process.regions.iter().any(|region| region.start <= first && end <= region.end)
    });
    if !mapped {
        return Err(Errno::EINVAL);
    }
    crate::uaccess::flush_user_caches(UserPtr::new(start), length).map(|()| 0)
}

/// The most bytes one `cacheflush` covers.
pub const CACHEFLUSH_LIMIT: u32 = 1 << 20;

fn provoke(name: UserPtr<u8>) -> SyscallResult {
    let mut buffer = Guarded::<64>::new();
    capability_calls::require_root_file()?;
    let name = user_string(name, &mut buffer)?;
    lkdtm::provoke(name).map(|()| 0)
}

fn kallsyms_lookup(name: UserPtr<u8>) -> SyscallResult {
    let mut buffer = Guarded::<128>::new();
    let name = user_string(name, &mut buffer)?;
    klog::symbol_address(name)
}

fn uaccess_report(report: UserPtr<DacrReport>, entry_dacr: u32) -> SyscallResult {
    access_ok(report.address(), core::mem::size_of::<DacrReport>() as u32)?;
    // SAFETY: the window holds nothing but a register read.
    let window = unsafe { UserAccessWindow::open() };
    let inside_window = mmu::read_dacr();
    drop(window);
    let record = DacrReport {
        user: domain::DACR_USER,
        kernel_entry: entry_dacr,
        inside_window,
        after_window: mmu::read_dacr(),
        pan: exception::pan_enabled() as u32,
        pxn: address_space::privileged_execute_never() as u32,
    };
    copy_record_to_user(report, &record)?;
    Ok(0)
}

/// Copies `text` (truncated to `length`) to the user buffer; returns the bytes copied.
fn copy_text(buffer: UserPtr<u8>, length: u32, text: &[u8]) -> SyscallResult {
    let count = text.len().min(length as usize);
    copy_to_user(buffer, &text[..count])?;
    Ok(count as u32)
}

fn maps(buffer: UserPtr<u8>, length: u32) -> SyscallResult {
    access_ok(buffer.address(), length)?;
    let text = mmap::maps()?;
    copy_text(buffer, length, text.as_bytes())
}

fn lkdtm_list(buffer: UserPtr<u8>, length: u32) -> SyscallResult {
    access_ok(buffer.address(), length)?;
    let mut text = [0u8; 512];
    let mut used = 0;
    for name in lkdtm::all_names() {
        let line_end = used + name.len() + 1;
        if line_end > text.len() {
            break;
        }
        text[used..line_end - 1].copy_from_slice(name.as_bytes());
        text[line_end - 1] = b'\n';
        used = line_end;
    }
    copy_text(buffer, length, &text[..used])
}

/// Counts of system calls and their results, for the fuzzer's report: per CPU (each CPU adds
/// to its own counters; the totals are their sums).
pub mod statistics {
    use super::SyscallResult;
    use crate::arch::percpu::{CacheLine, MAX_CPUS, PerCpu};
    use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

    static ENABLED: AtomicBool = AtomicBool::new(false);

    /// One CPU's counters.
    struct Counters {
        calls: AtomicU32,
        successes: AtomicU32,
        /// Failures by errno number (Linux's numbers stay below 64 here).
        failures: [AtomicU32; 64],
    }

    static COUNTERS: PerCpu<Counters> = PerCpu::new(
        [const {
            CacheLine::new(Counters {
                calls: AtomicU32::new(0),
                successes: AtomicU32::new(0),
                failures: [const { AtomicU32::new(0) }; 64],
            })
        }; MAX_CPUS],
    );

    /// Starts counting from zero.
    pub fn start() {
        for (_, counters) in COUNTERS.iter() {
            counters.calls.store(0, Ordering::Relaxed);
            counters.successes.store(0, Ordering::Relaxed);
            for counter in &counters.failures {
                counter.store(0, Ordering::Relaxed);
            }
        }
        ENABLED.store(true, Ordering::Relaxed);
    }

    pub(super) fn count_call() {
        if ENABLED.load(Ordering::Relaxed) {
            COUNTERS.this().calls.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(super) fn count_result(result: SyscallResult) {
        if !ENABLED.load(Ordering::Relaxed) {
            return;
        }
        let counters = COUNTERS.this();
        match result {
            Ok(_) => counters.successes.fetch_add(1, Ordering::Relaxed),
            Err(errno) => {
                counters.failures[(errno.number() as usize).min(63)].fetch_add(1, Ordering::Relaxed)
            }
        };
    }

    /// Counts a value a call returned in r0: `-errno` for -4095 to -1, a success otherwise
    /// (seccomp's ERRNO can answer with errnos the kernel itself never returns).
    pub(super) fn count_returned(value: u32) {
        if !ENABLED.load(Ordering::Relaxed) {
            return;
        }
        let counters = COUNTERS.this();
        match (value as i32).checked_neg() {
            Some(errno @ 1..=4095) => {
                counters.failures[(errno as usize).min(63)].fetch_add(1, Ordering::Relaxed)
            }
            _ => counters.successes.fetch_add(1, Ordering::Relaxed),
        };
    }

    /// System calls entered since `start`.
    pub fn calls() -> u32 {
        COUNTERS.iter().map(|(_, counters)| counters.calls.load(Ordering::Relaxed)).sum()
    }

    /// Calls that succeeded.
    pub fn successes() -> u32 {
        COUNTERS.iter().map(|(_, counters)| counters.successes.load(Ordering::Relaxed)).sum()
    }

    /// Calls that failed with errno `number`.
    pub fn failures(number: u32) -> u32 {
        COUNTERS
            .iter()
            .filter_map(|(_, counters)| counters.failures.get(number as usize))
            .map(|counter| counter.load(Ordering::Relaxed))
            .sum()
    }

    /// Calls that returned (successes and failures) on CPU `cpu` since `start`.
    pub fn results_on(cpu: u32) -> u32 {
        let counters = COUNTERS.on(cpu);
        counters.successes.load(Ordering::Relaxed)
            + counters.failures.iter().map(|counter| counter.load(Ordering::Relaxed)).sum::<u32>()
    }
}
