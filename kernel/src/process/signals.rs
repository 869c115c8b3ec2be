//! The process table's side of signals: finding the processes a signal goes to, posting it
//! and waking a process that blocks, so that its call returns EINTR.

use super::signal_state::Info;
use super::table::{KERNEL_PID, Pid, Process, State, TABLE, current_pid};
use crate::errno::Errno;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

/// Set when some process may have a signal to deliver; clear when none has. Every return to
/// user mode reads it, so that the common case (no signal anywhere) costs one load instead of
/// the table lock. Written under the table lock.
static MAY_BE_DELIVERABLE: AtomicBool = AtomicBool::new(false);

/// Notes that a process may have a signal to deliver: called under the table lock by
/// whatever posts a signal or unblocks one.
fn note_deliverable() {
    MAY_BE_DELIVERABLE.store(true, Ordering::Relaxed);
}

/// True when some process may have a signal to deliver: the one load the way back to user
/// mode costs when none has (inlined there; the delivery itself is out of line).
#[inline(always)]
pub fn signals_may_be_pending() -> bool {
    MAY_BE_DELIVERABLE.load(Ordering::Relaxed)
}

/// Runs `action` on the running process, under the table lock, if some process may have a
/// signal to deliver; `None` at once otherwise. Afterwards the note is cleared if no process
/// has one any more.
pub fn with_current_if_signalled<R>(action: impl FnOnce(&mut Process) -> R) -> Option<R> {
    if !MAY_BE_DELIVERABLE.load(Ordering::Relaxed) {
        return None;
    }
    let mut table = TABLE.lock();
    let process =
        table.processes.get_mut(&current_pid()).expect("the running process is in the table");
    let result = action(process);
    let any = table.processes.values().any(|process| process.signals.interrupts());
    MAY_BE_DELIVERABLE.store(any, Ordering::Relaxed);
    Some(result)
}

/// Runs `action` on the signal state of the running process, under the table lock, for a
/// change that may make a signal deliverable (a fault's signal, a blocked set made smaller).
pub fn change_current_signals<R>(
    action: impl FnOnce(&mut super::signal_state::SignalState) -> R,
) -> R {
    let mut table = TABLE.lock();
    let process =
        table.processes.get_mut(&current_pid()).expect("the running process is in the table");
    let result = action(&mut process.signals);
    note_deliverable();
    result
}

/// Runs `action` on live process `pid` (not the kernel, not ended), under the table lock:
/// keep it short. ESRCH when there is no such process.
pub fn with_process<R>(pid: Pid, action: impl FnOnce(&mut Process) -> R) -> Result<R, Errno> {
    let mut table = TABLE.lock();
    match table.processes.get_mut(&pid) {
        Some(process) if pid != KERNEL_PID && process.state != State::Zombie => Ok(action(process)),
        _ => Err(Errno::ESRCH),
    }
}

/// The live user processes (not the kernel, not ended) that `filter` accepts, in pid order.
pub fn live_processes(filter: impl Fn(&Process) -> bool) -> Vec<Pid> {
    TABLE
        .lock()
        .processes
        .values()
        .filter(|process| process.pid != KERNEL_PID && process.state != State::Zombie)
        .filter(|process| filter(process))
        .map(|process| process.pid)
        .collect()
}

/// Posts `signal` with `info` to process `pid` and wakes it if it blocks and the signal can
/// be delivered: its blocking call returns EINTR, and the signal is delivered on its way back
/// to user mode. ESRCH when there is no such process.
pub fn post(pid: Pid, signal: u32, info: Info) -> Result<(), Errno> {
    with_process(pid, |process| {
        process.signals.post(signal, info);
        note_deliverable();
        if process.signals.interrupts()
            && let State::Blocked(_) = process.state
        {
            process.state = State::Runnable;
        }
    })?;
    // A process running on another CPU takes the signal on its next return to user mode: the
    // SGI makes that now; one that was blocked may be picked by an idle CPU.
    super::scheduler::kick(pid);
    super::scheduler::wake_idle_cpus();
    Ok(())
}

impl Process {
    /// Whether a blocking call of this process must return EINTR: it was killed, or a
    /// signal waits to be delivered.
    pub(super) fn interrupted(&self) -> bool {
        self.killed() || self.signals.interrupts()
    }
}
