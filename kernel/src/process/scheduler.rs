//! The scheduler: round-robin over the process table, one context switch at a time.

use super::context::{Context, switch_context};
use super::table::{CURRENT, Process, State, TABLE, Table, Wait, current_pid};
use crate::arch::cpu;
use crate::console;
use crate::mm::address_space;
use core::sync::atomic::{AtomicBool, Ordering};

/// Set by the timer's tick, taken on the way back to user mode.
pub(super) static NEED_RESCHEDULE: AtomicBool = AtomicBool::new(false);

/// Asks for a reschedule at the next return to user mode (the timer's tick).
pub fn request_reschedule() {
    NEED_RESCHEDULE.store(true, Ordering::Relaxed);
}

/// True when `process` can run now.
fn ready(table: &Table, process: &Process) -> bool {
    match process.state {
        State::Runnable => true,
        State::Zombie => false,
        State::Blocked(_) if process.kill_pending => true,
        State::Blocked(Wait::ConsoleInput) => console::input_available(),
        State::Blocked(Wait::Child(pid)) => {
            let mut children =
                table.processes.values().filter(|child| child.is_child_of(process.pid, pid));
            // Also wake when no such child is left: wait() then returns ECHILD.
            children.clone().next().is_none() || children.any(|child| child.state == State::Zombie)
        }
    }
}

/// Gives the CPU to the next process that can run (round-robin after the running one), or
/// waits for an interrupt when none can. Returns when the running process is chosen again.
pub fn schedule() {
    let irq_state = cpu::mask_irqs();
    // Preemption inside a system call is impossible by design: a process leaves the CPU only
    // here, never with a uaccess window open.
    crate::invariants::check_switch(current_pid());
    super::table::reap_orphans();
    loop {
        let switch = {
            let mut table = TABLE.lock();
            let current = current_pid();
            let order =
                table.processes.range(current + 1..).chain(table.processes.range(..=current));
            let next = order.map(|(pid, _)| *pid).find(|pid| ready(&table, &table.processes[pid]));
            match next {
                None => None,
                Some(next) => {
                    let chosen = table.processes.get_mut(&next).expect("found above");
                    if let State::Blocked(_) = chosen.state {
                        chosen.state = State::Runnable;
                    }
                    if next == current {
                        Some(None)
                    } else {
                        match chosen.space.as_ref() {
                            // SAFETY: the space stays in the table while it is active; a
                            // process's space is dropped only by the process itself, on exit,
                            // after it has switched TTBR0 away.
                            Some(space) => unsafe { space.activate() },
                            None => address_space::deactivate(),
                        }
                        super::table::note_running(chosen);
                        let load = &chosen.context as *const Context;
                        let save = &mut table.processes.get_mut(&current).expect("running").context
                            as *mut Context;
                        Some(Some((save, load, next)))
                    }
                }
            }
        };
        match switch {
            None => {
                // Nothing can run: sleep until an interrupt (a tick, a key) and look again.
                // WFI wakes on a pending IRQ even with IRQs masked, so it runs masked: an IRQ
                // that arrives before it is not taken early and slept past, it just ends the
                // WFI at once. Then the handler runs in the short unmasked gap.
                cpu::wait_for_interrupt();
                // SAFETY: no lock is held here, and the vectors are installed.
                unsafe { cpu::unmask_irqs() };
                let _ = cpu::mask_irqs();
            }
            Some(None) => break,
            Some(Some((save, load, next))) => {
                CURRENT.store(next, Ordering::Relaxed);
                // SAFETY: both contexts live in boxed processes that stay in the table until
                // their parent collects them, which cannot happen before they stop running;
                // `load` was saved by switch_context or prepared by `spawn`.
                unsafe { switch_context(save, load) };
                break;
            }
        }
    }
    cpu::restore_irqs(irq_state);
}

/// Gives up the CPU to the next runnable process, if any.
pub fn yield_now() {
    schedule();
}
