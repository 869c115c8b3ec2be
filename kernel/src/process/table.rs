//! The process table: creation, exit, wait, kill, and the running process.

use super::context::Context;
use super::regions::Regions;
use super::signal_state::SignalState;
use crate::credentials::Credentials;
use crate::errno::Errno;
use crate::fault::FaultStatus;
use crate::memory_map;
use crate::mm::address_space::AddressSpace;
use crate::mm::vmalloc::{VmallocBox, vmalloc};
use crate::seccomp::Seccomp;
use crate::sync::IrqSafeLock;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};

/// A process id.
pub type Pid = u32;

/// The kernel's own pid.
pub const KERNEL_PID: Pid = 0;
/// At most this many processes (the kernel included) exist at once.
pub const MAX_PROCESSES: usize = 64;
/// Bytes of kernel stack per process.
pub const KERNEL_STACK_SIZE: u32 = 16 * 1024;
/// The user stack: this many pages below the end of the user half.
pub const USER_STACK_PAGES: u32 = 16;
/// The top of every user stack.
pub const USER_STACK_TOP: u32 = memory_map::USER_END as u32;

/// What a blocked process waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// A byte from the console.
    ConsoleInput,
    /// A child to end: a given one, or any.
    Child(Option<Pid>),
}

/// Where a process is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Ready to run (or running).
    Runnable,
    /// Waiting.
    Blocked(Wait),
    /// Ended; waits for its parent to collect it.
    Zombie,
}

/// Why a process was killed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A kernel oops in one of its system calls.
    KernelOops {
        /// DFSR or IFSR.
        status: FaultStatus,
        /// DFAR or IFAR.
        address: u32,
        /// The kernel PC of the fault.
        pc: u32,
    },
    /// Its own access to memory it may not touch.
    UserFault {
        /// DFSR or IFSR.
        status: FaultStatus,
        /// DFAR or IFAR.
        address: u32,
        /// The user PC of the fault.
        pc: u32,
    },
    /// An undefined instruction in user mode.
    UndefinedInstruction {
        /// Its address.
        pc: u32,
    },
    /// `kill()`.
    Signal,
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Death {
    /// It called `exit(status)`.
    Exited(i32),
    /// It was killed.
    Killed {
        /// The signal number reported to the parent.
        signal: u32,
        /// What happened.
        cause: Cause,
    },
}

/// How an lkdtm crash type that ran in a process and returned ended: recorded on the process
/// (`crate::lkdtm::provoke`), handed to its parent with its death.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Survival {
    /// The kernel survived the bug: what survived. A failure of the protection.
    Survived(&'static str),
    /// The test does not apply here (Linux's XFAIL): why.
    NotApplicable(&'static str),
}

/// What `wait` hands the parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reaped {
    /// The child.
    pub pid: Pid,
    /// Its program.
    pub name: &'static str,
    /// How it ended.
    pub death: Death,
    /// The lkdtm crash type that ran to its end in it, with what survived.
    pub lkdtm_survived: Option<Survival>,
}

/// A kernel stack: pages in the vmalloc area between two unmapped guard pages (as Linux's
/// VMAP_STACK), freed with the process. Running off its bottom faults on the guard page instead
/// of overwriting whatever lies below; the data abort entry then moves to the overflow stack and
/// the process dies with a "kernel stack overflow" report (`oops::stack_overflow`).
pub(super) struct KernelStack {
    pub(super) memory: VmallocBox,
}

impl KernelStack {
    pub(super) fn new() -> Result<KernelStack, Errno> {
        Ok(KernelStack { memory: vmalloc(KERNEL_STACK_SIZE as usize)? })
    }

    fn base(&self) -> u32 {
        self.memory.address()
    }

    pub(super) fn top(&self) -> u32 {
        self.base() + KERNEL_STACK_SIZE
    }
}

/// One process.
pub struct Process {
    /// Its id.
    pub pid: Pid,
    /// Its parent.
    pub parent: Pid,
    /// Its program's name.
    pub name: &'static str,
    pub(super) state: State,
    pub(super) context: Context,
    pub(super) kernel_stack: Option<KernelStack>,
    pub(super) space: Option<AddressSpace>,
    /// What is mapped where.
    pub regions: Regions,
    pub(super) death: Option<Death>,
    pub(super) lkdtm_survived: Option<Survival>,
    pub(super) kill_pending: bool,
    /// It has been on the CPU. A process killed before it ever ran is ended by `kill` itself:
    /// its first return to user mode comes straight from `switch_context`, past the check of
    /// a pending kill.
    pub(super) started: bool,
    /// Its parent ended first: nobody will `wait` for it, so the scheduler frees it as soon as
    /// it ends (as Linux's init reaps the orphans it adopts).
    pub(super) orphan: bool,
    /// What the process wrote to its loopback device and has not read back.
    pub loopback: alloc::vec::Vec<u8>,
    /// Its process group, signal actions, blocked and pending signals.
    pub signals: SignalState,
    /// Its uids, gids and capability sets.
    pub credentials: Credentials,
    /// Its seccomp mode and filters: changed only through [`change_current_seccomp`].
    pub(super) seccomp: Seccomp,
}

