//! The process table's side of signals: finding the processes a signal goes to, posting it
//! and waking a process that blocks, so that its call returns EINTR.

use super::signal_state::Info;
use super::table::{KERNEL_PID, Pid, Process, State, TABLE};
use crate::errno::Errno;
use alloc::vec::Vec;

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
        if process.signals.interrupts()
            && let State::Blocked(_) = process.state
        {
            process.state = State::Runnable;
        }
    })
}

impl Process {
    /// Whether a blocking call of this process must return EINTR: it was killed, or a
    /// signal waits to be delivered.
    pub(super) fn interrupted(&self) -> bool {
        self.kill_pending || self.signals.interrupts()
    }
}
