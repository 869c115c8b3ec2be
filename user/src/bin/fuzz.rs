//! `fuzz SEED START COUNT`: system calls with random numbers and arguments, biased toward the
//! values that break kernels: NULL, unmapped pages, kernel and device addresses, ranges over
//! the top of the user half, page edges, misaligned pointers, lengths that wrap.
//!
//! Call `i` (for `i` from START to COUNT) is a function of SEED, `i` and the fuzzer's children
//! at that point, which earlier calls made: a run is reproducible, and the kernel's `fuzz=`
//! job can restart it after call `i` killed it (the new fuzzer starts without children).
//!
//! Some `spawn`, `wait` and `kill` calls are made to succeed, so that their success paths are
//! fuzzed too: `spawn` starts `true` (exits at once) or `usertest spin` (runs until killed),
//! at most [`MOST_CHILDREN`] at a time and one spinner; `kill` ends the spinner; `wait` collects
//! a child that has ended or will. Their random forms never name a child, so that whether a
//! call succeeds never depends on when the scheduler ran a child. Before it exits the fuzzer
//! kills and collects its children and prints how many of its `spawn`, `wait` and `kill`
//! calls succeeded.
//!
//! With an odd SEED the fuzzer first confines itself (and so every child it starts) with one to
//! three random seccomp filters ([`random_filter`]): valid by construction, every opcode
//! seccomp accepts, jumps, scratch memory, and actions that never end a process (ALLOW,
//! ERRNO with a non-zero errno, TRACE and USER_NOTIF, which answer ENOSYS). The calls it needs to end cleanly
//! (`exit`, `exit_group`, `write`, `kill`, `wait`, and `seccomp` for the next filter) are
//! allowed before the random part runs.
//! Every call it makes then goes through the filters first.
//!
//! The fuzzer never issues what would end or block it on purpose: `exit`, `poweroff`, `kill` of
//! itself or a group (`kill(0)` and negative pids get signal 0 only), `rt_sigreturn` (a refused
//! frame ends the caller), `read` from the console (it would wait for input), `wait` for a child that never
//! ends, `ptdump` (it only prints), a real lkdtm crash type (`provoke` gets bad pointers only,
//! or a name that exists nowhere: `lkdtm_list` may have written real names into any writable
//! page), or a program that reads the console, fuzzes, powers off or provokes. Everything
//! else, including numbers no call has, is fair game. Its own memory is in the program's
//! .bss, which `munmap` cannot touch, and no pointer it passes reaches its own stack.

#![no_std]
#![no_main]

use core::cell::UnsafeCell;
use swpan_user::abi::seccomp::{self as seccomp_abi, SockFilter, bpf};
use swpan_user::abi::{ExitInfo, capability, map, protection, signal, syscall as number};
use swpan_user::forbidden::{DEVICE, KERNEL_TEXT, USER_END};
use swpan_user::println;
use swpan_user::seccomp::{ErrnoText, install_filter, set_no_new_privs};
use swpan_user::syscall::{check, raw};

swpan_user::main!(run);

/// A page of the program's own, its bytes in 0x80..=0xFF plus a few NULs: valid memory whose
/// contents never name a program or a crash type.
#[repr(C, align(4096))]
struct Buffers(UnsafeCell<[u8; BUFFER_BYTES]>);

// SAFETY: the program is single-threaded; the kernel writes into the buffers only during the
// system calls the fuzzer makes.
unsafe impl Sync for Buffers {}

const BUFFER_BYTES: usize = 3 * 4096;
static BUFFERS: Buffers = Buffers(UnsafeCell::new([0; BUFFER_BYTES]));