pub(super) struct Table {
    pub(super) processes: BTreeMap<Pid, Box<Process>>,
    pub(super) next_pid: Pid,
}

pub(super) static TABLE: IrqSafeLock<Table> =
    IrqSafeLock::new(Table { processes: BTreeMap::new(), next_pid: 1 });
pub(super) static CURRENT: AtomicU32 = AtomicU32::new(KERNEL_PID);

// The running process's name and kernel stack, kept outside the table so that a report
// written while the table lock is held (an oops under that lock) still names the process and
// walks its stack. Written by the scheduler with IRQs masked, before the switch; an empty
// name means the kernel, a zero base no stack of its own.
static RUNNING_NAME: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
static RUNNING_NAME_LENGTH: AtomicUsize = AtomicUsize::new(0);
static RUNNING_STACK_BASE: AtomicU32 = AtomicU32::new(0);
// The running process's seccomp state when its mode is not DISABLED, else null: the one load
// the system call entry costs a process without seccomp. The state lives in the process's
// box, which outlives its running; only the process itself changes it, in its own system
// calls ([`change_current_seccomp`]), which rewrite this pointer too.
static RUNNING_SECCOMP: AtomicPtr<Seccomp> = AtomicPtr::new(core::ptr::null_mut());

/// Points [`RUNNING_SECCOMP`] at `process`'s state if it has a mode, else at nothing.
fn note_seccomp(process: &mut Process) {
    let state = if process.seccomp.mode() == swpan_abi::seccomp::mode::DISABLED {
        core::ptr::null_mut()
    } else {
        &raw mut process.seccomp
    };
    RUNNING_SECCOMP.store(state, Ordering::Relaxed);
}

/// Records `process` as the one about to run (called by the scheduler, IRQs masked).
pub(super) fn note_running(process: &mut Process) {
    process.started = true;
    RUNNING_NAME.store(process.name.as_ptr().cast_mut(), Ordering::Relaxed);
    RUNNING_NAME_LENGTH.store(process.name.len(), Ordering::Relaxed);
    let base = process.kernel_stack.as_ref().map_or(0, KernelStack::base);
    RUNNING_STACK_BASE.store(base, Ordering::Relaxed);
    note_seccomp(process);
}

/// The running process gave up its seccomp state (it is ending).
pub(super) fn note_running_seccomp_dropped() {
    RUNNING_SECCOMP.store(core::ptr::null_mut(), Ordering::Relaxed);
}

/// Whether the running process is in strict or filter mode: one load, for the system call
/// entry to branch on.
#[inline(always)]
pub fn seccomp_active() -> bool {
    !RUNNING_SECCOMP.load(Ordering::Relaxed).is_null()
}

/// Runs `action` on the running process's seccomp state without the table lock, if it has a
/// mode (`None` otherwise): the check before each of its system calls.
#[inline(always)]
pub fn with_running_seccomp<R>(action: impl FnOnce(&Seccomp) -> R) -> Option<R> {
    let state = RUNNING_SECCOMP.load(Ordering::Relaxed);
    if state.is_null() {
        return None;
    }
    // SAFETY: the pointer is to the running process's own state, inside its boxed table
    // entry, which is freed only after the process has ended and been switched away from
    // (the scheduler then points this at the next process). The state changes only in
    // `change_current_seccomp`, run by this same process in one of its own system calls, never
    // while this shared borrow lives: the kernel is single-core and not preemptible, and
    // interrupt handlers never touch the process table.
    Some(action(unsafe { &*state }))
}

/// Runs `action` on the running process's seccomp state and credentials, under the table
/// lock, then notes the (possibly new) mode for the system call entry.
pub fn change_current_seccomp<R>(action: impl FnOnce(&mut Seccomp, &Credentials) -> R) -> R {
    let mut table = TABLE.lock();
    let process =
        table.processes.get_mut(&current_pid()).expect("the running process is in the table");
    let result = action(&mut process.seccomp, &process.credentials);
    note_seccomp(process);
    result
}

/// The running process's seccomp mode (PR_GET_SECCOMP).
pub fn current_seccomp_mode() -> u32 {
    with_current(|process| process.seccomp.mode())
}

