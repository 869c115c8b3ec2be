//! Processes: creation from an embedded program, the scheduler, exit and wait.
//!
//! Every process has its own address space (TTBR0 table and ASID), a kernel stack whose top
//! holds its user registers (the trap frame) while it is in the kernel, and a saved
//! [`Context`] while it is off the CPU. Process 0 is the kernel itself: it runs the job the
//! command line chose, on the boot stack, with no user half.
//!
//! The kernel is not preemptible: a process leaves its CPU only in [`schedule`], called when
//! it blocks, yields, exits, or on its way back to user mode after that CPU's timer (or a
//! reschedule SGI) asked for a reschedule. So no code runs with a uaccess window open across a
//! switch, and the DACR needs no saving here. Every CPU schedules from the one process table,
//! round-robin in pid order, taking only processes on no other CPU and allowed on it; a
//! blocked process is runnable again as soon as what it waits for is there (checked by the
//! scheduler, so interrupt handlers never touch the process table), and whoever makes it so
//! wakes the idle CPUs. What runs on each CPU is per CPU (`running`), found through TPIDRPRW.

pub mod arguments;
pub mod loader;
pub mod regions;
pub mod signal_state;

#[cfg(target_arch = "arm")]
pub mod affinity;
#[cfg(target_arch = "arm")]
pub mod context;
#[cfg(target_arch = "arm")]
pub mod exec;
#[cfg(target_arch = "arm")]
pub mod identity;
#[cfg(target_arch = "arm")]
mod lifecycle;
#[cfg(target_arch = "arm")]
pub mod mmap;
#[cfg(target_arch = "arm")]
pub mod programs;
#[cfg(target_arch = "arm")]
mod running;
#[cfg(target_arch = "arm")]
mod scheduler;
#[cfg(target_arch = "arm")]
mod signals;
#[cfg(target_arch = "arm")]
mod table;

#[cfg(target_arch = "arm")]
pub use lifecycle::{
    before_return_to_user, exec_current, exit_current, kill, spawn, spawn_on, spawn_with, wait,
    wait_for_console_input,
};
#[cfg(target_arch = "arm")]
pub use scheduler::{
    idle_loop, prepare_idle_loop_on_boot_cpu, request_reschedule, schedule, wake_idle_cpus,
    yield_now,
};
#[cfg(target_arch = "arm")]
pub use signals::{
    change_current_signals, live_processes, post, signals_may_be_pending,
    with_current_if_signalled, with_process,
};
#[cfg(target_arch = "arm")]
pub use table::*;
