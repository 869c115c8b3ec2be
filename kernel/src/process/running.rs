//! What each CPU is running: its process, the reschedule request, whether it idles, and the
//! running process's name, kernel stack and seccomp state kept where the oops path and the
//! system call entry read them without the process table's lock.
//!
//! All of it is per CPU ([`PerCpu`], through TPIDRPRW): there is no global "current". A CPU
//! writes its own slot only, with IRQs masked; other CPUs read `current` (to kick the CPU a
//! killed process runs on) and `idle` (to wake idle CPUs).

use super::context::Context;
use super::table::{KERNEL_PID, KERNEL_STACK_SIZE, Pid, Process};
use crate::arch::percpu::{CacheLine, MAX_CPUS, PerCpu, this_cpu};
use crate::seccomp::Seccomp;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};

/// The pid a CPU runs while it runs its idle loop (no process: Linux's swapper has pid 0 too,
/// but the table's pid 0 is the kernel's job, which runs on CPU 0).
pub const IDLE_PID: Pid = Pid::MAX;

/// One CPU's view of what it runs.
pub(super) struct Running {
    /// The running pid, or [`IDLE_PID`].
    pub(super) current: AtomicU32,
    /// The running process's table entry (null in the idle loop): its box stays put, and in
    /// the table, while it runs here.
    pub(super) process: AtomicPtr<Process>,
    /// The process this CPU switched away from, until the switch is finished
    /// (`finish_switch`); null when it left its idle loop.
    pub(super) previous: AtomicPtr<Process>,
    /// Set by the tick (and by a reschedule SGI): switch at the next return to user mode.
    pub(super) need_reschedule: AtomicBool,
    /// True while the CPU waits in its idle loop with nothing to run: a reschedule SGI wakes it.
    pub(super) idle: AtomicBool,
    /// True once the CPU runs the scheduler.
    pub(super) online: AtomicBool,
    /// Where the rotation continues from: the last process this CPU picked.
    pub(super) last_picked: AtomicU32,
    name: AtomicPtr<u8>,
    name_length: AtomicUsize,
    stack_base: AtomicU32,
    /// The running process's seccomp state when its mode is not DISABLED, else null: the one
    /// load the system call entry costs a process without seccomp.
    seccomp: AtomicPtr<Seccomp>,
    /// The idle loop's own context, saved while the CPU runs a process.
    idle_context: IdleContext,
}

/// A CPU's idle context. Only its own CPU touches it, inside `schedule` with IRQs masked.
pub(super) struct IdleContext(UnsafeCell<Context>);

// SAFETY: each CPU's idle context is read and written by that CPU alone (`Running` is reached
// through `PerCpu::this`), with IRQs masked, inside the scheduler: never from two places at once.
unsafe impl Sync for IdleContext {}

impl IdleContext {
    /// The context, for `switch_context`.
    pub(super) fn get(&self) -> *mut Context {
        self.0.get()
    }
}

impl Running {
    const fn new() -> Running {
        Running {
            current: AtomicU32::new(IDLE_PID),
            process: AtomicPtr::new(core::ptr::null_mut()),
            previous: AtomicPtr::new(core::ptr::null_mut()),
            need_reschedule: AtomicBool::new(false),
            idle: AtomicBool::new(false),
            online: AtomicBool::new(false),
            last_picked: AtomicU32::new(KERNEL_PID),
            name: AtomicPtr::new(core::ptr::null_mut()),
            name_length: AtomicUsize::new(0),
            stack_base: AtomicU32::new(0),
            seccomp: AtomicPtr::new(core::ptr::null_mut()),
            idle_context: IdleContext(UnsafeCell::new(Context {
                callee_saved: [0; 8],
                sp: 0,
                lr: 0,
            })),
        }
    }

    /// The idle loop's saved context.
    pub(super) fn idle_context(&self) -> &IdleContext {
        &self.idle_context
    }
}

