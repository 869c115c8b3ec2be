//! `bench`: the user half of the benchmarks, run by the kernel's `bench=` job only (it reads
//! the cycle counter and the virtual count, which user mode may read only then).
//!
//! With no argument, under `-icount shift=0`, it prints instruction counts:
//! `boot_to_user` (the cycle counter at this program's first statement: the kernel starts
//! counting at its first instruction), a null system call round trip (`getpid`), 4 KiB
//! written to the null device (which, as Linux's, reads none of them) and read back
//! from the loopback, a `sched_yield` with nobody else to run, a signal delivered to a handler
//! and returned from (`kill` to itself, the frame, the handler, `rt_sigreturn`), and a context
//! switch, 64 KiB mapped, touched page by page and unmapped (`mmap_touch_munmap_65536`), and
//! `/bin/true` spawned and waited for (`spawn_true`), and the null system call again in two
//! children that confine themselves first: under an allow-all filter
//! (`null_syscall_seccomp_allow_all`) and under a 20-rule allowlist as libseccomp compiles it
//! (`null_syscall_seccomp_allowlist`). Last it replaces itself with itself (`execve`), passing the counter it read just
//! before the call in its environment: the new image, started with the argument `execve`,
//! reports `execve` (the call to its own first statement) and ends the run.
//!
//! `wall` times system calls against the generic timer instead, for a boot without
//! `-icount`: nanoseconds per call, the fewest over a few rounds.
//!
//! `pong` yields forever: the other side of the context switch.
//!
//! It uses only Linux's system call numbers but for swpan's `spawn`, `wait` and
//! `uaccess_report`, which Linux answers ENOSYS; with `fork` in place of `spawn` the same ELF
//! runs on Linux (`make compare-linux`), given the same file descriptors 3 and 4 and the
//! cycle counter readable.

#![no_std]
#![no_main]

use core::arch::asm;
use swpan_user::abi::ExitInfo;
use swpan_user::abi::seccomp::{RET_ALLOW, SockFilter, bpf};
use swpan_user::abi::syscall as number;
use swpan_user::seccomp::{install_filter, parse_hex, set_no_new_privs};
use swpan_user::{println, syscall};

swpan_user::main!(run);

/// How many times each instruction count is taken; the fewest counts.
const RUNS: usize = 8;

fn run(argument: &str) -> i32 {
    let boot_to_user = cycles();
    match argument {
        "" => instruction_counts(boot_to_user),
        "wall" => wall_clock(),
        "execve" => report_execve(boot_to_user),
        "seccomp-allow-all" => filtered_null_syscall("allow_all", &ALLOW_ALL),
        "seccomp-allowlist" => match parse_hex(ALLOWLIST_HEX, &mut [SockFilter::default(); 32]) {
            Ok(filter) => filtered_null_syscall("allowlist", filter),
            Err(_) => {
                println!("bench: the allowlist's hex does not parse");
                1
            }
        },
        "pong" => loop {
            syscall::sched_yield();
        },
        other => {
            println!("bench: unknown argument '{other}'");
            2
        }
    }
}

/// A handler that does nothing: what is measured is the way there and back.
extern "C" fn empty_handler(_: u32, _: *mut swpan_user::abi::signal::SignalFrame, _: *mut u8) {}

/// A signal delivered and returned from: `kill` to itself, the frame written on the way back
/// to user mode, the (empty) handler, the restorer's `rt_sigreturn` reading the frame back.
fn signal_round_trip() -> u32 {
    use swpan_user::abi::signal::{SIG_DFL, SIGUSR1};
    let me = syscall::getpid();
    let _ = swpan_user::signal::set_handler(SIGUSR1, empty_handler, 0, 0);
    let count = instructions(&mut || {
        let _ = syscall::kill(me, SIGUSR1);
    });
    let _ = swpan_user::signal::set_disposition(SIGUSR1, SIG_DFL);
    count
}

/// 64 KiB mapped, one word written in each page and unmapped, and `/bin/true` spawned and
/// collected: what giving frames to a process and taking them back costs. Returns the
/// failures.
fn memory_figures() -> u32 {
    use swpan_user::abi::{map, protection};
    const LENGTH: usize = 65536;
    let mut failures = 0;
    let mmap = instructions(&mut || {
        match syscall::mmap(
            0,
            LENGTH,
            protection::READ | protection::WRITE,
            map::PRIVATE | map::ANONYMOUS,
        ) {
            Ok(address) => {
                for page in (address..address + LENGTH as u32).step_by(4096) {
                    // SAFETY: the page was just mapped read-write for this process.
                    unsafe { (page as *mut u32).write_volatile(page) };
                }
                failures += syscall::munmap(address, LENGTH).is_err() as u32;
            }
            Err(_) => failures += 1,
        }
    });
    println!("bench: mmap_touch_munmap_65536 {mmap}");
    // A kernel without `spawn` (Linux answers ENOSYS) has no such figure.
    let mut has_spawn = true;
    let spawn = instructions(&mut || match syscall::spawn("true", "") {
        Ok(pid) => failures += syscall::wait(Some(pid)).is_err() as u32,
        Err(swpan_user::Errno::ENOSYS) => has_spawn = false,
        Err(_) => failures += 1,
    });
    if has_spawn {
        println!("bench: spawn_true {spawn}");
    }
    failures
}