/// SplitMix64: small, fast, and good enough to pick arguments.
fn mix(mut state: u64) -> u64 {
    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    state = (state ^ (state >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    state = (state ^ (state >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    state ^ (state >> 31)
}

struct Random(u64);

impl Random {
    fn next(&mut self) -> u32 {
        self.0 = mix(self.0);
        (self.0 >> 32) as u32
    }

    fn below(&mut self, bound: u32) -> u32 {
        self.next() % bound
    }

    fn pick<T: Copy>(&mut self, choices: &[T]) -> T {
        choices[self.below(choices.len() as u32) as usize]
    }
}

/// The calls the fuzzer issues, with a weight each (numbers no call has come from `ENOSYS`).
const CALLS: &[(u32, u32)] = &[
    (number::READ, 6),
    (number::WRITE, 10),
    (number::GETPID, 1),
    (number::KILL, 2),
    (number::MUNMAP, 6),
    (number::SCHED_YIELD, 1),
    (number::MMAP2, 8),
    (number::CACHEFLUSH, 6),
    (number::SPAWN, 6),
    (number::WAIT, 6),
    (number::PROVOKE, 6),
    (number::UACCESS_REPORT, 6),
    (number::MAPS, 6),
    (number::LKDTM_LIST, 6),
    (number::RT_SIGACTION, 6),
    (number::RT_SIGPROCMASK, 6),
    (number::GETPGID, 2),
    (number::SETPGID, 2),
    (number::EXECVE, 4),
    (number::GETUID32, 1),
    (number::GETEUID32, 1),
    (number::GETGID32, 1),
    (number::GETEGID32, 1),
    (number::SETUID32, 1),
    (number::SETGID32, 1),
    (number::SETREUID32, 1),
    (number::SETRESUID32, 1),
    (number::SETRESGID32, 1),
    (number::GETRESUID32, 3),
    (number::GETRESGID32, 3),
    (number::GETSTATUS, 3),
    (number::BIN_ENTRY, 3),
    (number::CAPGET, 3),
    (number::CAPSET, 3),
    (number::PRCTL, 4),
    (number::SYSLOG, 3),
    (ENOSYS, 4),
];
const ENOSYS: u32 = u32::MAX;

/// A valid string that names no crash type.
static NOT_A_CRASH_TYPE: &[u8] = b"NOT_A_CRASH_TYPE\0";

/// The programs the fuzzer starts, and their arguments (`true` ignores its own).
static TRUE: &[u8] = b"true\0";
static USERTEST: &[u8] = b"usertest\0";
static SPIN: &[u8] = b"spin\0";
static EMPTY: &[u8] = b"\0";

/// Paths `execve` refuses whatever its vectors: it must never replace the fuzzer.
static NOT_EXECUTABLE: &[u8] = b"/bin/README\0";
static NO_SUCH_PROGRAM: &[u8] = b"/bin/nosuch\0";
static THE_DIRECTORY: &[u8] = b"/bin\0";

/// Where `bin_entry` may write with a good pointer: the names of programs must not land in
/// the buffers, where a random `spawn` could find one and start a child nobody tracks.
struct EntryRecord(UnsafeCell<swpan_user::abi::BinEntry>);

// SAFETY: the program is single-threaded; the kernel writes the record only during the call.
unsafe impl Sync for EntryRecord {}

static ENTRY_RECORD: EntryRecord = EntryRecord(UnsafeCell::new(swpan_user::abi::BinEntry {
    uid: 0,
    gid: 0,
    mode: 0,
    size: 0,
    has_capabilities: 0,
    cap_effective: 0,
    cap_permitted: [0; 2],
    cap_inheritable: [0; 2],
    name: [0; 28],
}));

/// Where `syslog` may read the log to with a good pointer: the log names programs, which must
/// not land in the buffers (see [`EntryRecord`]).
struct LogRecord(UnsafeCell<[u8; 1024]>);

// SAFETY: the program is single-threaded; the kernel writes the record only during the call.
unsafe impl Sync for LogRecord {}

static LOG_RECORD: LogRecord = LogRecord(UnsafeCell::new([0; 1024]));

/// The header and data `capget` and `capset` get with good pointers.
struct CapabilityRecords {
    header: UnsafeCell<[u32; 2]>,
    data: UnsafeCell<[u32; 6]>,
}

// SAFETY: the program is single-threaded; the kernel reads and writes the records only
// during the calls.
unsafe impl Sync for CapabilityRecords {}

static CAPABILITY_RECORDS: CapabilityRecords =
    CapabilityRecords { header: UnsafeCell::new([0; 2]), data: UnsafeCell::new([0; 6]) };

/// The `prctl` options the fuzzer passes: the capability ones and their neighbours. Never
/// PR_SET_SECCOMP (22): strict mode would end the fuzzer at its next call.
const PRCTL_OPTIONS: [u32; 12] = [0, 7, 8, 21, 23, 24, 27, 28, 38, 39, 47, 48];

/// The record a succeeding `wait` writes; nothing else points here.
struct WaitRecord(UnsafeCell<ExitInfo>);

// SAFETY: the program is single-threaded; the kernel writes the record only during `wait`.
unsafe impl Sync for WaitRecord {}

static WAIT_RECORD: WaitRecord = WaitRecord(UnsafeCell::new(ExitInfo::empty()));

/// A pid no process has: pids count up from 1 and never get near it.
const NO_SUCH_PID: u32 = 0x7FFF_FFFF;

/// The most children the fuzzer has at once, far below the kernel's 64 processes.
const MOST_CHILDREN: usize = 4;

/// One in this many `spawn` calls gets arguments that succeed, when there is room for a child.
/// Starting a process costs hundreds of times a plain call: few do.
const SPAWN_SUCCEEDS_ONE_IN: u32 = 16;

/// One in this many of the successful spawns starts a spinner (at most one runs at a time).
/// Its first turn on the processor lasts until the next timer tick, killed or not.
const SPINNER_ONE_IN: u32 = 8;

/// One in this many `wait` calls gets arguments that succeed, when a child can be collected.
/// Every `kill` does while a spinner runs, so that none runs long.
const WAIT_SUCCEEDS_ONE_IN: u32 = 4;

/// The lowest address of the user stack (the kernel maps 64 KiB under the top of the user half).
const STACK_BOTTOM: u32 = 0x7FFF_0000;

fn buffers() -> u32 {
    BUFFERS.0.get() as u32
}

/// A pointer argument.
fn pointer(random: &mut Random) -> u32 {
    let valid = buffers();
    let read_only = run as *const () as u32; // the program's own code: read-only
    match random.below(14) {
        0 => 0,
        1 => random.below(0x1_0000), // the never-mapped first pages
        2 => 0x0020_0000 + random.below(0x1000), // unmapped, above the program
        3 => KERNEL_TEXT + random.below(0x10_0000),
        4 => 0x8006_0000 + random.below(0x2_0000), // kernel data
        5 => DEVICE + random.below(0x1000),
        // The top of the user half: the last bytes hold our argument, which we no longer need;
        // lower would be our own stack frames.
        6 => USER_END - random.below(8),
        7 => read_only + random.below(256), // read-only user memory
        8 => valid + random.below(3 * 4096), // inside our buffers
        9 => valid + 3 * 4096 - random.below(64), // their end, running into a hole
        10 => valid + 4096 - random.below(8), // a page edge inside them
        11 => (valid + random.below(3 * 4096)) | 1, // misaligned
        12 => 0x4000_0000 + random.below(0x10) * 0x1000, // where mmap puts things
        _ => match random.next() {
            // Anywhere but our own stack, which a writing call would corrupt under us.
            any if (STACK_BOTTOM..USER_END).contains(&any) => any ^ 0x8000_0000,
            any => any,
        },
    }
}

/// A length argument.
fn length(random: &mut Random) -> u32 {
    match random.below(10) {
        0 => 0,
        1 => 1,
        2 => 4,
        3 => random.below(64),
        4 => 4096,
        5 => 4096 + random.below(8192),
        6 => u32::MAX,
        7 => 0x8000_0000,
        8 => u32::MAX - random.below(16),
        _ => random.next(),
    }
}

fn arguments(call: u32, random: &mut Random, own_pid: u32, children: &Children) -> [u32; 6] {
    let mut arguments = [0u32; 6];
    for argument in arguments.iter_mut() {
        *argument = random.next();
    }
    match call {
        // Never the console: 0 would wait for input, 1 and 2 would print the fuzz.
        number::READ => arguments[0] = random.pick(&[1, 2, 3, 4, 7, 0xFFFF_FFFF]),
        number::WRITE => arguments[0] = random.pick(&[0, 3, 4, 7, 0xFFFF_FFFF]),
        number::KILL => {
            let any = random.next();
            arguments[0] = random.pick(&[0, 1, 999, any]);
            // Itself, its children, and any process that may exist (the other fuzzers of a
            // several-CPU run, their children): only pids no process has are named.
            let may_exist = (1..1 << 20).contains(&(arguments[0] as i32));
            if arguments[0] == own_pid || children.contains(arguments[0]) || may_exist {
                arguments[0] = NO_SUCH_PID;
            }
            let any = random.next();
            arguments[1] = random.pick(&[9, 15, 0, any]);
            // 0 and the negative pids name groups, the fuzzer's own among them (its children
            // are in it too): only signal 0 goes there, which checks and sends nothing.
            if (arguments[0] as i32) <= 0 && arguments[1] != 0 {
                arguments[0] = 0u32.wrapping_sub(NO_SUCH_PID);
            }
        }
        number::MMAP2 => {
            let protections =
                [protection::READ, protection::READ | protection::WRITE, 0x7, 0, 0xFF];
            arguments[2] = random.pick(&protections);
            let flags = map::PRIVATE | map::ANONYMOUS;
            let any = random.next();
            arguments[3] = random.pick(&[flags, flags | map::FIXED, map::PRIVATE, 0, any]);
            arguments[4] = random.pick(&[u32::MAX, 0, 3]);
            arguments[5] = random.pick(&[0, 0, 1]);
            let any = length(random);
            arguments[1] = random.pick(&[4096, 8192, 0, any]);
        }
        _ => {}
    }
    if call != number::KILL && call != number::MMAP2 {
        // Pointer-sized arguments: a pointer, then a length, in the positions the calls use.
        arguments[0] = if call == number::READ || call == number::WRITE {
            arguments[0]
        } else {
            pointer(random)
        };
        arguments[1] = if call == number::READ || call == number::WRITE {
            pointer(random)
        } else {
            length(random)
        };
        arguments[2] = length(random);
    } else if call == number::MMAP2 && random.below(2) == 0 {
        arguments[0] = pointer(random) & !0xFFF;
    }
    if call == number::PROVOKE {
        // Calls like lkdtm_list write real crash type names into writable memory, ours or an
        // mmap'd page; provoking one would oops by design. So provoke gets the bad pointers
        // only, or a name that exists nowhere.
        arguments[0] = match random.below(7) {
            0 => 0,
            1 => 0x0020_0000 + random.below(0x1000),
            2 => KERNEL_TEXT + random.below(0x10_0000),
            3 => DEVICE,
            4 => (run as *const () as u32) | 1,
            5 => USER_END - random.below(8),
            _ => NOT_A_CRASH_TYPE.as_ptr() as u32,
        };
    }
    if call == number::RT_SIGACTION || call == number::RT_SIGPROCMASK {
        // (signal or how, new, old, set size): the fuzzer never receives a signal (it sends
        // none to itself and never faults), so whatever action or mask a call installs stays
        // unused; `rt_sigreturn` is not fuzzed: on a refused frame it ends the caller by design
        // (usertest covers its bad frames).
        let any = random.next();
        arguments[0] = random.pick(&[0, 1, 2, 3, signal::SIGUSR1, signal::SIGKILL, 65, any]);
        let (new, old) = (pointer(random), pointer(random));
        arguments[1] = random.pick(&[0, new]);
        arguments[2] = random.pick(&[0, old]);
        let any = random.next();
        arguments[3] = random.pick(&[signal::SIGSET_SIZE, signal::SIGSET_SIZE, 4, any]);
    }
    if call == number::GETPGID || call == number::SETPGID {
        // Pids as `kill` picks them; the fuzzer and its children may change group, which
        // changes nothing else they do.
        let any = random.next();
        arguments[0] = random.pick(&[0, 1, 999, own_pid, NO_SUCH_PID, any]);
        let any = random.next();
        arguments[1] = random.pick(&[0, own_pid, NO_SUCH_PID, u32::MAX, any]);
    }
    match call {
        number::EXECVE => {
            arguments[0] = match random.below(5) {
                0 => NOT_EXECUTABLE.as_ptr() as u32,
                1 => NO_SUCH_PROGRAM.as_ptr() as u32,
                2 => THE_DIRECTORY.as_ptr() as u32,
                // No call writes a path under /bin into memory: these never name a program.
                _ => pointer(random),
            };
            arguments[1] = pointer(random);
            arguments[2] = pointer(random);
        }
        number::SPAWN => {
            // Mostly the fast path; sometimes an argv (the argument must then be NULL).
            arguments[2] = 0;
            if random.below(4) == 0 {
                arguments[1] = random.pick(&[0, 0, arguments[1]]);
                arguments[2] = pointer(random);
            }
        }
        number::SETUID32
        | number::SETGID32
        | number::SETREUID32
        | number::SETRESUID32
        | number::SETRESGID32 => {
            for argument in &mut arguments[..3] {
                let any = random.next();
                *argument = random.pick(&[0, 1000, 65534, u32::MAX, any]);
            }
        }
        number::GETRESUID32 | number::GETRESGID32 => arguments[2] = pointer(random),
        // (header, data): mostly a well-formed header (each version, or none the kernel
        // knows, which it writes its own over) naming the fuzzer or another pid, with random
        // data; sometimes bad pointers for either.
        number::CAPGET | number::CAPSET => {
            let any = random.next();
            let versions = [capability::VERSION_1, capability::VERSION_2, capability::VERSION_3];
            let version = random.pick(&versions);
            let any_pid = random.next();
            let header = [
                random.pick(&[version, version, 0, any]),
                random.pick(&[0, 0, own_pid, 1, any_pid]),
            ];
            let data: [u32; 6] = core::array::from_fn(|_| {
                let any = random.next();
                random.pick(&[0, u32::MAX, any])
            });
            // SAFETY: the program is single-threaded; the kernel touches these records only
            // during the call.
            unsafe {
                CAPABILITY_RECORDS.header.get().write(header);
                CAPABILITY_RECORDS.data.get().write(data);
            }
            if random.below(4) != 0 {
                arguments[0] = CAPABILITY_RECORDS.header.get() as u32;
            }
            arguments[1] = match random.below(4) {
                0 => pointer(random),
                _ => CAPABILITY_RECORDS.data.get() as u32,
            };
        }
        number::PRCTL => {
            // Options, then values near the edges of what each takes (capability numbers,
            // ambient operations, securebits). The fuzzer may drop its own capabilities or
            // lock securebits: its later calls fail differently, none ends it.
            let option = random.pick(&PRCTL_OPTIONS);
            let any = random.next();
            arguments[0] = if option == 0 { any } else { option };
            if arguments[0] == swpan_user::abi::prctl::SET_SECCOMP {
                arguments[0] = 0;
            }
            for argument in &mut arguments[1..5] {
                let any = random.next();
                *argument = random.pick(&[0, 1, 2, 3, 4, 34, 40, 41, 0x55, 0xff, any]);
            }
        }
        number::SYSLOG => {
            let any = random.next();
            arguments[0] = random.pick(&[3, 10, 0, 1, 2, 4, 9, any]);
            arguments[1] = match random.below(3) {
                0 => LOG_RECORD.0.get() as u32,
                _ => pointer(random) | 0x8000_0000, // the kernel half, any of it
            };
            let any = length(random);
            arguments[2] = random.pick(&[0, 1, 64, 1024, any]);
        }
        number::BIN_ENTRY => {
            let any = random.next();
            arguments[0] = random.pick(&[0, 1, 5, 10, 11, 12, any]);
            arguments[1] = match random.below(3) {
                0 => ENTRY_RECORD.0.get() as u32,
                _ => pointer(random) | 0x8000_0000, // the kernel half, any of it
            };
        }
        _ => {}
    }
    if call == number::WAIT {
        if random.below(2) == 0 {
            arguments[0] = u32::MAX; // any child
        }
        // A negative pid is any child: with children, which one ends first is the
        // scheduler's business, and a spinner never does.
        let any = (arguments[0] as i32) < 0;
        if children.contains(arguments[0]) || (any && children.count() > 0) {
            arguments[0] = NO_SUCH_PID;
        }
    }
    arguments
}

/// A child of the fuzzer, by pid.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Child {
    /// `true`: it exits by itself, whenever it is first scheduled.
    Exits(u32),
    /// `usertest spin`: it runs until it is killed.
    Spins(u32),
    /// A spinner that was killed: it ends the next time it is scheduled.
    Killed(u32),
}

impl Child {
    fn pid(self) -> u32 {
        match self {
            Child::Exits(pid) | Child::Spins(pid) | Child::Killed(pid) => pid,
        }
    }
}

/// The fuzzer's children.
struct Children {
    list: [Option<Child>; MOST_CHILDREN],
}

impl Children {
    fn count(&self) -> usize {
        self.list.iter().flatten().count()
    }

    fn contains(&self, pid: u32) -> bool {
        self.list.iter().flatten().any(|child| child.pid() == pid)
    }

    /// The spinner that has not been killed yet, if there is one.
    fn spinner(&self) -> Option<u32> {
        self.list.iter().flatten().find_map(|child| match child {
            Child::Spins(pid) => Some(*pid),
            _ => None,
        })
    }

    /// The `index`th child, counting only those that end without help.
    fn ending(&self, index: usize) -> Option<u32> {
        let mut ending =
            self.list.iter().flatten().filter(|child| !matches!(child, Child::Spins(_)));
        ending.nth(index).map(|child| child.pid())
    }

    fn add(&mut self, child: Child) {
        if let Some(slot) = self.list.iter_mut().find(|slot| slot.is_none()) {
            *slot = Some(child);
        }
    }

    fn set(&mut self, pid: u32, child: Option<Child>) {
        let slot = self.list.iter_mut().find(|slot| slot.is_some_and(|old| old.pid() == pid));
        if let Some(slot) = slot {
            *slot = child;
        }
    }

    /// Arguments with which `call` succeeds, when the children allow it now. A `wait` only
    /// when no spinner runs: blocked, the fuzzer would hand it the processor for a whole tick.
    fn succeeding_arguments(&self, call: u32, random: &mut Random) -> Option<[u32; 6]> {
        let rest = [random.next(), random.next(), random.next(), random.next()];
        match call {
            number::KILL => {
                let pid = self.spinner()?;
                Some([pid, signal::SIGKILL, rest[0], rest[1], rest[2], rest[3]])
            }
            number::SPAWN
                if self.count() < MOST_CHILDREN && random.below(SPAWN_SUCCEEDS_ONE_IN) == 0 =>
            {
                let spinner = self.spinner().is_none() && random.below(SPINNER_ONE_IN) == 0;
                let (program, argument) = if spinner {
                    (USERTEST, SPIN)
                } else {
                    (TRUE, random.pick(&[EMPTY, NOT_A_CRASH_TYPE]))
                };
                Some([program.as_ptr() as u32, argument.as_ptr() as u32, 0, rest[1], 0, 0])
            }
            number::WAIT
                if self.spinner().is_none()
                    && self.count() > 0
                    && random.below(WAIT_SUCCEEDS_ONE_IN) == 0 =>
            {
                let count = self.count();
                let pid = if count == 1 && random.below(2) == 0 {
                    u32::MAX // any child: there is only one
                } else {
                    self.ending(random.below(count as u32) as usize)?
                };
                Some([pid, WAIT_RECORD.0.get() as u32, rest[0], rest[1], 0, 0])
            }
            _ => None,
        }
    }

    /// Keeps track of what `call` with `arguments` did to the children.
    fn record(&mut self, call: u32, arguments: &[u32; 6], result: Result<u32, ()>) {
        let Ok(value) = result else { return };
        match call {
            number::SPAWN if arguments[0] == USERTEST.as_ptr() as u32 => {
                self.add(Child::Spins(value))
            }
            number::SPAWN if arguments[0] == TRUE.as_ptr() as u32 => self.add(Child::Exits(value)),
            number::WAIT => self.set(value, None),
            number::KILL if self.spinner() == Some(arguments[0]) => {
                self.set(arguments[0], Some(Child::Killed(arguments[0])))
            }
            _ => {}
        }
    }

    /// Kills the spinner and collects every child. A spinner the fuzzer may no longer signal
    /// (it changed its uid since) is left running rather than waited for: the kernel's job
    /// ends it once the fuzzer has exited.
    fn end_all(&mut self) {
        let spinner = self.spinner();
        let unkillable =
            spinner.filter(|&pid| swpan_user::syscall::kill(pid, signal::SIGKILL).is_err());
        for pid in self.list.iter().flatten().map(|child| child.pid()) {
            if Some(pid) != unkillable {
                let _ = swpan_user::syscall::wait(Some(pid));
            }
        }
        self.list = [None; MOST_CHILDREN];
    }
}

/// How many calls of one number the fuzzer made, and how many succeeded.
#[derive(Clone, Copy, Default)]
struct Tally {
    calls: u32,
    successes: u32,
}

fn fill_buffers(seed: u64) {
    let mut random = Random(seed ^ 0xB0FF_E125);
    let bytes = BUFFERS.0.get() as *mut u8;
    for index in 0..BUFFER_BYTES {
        // Bytes 0x80..=0xFF never spell a program or crash type name; a NUL now and then
        // ends the strings the kernel reads.
        let byte = if random.below(61) == 0 { 0 } else { 0x80 | random.below(0x80) as u8 };
        // SAFETY: inside the buffers; the program is single-threaded.
        unsafe { bytes.add(index).write(byte) };
    }
}

fn parse(text: Option<&str>) -> Option<u64> {
    text?.parse().ok()
}

fn run(argument: &str) -> i32 {
    let mut words = argument.split_ascii_whitespace();
    let (Some(seed), Some(start), Some(count)) =
        (parse(words.next()), parse(words.next()), parse(words.next()))
    else {
        println!("fuzz: usage: fuzz SEED START COUNT");
        return 2;
    };
    fill_buffers(seed);
    // Before the filters, which may answer getpid with an errno.
    let own_pid = swpan_user::syscall::getpid();
    if seed % 2 == 1
        && let Err(failure) = confine(seed)
    {
        println!("fuzz: could not install the random filters: {failure}");
        return 1;
    }
    let total_weight: u32 = CALLS.iter().map(|(_, weight)| weight).sum();
    let mut children = Children { list: [None; MOST_CHILDREN] };
    // spawn, wait, kill.
    let mut tallies = [Tally::default(); 3];
    for index in start..count {
        let mut random = Random(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut chosen = random.below(total_weight);
        let mut call = ENOSYS;
        for &(candidate, weight) in CALLS {
            if chosen < weight {
                call = candidate;
                break;
            }
            chosen -= weight;
        }
        let arguments = match children.succeeding_arguments(call, &mut random) {
            Some(arguments) => arguments,
            None => arguments(call, &mut random, own_pid, &children),
        };
        let any = random.next();
        let number = if call == ENOSYS { random.pick(&[2, 5, 400, 0x0f_0fff, any]) } else { call };
        // SAFETY: not sound in general, on purpose: the kernel must refuse every bad argument.
        // The fuzzer's own state is out of reach of the calls it makes (see the module doc).
        let result = check(unsafe { raw(number, arguments) }).map_err(|_| ());
        children.record(call, &arguments, result);
        let tally = match call {
            number::SPAWN => Some(&mut tallies[0]),
            number::WAIT => Some(&mut tallies[1]),
            number::KILL => Some(&mut tallies[2]),
            _ => None,
        };
        if let Some(tally) = tally {
            tally.calls += 1;
            tally.successes += u32::from(result.is_ok());
        }
    }
    children.end_all();
    let [spawn, wait, kill] = tallies;
    println!(
        "fuzz: calls {start} to {}: spawn succeeded {} of {}, wait {} of {}, kill {} of {}",
        count - 1,
        spawn.successes,
        spawn.calls,
        wait.successes,
        wait.calls,
        kill.successes,
        kill.calls
    );
    0
}

/// The most instructions of one random filter.
const MOST_FILTER_INSTRUCTIONS: usize = 64;

/// Sets no_new_privs and installs one to three random filters derived from `seed` alone, so
/// that a fuzzer restarted after a death runs under the same ones.
fn confine(seed: u64) -> Result<(), ErrnoText> {
    set_no_new_privs().map_err(|errno| ErrnoText(errno.number()))?;
    let mut random = Random(seed ^ 0x5ECC_0A11_F117_E125);
    let count = 1 + random.below(3);
    let mut instructions = 0;
    for _ in 0..count {
        let mut filter = [SockFilter::default(); MOST_FILTER_INSTRUCTIONS];
        let length = random_filter(&mut random, &mut filter);
        instructions += length;
        install_filter(&filter[..length], 0).map_err(ErrnoText)?;
    }
    println!("fuzz: under {count} random seccomp filters, {instructions} instructions");
    Ok(())
}

/// The calls every random filter allows first: the fuzzer needs them to report and end, its
/// children to be ended, and the next filter to be installed.
const ALWAYS_ALLOWED: [u32; 6] =
    [number::EXIT, 248, number::WRITE, number::KILL, number::WAIT, number::SECCOMP];

/// Scratch words the filter's preamble writes, which its body may then read.
const SCRATCH_WRITTEN: u32 = 4;

/// Writes a random filter that seccomp's validator accepts into `filter`; returns its length.
///
/// Layout: load the number and allow [`ALWAYS_ALLOWED`]; write [`SCRATCH_WRITTEN`] scratch
/// words; a random body whose jumps all go forward inside the filter; a final return. Every
/// return is an action that leaves the process alive (no RET A: its value is not known).
fn random_filter(
    random: &mut Random,
    filter: &mut [SockFilter; MOST_FILTER_INSTRUCTIONS],
) -> usize {
    let ret = |k: u32| SockFilter::statement(bpf::RET | bpf::K, k);
    let body_length = 4 + random.below(32) as usize;
    let prefix_length = 1 + ALWAYS_ALLOWED.len();
    let preamble_length = 1 + SCRATCH_WRITTEN as usize;
    // The body ends with its own return; the last instruction is the prefix's ALLOW.
    let allow_index = prefix_length + preamble_length + body_length;
    let length = allow_index + 1;
    let mut at = 0;
    filter[at] = SockFilter::statement(bpf::LD | bpf::W | bpf::ABS, 0);
    at += 1;
    for number in ALWAYS_ALLOWED {
        let to_allow = (allow_index - (at + 1)) as u8;
        filter[at] = SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, number, to_allow, 0);
        at += 1;
    }
    filter[at] = SockFilter::statement(bpf::LD | bpf::IMM, random.next());
    at += 1;
    for word in 0..SCRATCH_WRITTEN {
        filter[at] = SockFilter::statement(bpf::ST, word);
        at += 1;
    }
    let body_end = at + body_length; // the index of the ALLOW
    while at < body_end - 1 {
        // Forward jump offsets that land at most on the body's last instruction or the ALLOW.
        let room = (body_end - (at + 1)) as u32;
        let mut offset = || random.below(room.min(255) + 1) as u8;
        let (jt, jf) = (offset(), offset());
        let k_any = random.next();
        let source = random.pick(&[bpf::K, bpf::X]);
        filter[at] = match random.below(12) {
            0 => SockFilter::statement(bpf::LD | bpf::W | bpf::ABS, random.below(16) * 4),
            1 => SockFilter::statement(
                random.pick(&[bpf::LD | bpf::IMM, bpf::LDX | bpf::IMM]),
                k_any,
            ),
            2 => SockFilter::statement(
                random.pick(&[bpf::LD | bpf::MEM, bpf::LDX | bpf::MEM]),
                random.below(SCRATCH_WRITTEN),
            ),
            3 => SockFilter::statement(
                random.pick(&[bpf::LD | bpf::W | bpf::LEN, bpf::LDX | bpf::W | bpf::LEN]),
                0,
            ),
            4 => SockFilter::statement(
                random.pick(&[bpf::ST, bpf::STX]),
                random.below(seccomp_abi::SCRATCH_WORDS as u32),
            ),
            5 => {
                let operation =
                    random.pick(&[bpf::ADD, bpf::SUB, bpf::MUL, bpf::OR, bpf::AND, bpf::XOR]);
                SockFilter::statement(bpf::ALU | operation | source, k_any)
            }
            // Division by a constant other than 0 (by X could divide by 0, which kills).
            6 => SockFilter::statement(bpf::ALU | bpf::DIV | bpf::K, 1 + random.below(u32::MAX)),
            7 => {
                let shift = random.pick(&[bpf::LSH, bpf::RSH]);
                SockFilter::statement(bpf::ALU | shift | source, random.below(32))
            }
            8 => SockFilter::statement(
                random.pick(&[bpf::ALU | bpf::NEG, bpf::MISC | bpf::TAX, bpf::MISC | bpf::TXA]),
                0,
            ),
            9 => SockFilter::statement(bpf::JMP | bpf::JA, u32::from(jt)),
            10 => {
                let test = random.pick(&[bpf::JEQ, bpf::JGT, bpf::JGE, bpf::JSET]);
                let small = random.below(400);
                let k = random.pick(&[k_any, small, seccomp_abi::AUDIT_ARCH_ARM]);
                SockFilter::jump(bpf::JMP | test | source, k, jt, jf)
            }
            _ => ret(safe_action(random)),
        };
        at += 1;
    }
    filter[at] = ret(safe_action(random));
    filter[allow_index] = ret(seccomp_abi::RET_ALLOW);
    length
}

/// A random action that leaves the caller alive, mostly ALLOW. ERRNO's data is never 0: a
/// call answered with 0 would look like a success it was not (a `spawn` "returning" pid 0).
fn safe_action(random: &mut Random) -> u32 {
    match random.below(10) {
        0..=5 => seccomp_abi::RET_ALLOW,
        6 | 7 => seccomp_abi::RET_ERRNO | (1 + random.below(0xffff)),
        8 => seccomp_abi::RET_TRACE | random.below(0x1_0000),
        _ => seccomp_abi::RET_USER_NOTIF,
    }
}