static RUNNING: PerCpu<Running> = PerCpu::new([const { CacheLine::new(Running::new()) }; MAX_CPUS]);

/// This CPU's slot.
#[inline(always)]
pub(super) fn here() -> &'static Running {
    RUNNING.this()
}

/// Every CPU's slot with its number.
pub(super) fn every_cpu() -> impl Iterator<Item = (u32, &'static Running)> {
    RUNNING.iter()
}

/// True when the process running here was killed: the check on every return to user mode,
/// without the table lock.
#[inline(always)]
pub(super) fn current_process_killed() -> bool {
    let process = here().process.load(Ordering::Relaxed);
    // SAFETY: the running process's box stays in the table while it runs on this CPU (it is
    // freed only after it is off every CPU), and `kill_pending` is atomic.
    !process.is_null() && unsafe { (*process).killed() }
}

/// The CPUs that run the scheduler, as a mask (bit n: CPU n).
pub(super) fn online_mask() -> u32 {
    every_cpu()
        .filter(|(_, slot)| slot.online.load(Ordering::Acquire))
        .fold(0, |mask, (number, _)| mask | 1 << number)
}

/// Declares this CPU ready to run processes.
pub(super) fn mark_online() {
    here().online.store(true, Ordering::Release);
}

/// The process running on this CPU ([`IDLE_PID`] in the idle loop).
#[inline(always)]
pub fn current_pid() -> Pid {
    here().current.load(Ordering::Relaxed)
}

/// The CPU running this code.
pub fn current_cpu() -> u32 {
    this_cpu()
}

/// Records what is about to run on this CPU: `name`, the kernel stack at `stack_base` (0: none
/// of its own) and `seccomp` (null: no mode). Called by the scheduler with IRQs masked.
pub(super) fn note(name: &'static str, stack_base: u32, seccomp: *mut Seccomp) {
    let running = here();
    running.name.store(name.as_ptr().cast_mut(), Ordering::Relaxed);
    running.name_length.store(name.len(), Ordering::Relaxed);
    running.stack_base.store(stack_base, Ordering::Relaxed);
    running.seccomp.store(seccomp, Ordering::Relaxed);
}

/// Records a new seccomp state for the process running here (null: none).
pub(super) fn note_seccomp(seccomp: *mut Seccomp) {
    here().seccomp.store(seccomp, Ordering::Relaxed);
}

/// The running process's seccomp state, null when it has no mode.
#[inline(always)]
pub(super) fn seccomp() -> *mut Seccomp {
    here().seccomp.load(Ordering::Relaxed)
}

/// The bounds of the kernel stack of the process running here (for the oops call trace).
pub fn current_kernel_stack() -> Option<core::ops::Range<u32>> {
    let base = here().stack_base.load(Ordering::Relaxed);
    (base != 0).then(|| base..base + KERNEL_STACK_SIZE)
}

/// The name of the process running here: "kernel" for the kernel's job, "swapper/N" (Linux's
/// name) for CPU N's idle loop.
pub fn current_name() -> &'static str {
    let running = here();
    let name = running.name.load(Ordering::Relaxed);
    if name.is_null() {
        return if running.current.load(Ordering::Relaxed) == IDLE_PID {
            ["swapper/0", "swapper/1", "swapper/2", "swapper/3"][this_cpu() as usize % MAX_CPUS]
        } else {
            "kernel"
        };
    }
    let length = running.name_length.load(Ordering::Relaxed);
    // SAFETY: `note` stores the pointer and length of one `&'static str` together, on this
    // CPU with IRQs masked, so the pair read here (on the same CPU) is such a string.
    unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(name, length)) }
}

/// The pid to print for what runs here: the idle loop prints 0, as Linux's swapper does.
pub fn current_pid_for_reports() -> Pid {
    match current_pid() {
        IDLE_PID => KERNEL_PID,
        pid => pid,
    }
}