/// PMCCNTR: instructions since the kernel's first one, under `-icount shift=0`.
#[inline(always)]
fn cycles() -> u32 {
    let count: u32;
    // SAFETY: reads PMCCNTR, which the kernel's bench job lets user mode read.
    unsafe {
        asm!("mrc p15, 0, {}, c9, c13, 0", out(reg) count, options(nostack, preserves_flags))
    };
    count
}

/// Instructions `operation` takes: the fewest over [`RUNS`] runs, less what the same
/// measurement of an empty operation counts (both through [`one_measurement`], so that the
/// counter reads, the call and the return cancel out exactly).
fn instructions(operation: &mut dyn FnMut()) -> u32 {
    let mut empty = u32::MAX;
    let mut fewest = u32::MAX;
    for _ in 0..RUNS {
        empty = empty.min(one_measurement(&mut || {}));
        fewest = fewest.min(one_measurement(operation));
    }
    fewest.saturating_sub(empty)
}

/// The counter before and after one call of `operation`.
#[inline(never)]
fn one_measurement(operation: &mut dyn FnMut()) -> u32 {
    let start = cycles();
    operation();
    cycles().wrapping_sub(start)
}

/// `getpid`, the least a system call does: the entry, the dispatch, the exit.
#[inline(always)]
fn null_syscall() {
    // SAFETY: getpid takes no argument and touches no memory.
    unsafe {
        asm!("svc #0", in("r7") number::GETPID, lateout("r0") _, options(nostack, preserves_flags))
    };
}

fn pan_suffix() -> &'static str {
    match syscall::uaccess_report() {
        Ok(report) if report.pan == 0 => "pan_off",
        _ => "pan_on",
    }
}

fn instruction_counts(boot_to_user: u32) -> i32 {
    // One CPU's figures, whatever the board has: this process, and the partner of the context
    // switch that inherits it, stay on CPU 0.
    let _ = syscall::sched_setaffinity(0, 1);
    println!("bench: boot_to_user {boot_to_user}");
    let suffix = pan_suffix();
    let null = instructions(&mut null_syscall);
    println!("bench: null_syscall_{suffix} {null}");

    let mut failures = 0;
    let mut buffer = [0x5Au8; 4096];
    let write = instructions(&mut || {
        failures += (syscall::write(3, &buffer) != Ok(4096)) as u32;
    });
    println!("bench: write_4096 {write}");
    // Each read needs 4 KiB waiting in the loopback, put there outside the count.
    let mut fewest_read = u32::MAX;
    for _ in 0..RUNS {
        failures += (syscall::write(4, &buffer) != Ok(4096)) as u32;
        let mut read = Ok(0);
        let count = one_measurement(&mut || read = syscall::read(4, &mut buffer));
        failures += (read != Ok(4096)) as u32;
        let empty = one_measurement(&mut || {});
        fewest_read = fewest_read.min(count.saturating_sub(empty));
    }
    println!("bench: read_4096 {fewest_read}");

    let alone = instructions(&mut syscall::sched_yield);
    println!("bench: sched_yield {alone}");
    let signal = signal_round_trip();
    println!("bench: signal_round_trip {signal}");
    failures += memory_figures();
    match syscall::spawn("bench", "pong").or_else(|_| fork_pong()) {
        Ok(partner) => {
            // Each yield here runs the partner's in between: two system calls, two switches.
            // A switch is what each yield costs beyond a null system call: the scheduler's
            // choice, the address space and the registers.
            let round_trip = instructions(&mut syscall::sched_yield);
            println!("bench: context_switch {}", (round_trip / 2).saturating_sub(null));
            let _ = syscall::kill(partner, swpan_user::abi::signal::SIGKILL);
            let _ = syscall::wait(Some(partner));
        }
        Err(errno) => {
            println!("bench: no partner for the context switch: {errno}");
            failures += 1;
        }
    }
    failures += seccomp_figures();
    exec_self(failures)
}