/// Registers the kernel as process 0. Call once at boot.
pub fn init() {
    let kernel = Box::new(Process {
        pid: KERNEL_PID,
        parent: KERNEL_PID,
        name: "kernel",
        state: State::Runnable,
        context: Context::default(),
        kernel_stack: None,
        space: None,
        regions: Regions::new(),
        death: None,
        lkdtm_survived: None,
        kill_pending: false,
        started: true,
        orphan: false,
        loopback: alloc::vec::Vec::new(),
        signals: SignalState::new(KERNEL_PID),
        credentials: Credentials::root(),
        seccomp: Seccomp::default(),
    });
    TABLE.lock().processes.insert(KERNEL_PID, kernel);
}

/// The running process.
pub fn current_pid() -> Pid {
    CURRENT.load(Ordering::Relaxed)
}

/// Runs `action` on the running process, under the table lock (interrupts masked): keep it
/// short, and never block or switch inside.
pub fn with_current<R>(action: impl FnOnce(&mut Process) -> R) -> R {
    let mut table = TABLE.lock();
    let process =
        table.processes.get_mut(&current_pid()).expect("the running process is in the table");
    action(process)
}

impl Process {
    /// True when `wait(pid)` by `parent` may collect this process: a child of `parent` (not an
    /// orphan the kernel adopted), and the one asked for if `pid` names one.
    pub(super) fn is_child_of(&self, parent: Pid, pid: Option<Pid>) -> bool {
        self.parent == parent
            && !self.orphan
            && self.pid != parent
            && pid.is_none_or(|pid| self.pid == pid)
    }

    /// The address space, for processes that have one.
    pub fn space(&mut self) -> Option<&mut AddressSpace> {
        self.space.as_mut()
    }

    /// Records that an lkdtm crash type ran to its end in this process.
    pub fn record_lkdtm_survival(&mut self, survival: Survival) {
        self.lkdtm_survived = Some(survival);
    }
}

/// The bounds of the kernel stack of the running process (for the oops call trace).
pub fn current_kernel_stack() -> Option<core::ops::Range<u32>> {
    let base = RUNNING_STACK_BASE.load(Ordering::Relaxed);
    (base != 0).then(|| base..base + KERNEL_STACK_SIZE)
}

/// The lock that ending the running process would need and that is held now, if any: the
/// process table's, or one of memory management's ([`crate::mm::held_lock`]). The oops path
/// asks before it kills a process; on this single-core kernel a held lock there means the code
/// that faulted held it, and waiting for it would hang the kernel with IRQs masked.
pub fn exit_blocker() -> Option<&'static str> {
    if TABLE.is_locked() { Some("the process table lock") } else { crate::mm::held_lock() }
}

/// The name of the running process.
pub fn current_name() -> &'static str {
    let name = RUNNING_NAME.load(Ordering::Relaxed);
    if name.is_null() {
        return "kernel";
    }
    let length = RUNNING_NAME_LENGTH.load(Ordering::Relaxed);
    // SAFETY: `note_running` stores the pointer and length of one `&'static str` together,
    // with IRQs masked, so the pair read here is such a string: valid UTF-8 for ever.
    unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(name, length)) }
}

/// Set when an orphan may have ended (see [`note_orphans_may_have_ended`]): the scheduler
/// looks through the table only then.
static ORPHANS_MAY_HAVE_ENDED: AtomicBool = AtomicBool::new(false);

/// Tells the scheduler that an orphan may have ended and wants freeing.
pub(super) fn note_orphans_may_have_ended() {
    ORPHANS_MAY_HAVE_ENDED.store(true, Ordering::Relaxed);
}

/// Frees every orphan that has ended, except the running process (whose kernel stack is in
/// use until it switches away; it is freed at a later switch). Called by the scheduler.
pub(super) fn reap_orphans() {
    if !ORPHANS_MAY_HAVE_ENDED.swap(false, Ordering::Relaxed) {
        return;
    }
    loop {
        let orphan = {
            let mut table = TABLE.lock();
            let current = current_pid();
            let ended = |process: &Process| process.orphan && process.state == State::Zombie;
            if table.processes.get(&current).is_some_and(|process| ended(process)) {
                note_orphans_may_have_ended();
            }
            let pid = table
                .processes
                .values()
                .find(|process| ended(process) && process.pid != current)
                .map(|process| process.pid);
            pid.and_then(|pid| table.processes.remove(&pid))
        };
        // Dropped outside the table lock: the kernel stack goes back to the frame allocator.
        match orphan {
            Some(process) => drop(process),
            None => break,
        }
    }
}

/// The pids and states of every process, for diagnostics.
pub fn census() -> alloc::vec::Vec<(Pid, &'static str, State)> {
    TABLE
        .lock()
        .processes
        .values()
        .map(|process| (process.pid, process.name, process.state))
        .collect()
}
