//! Which CPUs a process may run on (Linux's `cpus_allowed`): read and changed by
//! `sched_getaffinity`/`sched_setaffinity`, kept across `execve`, inherited by children.

use super::running;
use super::scheduler::{kick, wake_idle_cpus};
use super::table::{KERNEL_PID, Pid, State, TABLE, current_pid};
use crate::errno::Errno;

/// The CPUs online now, as a mask (bit n: CPU n).
pub fn online_cpus() -> u32 {
    running::online_mask()
}

/// The CPUs process `pid` may run on (0: the caller).
pub fn affinity(pid: Pid) -> Result<u32, Errno> {
    let pid = if pid == 0 { current_pid() } else { pid };
    let table = TABLE.lock();
    match table.processes.get(&pid) {
        Some(process) if process.state != State::Zombie => Ok(process.affinity),
        _ => Err(Errno::ESRCH),
    }
}

/// Restricts process `pid` (0: the caller) to the online CPUs in `mask`, as Linux does: EINVAL
/// when none of them is online, ESRCH for no such process, EPERM when the caller may not
/// change it ([`crate::credentials::Credentials::may_reschedule`]). The kernel's own job stays
/// on CPU 0 (EINVAL). A process running on a CPU it may no longer use moves at its next
/// switch; its CPU is asked to switch at once.
pub fn set_affinity(pid: Pid, mask: u32) -> Result<(), Errno> {
    let caller = current_pid();
    let pid = if pid == 0 { caller } else { pid };
    let allowed = mask & online_cpus();
    if allowed == 0 || pid == KERNEL_PID {
        return Err(Errno::EINVAL);
    }
    let must_move = {
        let mut table = TABLE.lock();
        let credentials = table.processes.get(&caller).map(|process| process.credentials);
        let target = match table.processes.get_mut(&pid) {
            Some(process) if process.state != State::Zombie => process,
            _ => return Err(Errno::ESRCH),
        };
        if let Some(credentials) = credentials
            && !credentials.may_reschedule(&target.credentials)
        {
            return Err(Errno::EPERM);
        }
        target.affinity = allowed;
        target.on_cpu().is_some_and(|cpu| allowed & (1 << cpu) == 0)
    };
    if must_move {
        if pid == caller {
            super::scheduler::request_reschedule();
        } else {
            kick(pid);
        }
    }
    wake_idle_cpus();
    Ok(())
}