/// A filter that allows every call.
const ALLOW_ALL: [SockFilter; 1] = [SockFilter::statement(bpf::RET | bpf::K, RET_ALLOW)];

/// A 20-call allowlist (read, write, close, fstat64, lseek, mmap2, munmap, brk, rt_sigaction,
/// rt_sigprocmask, rt_sigreturn, ioctl, nanosleep, clock_gettime, getpid, exit, exit_group,
/// futex, openat, sched_yield; anything else KILL_PROCESS) as libseccomp 2.5.4 compiles it for
/// ARM: `tests/libseccomp_filters.py compile` (Debian's python3-seccomp) on
/// `{"default": "KILL_PROCESS", "rules": [{"action": "ALLOW", "syscall": NAME}, ...]}`, its
/// `export_bpf` bytes as hex. 26 instructions: the architecture check, the number compared
/// with each rule in ascending order, the two actions; getpid (20) is the sixth comparison, so
/// a getpid runs 10 of them.
const ALLOWLIST_HEX: &str = "\
    200000000400000015000017280000402000000000000000150014000100000015001300030000001500120004000000\
    1500110006000000150010001300000015000f001400000015000e002d00000015000d003600000015000c005b000000\
    15000b009e00000015000a00a200000015000900ad00000015000800ae00000015000700af00000015000600c0000000\
    15000500c500000015000400f000000015000300f8000000150002000701000015000100420100000600000000000080\
    060000000000ff7f0600000000000000";

/// Spawns the two children that measure a null system call under a filter (a filter stays
/// with the process that installs it, so each measures in its own process). Returns the
/// failures.
fn seccomp_figures() -> u32 {
    let mut failures = 0;
    for argument in ["seccomp-allow-all", "seccomp-allowlist"] {
        let succeeded = match syscall::spawn("bench", argument) {
            Ok(pid) => matches!(
                syscall::wait(Some(pid)),
                Ok(info) if info.how == ExitInfo::EXITED && info.status == 0
            ),
            Err(swpan_user::Errno::ENOSYS) => fork_exec_wait(argument),
            Err(_) => false,
        };
        if !succeeded {
            println!("bench: {argument} failed");
            failures += 1;
        }
    }
    failures
}

/// Linux's `wait4`, which swpan does not have.
const WAIT4: u32 = 114;

/// On a kernel without `spawn` (Linux): `fork`, `execve` of this program with `argument` in
/// the child, `wait4` in the parent; true when the child exited with status 0.
fn fork_exec_wait(argument: &str) -> bool {
    // SAFETY: fork takes no argument and touches no memory of the caller.
    match syscall::check(unsafe { syscall::raw(FORK, [0; 6]) }) {
        Ok(0) => {
            let errno = syscall::execve("/bin/bench", &["bench", argument], &[]);
            println!("bench: execve for {argument}: {}", errno.name());
            syscall::exit(1)
        }
        Ok(child) => {
            let mut status = 0u32;
            let pointer = &raw mut status as u32;
            // SAFETY: wait4 writes the child's status into `status`, a live local word.
            let waited =
                syscall::check(unsafe { syscall::raw(WAIT4, [child, pointer, 0, 0, 0, 0]) });
            // Exited (low seven bits 0) with status 0 (bits 8-15).
            waited == Ok(child) && status & 0xFFFF == 0
        }
        Err(_) => false,
    }
}

/// Prints what a null system call costs in this process, then sets no_new_privs, installs
/// `filter` and prints what the same call costs under it.
fn filtered_null_syscall(name: &str, filter: &[SockFilter]) -> i32 {
    let unfiltered = instructions(&mut null_syscall);
    println!("bench: null_syscall_before_seccomp_{name} {unfiltered}");
    if set_no_new_privs().is_err() || install_filter(filter, 0).is_err() {
        println!("bench: could not install the {name} filter");
        return 1;
    }
    let count = instructions(&mut null_syscall);
    println!("bench: null_syscall_seccomp_{name} {count}");
    0
}

/// Linux's `fork`, which swpan does not have (it answers ENOSYS).
const FORK: u32 = 2;

/// The context switch's partner on a kernel without `spawn`: a forked copy of this program
/// that yields forever, as `pong` does.
fn fork_pong() -> Result<u32, swpan_user::Errno> {
    // SAFETY: fork takes no argument and touches no memory of the caller.
    match syscall::check(unsafe { syscall::raw(FORK, [0; 6]) }) {
        Ok(0) => loop {
            syscall::sched_yield();
        },
        parent => parent,
    }
}

