//! The process table: creation, exit, wait, kill, and the running process.

use super::context::Context;
use super::regions::Regions;
use super::running;
pub use super::running::{
    IDLE_PID, current_cpu, current_kernel_stack, current_name, current_pid, current_pid_for_reports,
};
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
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// A process id.
pub type Pid = u32;

/// The kernel's own pid.
pub const KERNEL_PID: Pid = 0;
/// At most this many processes (the kernel included) exist at once.
pub const MAX_PROCESSES: usize = 64;
/// Every CPU the board can have, as an affinity mask.
pub const ALL_CPUS: u32 = (1 << crate::arch::percpu::MAX_CPUS) - 1;
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
    /// Killed: it ends at its next return to user mode. Set under the table lock; read without
    /// it by the CPU running the process, on every return to user mode.
    pub(super) kill_pending: AtomicBool,
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
    /// The CPU it is on: running there, or switched away from with the switch not finished
    /// yet (its registers are still being saved). No other CPU may take it, and its parent
    /// may not free its kernel stack, until this is `None` again.
    pub(super) on_cpu: AtomicU32,
    /// The CPUs it may run on: bit n for CPU n (Linux's cpus_allowed, `sched_setaffinity`).
    pub(super) affinity: u32,
}

pub(super) struct Table {
    pub(super) processes: BTreeMap<Pid, Box<Process>>,
    pub(super) next_pid: Pid,
}

pub(super) static TABLE: IrqSafeLock<Table> =
    IrqSafeLock::new(Table { processes: BTreeMap::new(), next_pid: 1 });

/// Points this CPU's note of the running seccomp state at `process`'s if it has a mode, else
/// at nothing.
fn note_seccomp(process: &mut Process) {
    running::note_seccomp(seccomp_pointer(process));
}

fn seccomp_pointer(process: &mut Process) -> *mut Seccomp {
    if process.seccomp.mode() == swpan_abi::seccomp::mode::DISABLED {
        core::ptr::null_mut()
    } else {
        &raw mut process.seccomp
    }
}

/// Records `process` as the one about to run on this CPU (called by the scheduler, IRQs
/// masked).
pub(super) fn note_running(process: &mut Process) {
    process.started = true;
    let base = process.kernel_stack.as_ref().map_or(0, KernelStack::base);
    let seccomp = seccomp_pointer(process);
    running::note(process.name, base, seccomp);
}

/// The running process gave up its seccomp state (it is ending).
pub(super) fn note_running_seccomp_dropped() {
    running::note_seccomp(core::ptr::null_mut());
}

/// Runs `action` on the running process's seccomp state without the table lock, if it has a
/// mode (`None` otherwise, at the cost of one load): the check before each system call.
#[inline(always)]
pub fn with_running_seccomp<R>(action: impl FnOnce(&Seccomp) -> R) -> Option<R> {
    let state = running::seccomp();
    if state.is_null() {
        return None;
    }
    // SAFETY: the pointer is to the running process's own state, inside its boxed table
    // entry, which is freed only after the process has ended and been switched away from
    // (the scheduler then points this CPU's note at the next process). The state changes
    // only in `change_current_seccomp`, run by this same process in one of its own system
    // calls, never while this shared borrow lives: a process runs on one CPU at a time, the
    // kernel is not preemptible, and interrupt handlers never touch the process table.
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
        kill_pending: AtomicBool::new(false),
        started: true,
        orphan: false,
        loopback: alloc::vec::Vec::new(),
        signals: SignalState::new(KERNEL_PID),
        credentials: Credentials::root(),
        seccomp: Seccomp::default(),
        // The kernel's job runs on the boot stack of CPU 0, and stays there.
        on_cpu: AtomicU32::new(0),
        affinity: 1,
    });
    let mut table = TABLE.lock();
    table.processes.insert(KERNEL_PID, kernel);
    let entry = table.processes.get_mut(&KERNEL_PID).expect("just inserted");
    running::here().process.store(&raw mut **entry, Ordering::Relaxed);
    running::here().current.store(KERNEL_PID, Ordering::Relaxed);
    running::mark_online();
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

    /// The `on_cpu` of a process on no CPU.
    pub(super) const NOT_ON_CPU: u32 = u32::MAX;

    /// The CPU it is on (see `on_cpu`), if any.
    pub(super) fn on_cpu(&self) -> Option<u32> {
        match self.on_cpu.load(Ordering::Acquire) {
            Process::NOT_ON_CPU => None,
            cpu => Some(cpu),
        }
    }

    /// Records the CPU it is on, or none. Leaving a CPU is a Release: whoever sees it off
    /// the CPU sees everything that CPU saved of it.
    pub(super) fn set_on_cpu(&self, cpu: Option<u32>) {
        self.on_cpu.store(cpu.unwrap_or(Process::NOT_ON_CPU), Ordering::Release);
    }

    /// True once it was killed.
    pub(super) fn killed(&self) -> bool {
        self.kill_pending.load(Ordering::Relaxed)
    }

    /// True once it has been on a CPU.
    pub fn has_run(&self) -> bool {
        self.started
    }

    /// True when its parent ended first and the kernel adopted it.
    pub fn adopted(&self) -> bool {
        self.orphan
    }

    /// True while it waits (for input or a child).
    pub fn blocked(&self) -> bool {
        matches!(self.state, State::Blocked(_))
    }

    /// Records that an lkdtm crash type ran to its end in this process.
    pub fn record_lkdtm_survival(&mut self, survival: Survival) {
        self.lkdtm_survived = Some(survival);
    }
}

/// The lock that ending the running process would need and that this CPU holds now, if any:
/// the process table's, or one of memory management's ([`crate::mm::held_lock`]). The oops
/// path asks before it kills a process: a lock held on this CPU means the code that faulted
/// held it, and waiting for it would hang the CPU with IRQs masked (a lock another CPU holds
/// is only waited for).
pub fn exit_blocker() -> Option<&'static str> {
    if TABLE.held_here() { Some("the process table lock") } else { crate::mm::held_lock() }
}

/// Set when an orphan may have ended (see [`note_orphans_may_have_ended`]): the scheduler
/// looks through the table only then.
static ORPHANS_MAY_HAVE_ENDED: AtomicBool = AtomicBool::new(false);

/// Tells the scheduler that an orphan may have ended and wants freeing.
pub(super) fn note_orphans_may_have_ended() {
    ORPHANS_MAY_HAVE_ENDED.store(true, Ordering::Relaxed);
}

/// Frees every orphan that has ended, except those still on a CPU (whose kernel stacks are in
/// use until the switch away from them is finished; they are freed at a later switch).
/// Called by the scheduler.
pub(super) fn reap_orphans() {
    if !ORPHANS_MAY_HAVE_ENDED.swap(false, Ordering::Relaxed) {
        return;
    }
    loop {
        let orphan = {
            let mut table = TABLE.lock();
            let ended = |process: &Process| process.orphan && process.state == State::Zombie;
            if table.processes.values().any(|process| ended(process) && process.on_cpu().is_some())
            {
                note_orphans_may_have_ended();
            }
            let pid = table
                .processes
                .values()
                .find(|process| ended(process) && process.on_cpu().is_none())
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