/// The environment entry that carries the counter read just before `execve`.
const EXEC_START: &str = "BENCH_EXEC_START=";
/// The environment entry that carries the first image's failures to the second.
const EXEC_FAILURES: &str = "BENCH_FAILURES=";
/// Digits in a count written by [`write_decimal`]: every u32 fits.
const DECIMAL_DIGITS: usize = 10;

/// Writes `value` as [`DECIMAL_DIGITS`] digits, zero-padded: always the same instructions,
/// whatever the value, so that its cost can be measured once and subtracted.
#[inline(never)]
fn write_decimal(mut value: u32, digits: &mut [u8; DECIMAL_DIGITS]) {
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// What reading the counter and writing it in decimal costs, counter read included: the
/// instructions between the `execve` figure's start and the call.
fn stamp_cost() -> u32 {
    let mut digits = [0; DECIMAL_DIGITS];
    let start = cycles();
    write_decimal(start, &mut digits);
    cycles().wrapping_sub(start)
}

/// Runs this program again through `execve` with the argument `execve`, the counter read just
/// before the call and this image's failure count in the environment. Returns only when
/// `execve` fails.
fn exec_self(failures: u32) -> i32 {
    let mut failed = [0u8; EXEC_FAILURES.len() + DECIMAL_DIGITS];
    failed[..EXEC_FAILURES.len()].copy_from_slice(EXEC_FAILURES.as_bytes());
    if let Some(digits) = failed.last_chunk_mut() {
        write_decimal(failures, digits);
    }
    let failed = core::str::from_utf8(&failed).unwrap_or("");
    let mut start = [0u8; EXEC_START.len() + DECIMAL_DIGITS];
    start[..EXEC_START.len()].copy_from_slice(EXEC_START.as_bytes());
    let Some(start_digits) = start.last_chunk_mut() else { return failures as i32 + 1 };
    // The figure starts here; the new image subtracts what this read and the digits cost.
    write_decimal(cycles(), start_digits);
    let environment = [core::str::from_utf8(&start).unwrap_or(""), failed];
    let errno = syscall::execve("/bin/bench", &["bench", "execve"], &environment);
    println!("bench: execve of itself failed: {errno}");
    failures as i32 + 1
}

/// The second image: `execve` is the counter now (this program's first statement) less the
/// counter before the call, less what reading it and writing it out cost.
fn report_execve(now: u32) -> i32 {
    let number = |prefix: &str| {
        swpan_user::environment()
            .find_map(|entry| entry.strip_prefix(prefix))
            .and_then(|digits| digits.parse::<u32>().ok())
    };
    match (number(EXEC_START), number(EXEC_FAILURES)) {
        (Some(start), Some(failures)) => {
            let execve = now.wrapping_sub(start).wrapping_sub(stamp_cost());
            println!("bench: execve {execve}");
            failures as i32
        }
        _ => {
            println!("bench: execve: no {EXEC_START} or {EXEC_FAILURES} in the environment");
            1
        }
    }
}

/// The virtual count (CNTVCT) and its frequency.
fn virtual_count() -> u64 {
    let (low, high): (u32, u32);
    // SAFETY: reads CNTVCT, which the kernel's bench job lets user mode read.
    unsafe {
        asm!("isb", "mrrc p15, 1, {}, {}, c14", out(reg) low, out(reg) high, options(nostack, preserves_flags))
    };
    (u64::from(high) << 32) | u64::from(low)
}

fn counter_frequency() -> u64 {
    let frequency: u32;
    // SAFETY: reads CNTFRQ, readable from user mode while the virtual count is.
    unsafe {
        asm!("mrc p15, 0, {}, c14, c0, 0", out(reg) frequency, options(nostack, preserves_flags))
    };
    u64::from(frequency)
}

/// Nanoseconds per call of `operation`, the fewest over five rounds of `calls`.
fn nanoseconds_per_call(calls: u32, mut operation: impl FnMut()) -> u64 {
    let frequency = counter_frequency().max(1);
    let mut fewest = u64::MAX;
    for _ in 0..5 {
        let start = virtual_count();
        for _ in 0..calls {
            operation();
        }
        let ticks = virtual_count() - start;
        fewest = fewest.min(ticks * 1_000_000_000 / frequency / u64::from(calls));
    }
    fewest
}

fn wall_clock() -> i32 {
    let suffix = pan_suffix();
    println!("bench: wall_null_syscall_ns_{suffix} {}", nanoseconds_per_call(50_000, null_syscall));
    let buffer = [0x5Au8; 4096];
    let write = nanoseconds_per_call(5_000, || {
        let _ = syscall::write(3, &buffer);
    });
    println!("bench: wall_write_4096_ns_{suffix} {write}");
    0
}
