//! The scheduler: one run queue (the process table) shared by every CPU, round-robin in pid
//! order, a context switch at a time on each CPU.
//!
//! A CPU picks the next process that is ready, allowed on it (its affinity) and on no other
//! CPU. The process it leaves stays marked as on this CPU until the switch is finished
//! ([`finish_switch`], run by whatever this CPU switched to): until then its registers are
//! still being saved, so no other CPU may take it and its parent may not free its stack.
//! A CPU with nothing to run switches to its idle loop, which waits in WFI; whoever makes a
//! process ready wakes the idle CPUs with a reschedule SGI ([`wake_idle_cpus`]).

use super::context::{Context, switch_context};
use super::running::{self, IDLE_PID};
use super::table::{KERNEL_PID, KernelStack, Pid, Process, State, TABLE, Table, Wait};
use crate::arch::{cpu, exception, ipi, percpu};
use crate::console;
use crate::mm::address_space;
use core::sync::atomic::Ordering;

/// Asks for a reschedule of this CPU at its next return to user mode (the timer's tick).
pub fn request_reschedule() {
    running::here().need_reschedule.store(true, Ordering::Relaxed);
}

/// Takes this CPU's reschedule request, if any.
#[inline(always)]
pub(super) fn take_reschedule_request() -> bool {
    // A load first: the exclusive swap only when something asked.
    let request = &running::here().need_reschedule;
    request.load(Ordering::Relaxed) && request.swap(false, Ordering::Relaxed)
}

/// True when `process` can run now on CPU `cpu`.
fn ready(table: &Table, process: &Process, cpu: u32) -> bool {
    if process.affinity & (1 << cpu) == 0 || process.on_cpu().is_some_and(|on| on != cpu) {
        return false;
    }
    match process.state {
        State::Runnable => true,
        State::Zombie => false,
        State::Blocked(_) if process.killed() => true,
        State::Blocked(Wait::ConsoleInput) => console::input_available(),
        State::Blocked(Wait::Child(pid)) => {
            let mut children =
                table.processes.values().filter(|child| child.is_child_of(process.pid, pid));
            // Also wake when no such child is left: wait() then returns ECHILD. A zombie still
            // on another CPU cannot be collected yet (its stack is in use); one on this CPU is
            // the process this CPU is leaving.
            children.clone().next().is_none()
                || children.any(|child| {
                    child.state == State::Zombie && child.on_cpu().is_none_or(|on| on == cpu)
                })
        }
    }
}

/// What this CPU does next.
enum Next {
    /// Go on with what runs now.
    Stay,
    /// Nothing can run: the idle loop waits for an interrupt.
    Wait,
    /// Save the running context into the first and load the second.
    Switch(*mut Context, *const Context),
}

/// Chooses what runs next on this CPU, and records it, under the table lock.
fn pick(table: &mut Table, cpu: u32, current: Pid) -> Next {
    let here = running::here();
    let after = here.last_picked.load(Ordering::Relaxed);
    let order = table.processes.range(after + 1..).chain(table.processes.range(..=after));
    let next = order.map(|(pid, _)| *pid).find(|pid| ready(table, &table.processes[pid], cpu));
    let load = match next {
        Some(next) => {
            let chosen = table.processes.get_mut(&next).expect("found above");
            if let State::Blocked(_) = chosen.state {
                chosen.state = State::Runnable;
            }
            here.last_picked.store(next, Ordering::Relaxed);
            if next == current {
                return Next::Stay;
            }
            match chosen.space.as_ref() {
                // SAFETY: the space stays in the table while it is active: a process's space
                // is dropped only by the process itself, on exit, after it has switched TTBR0
                // away, and a process runs on one CPU at a time (`on_cpu`).
                Some(space) => unsafe { space.activate() },
                None => address_space::deactivate(),
            }
            chosen.set_on_cpu(Some(cpu));
            super::table::note_running(chosen);
            here.current.store(next, Ordering::Relaxed);
            here.process.store(&raw mut **chosen, Ordering::Relaxed);
            &chosen.context as *const Context
        }
        None if current == IDLE_PID => {
            // Set under the lock: whoever makes a process ready after this sees it and sends
            // the SGI that ends the wait.
            here.idle.store(true, Ordering::Relaxed);
            return Next::Wait;
        }
        None => {
            // The running process cannot go on (it blocked or ended) and nothing else can run:
            // the idle loop takes over, with no user half mapped (the process may run next on
            // another CPU and end there, freeing its tables).
            address_space::deactivate();
            running::note("", 0, core::ptr::null_mut());
            here.current.store(IDLE_PID, Ordering::Relaxed);
            here.process.store(core::ptr::null_mut(), Ordering::Relaxed);
            here.idle_context().get() as *const Context
        }
    };
    let save = if current == IDLE_PID {
        here.previous.store(core::ptr::null_mut(), Ordering::Relaxed);
        here.idle_context().get()
    } else {
        let leaving = table.processes.get_mut(&current).expect("running");
        here.previous.store(&raw mut **leaving, Ordering::Relaxed);
        &mut leaving.context as *mut Context
    };
    Next::Switch(save, load)
}

/// Gives this CPU to the next process that can run (round-robin), to its idle loop if none
/// can and the running process cannot go on, or back to the running process. Returns when the
/// caller is chosen again.
pub fn schedule() {
    let irq_state = cpu::mask_irqs();
    let current = running::current_pid();
    // Preemption inside a system call is impossible by design: a process leaves the CPU only
    // here, never with a uaccess window open.
    crate::invariants::check_switch(current);
    super::table::reap_orphans();
    let next = pick(&mut TABLE.lock(), percpu::this_cpu(), current);
    if let Next::Switch(save, load) = next {
        // SAFETY: `save` is this CPU's idle context or the running process's, in its boxed
        // table entry, which stays until its parent collects it, which waits for `on_cpu` to
        // be cleared after this switch. `load` was saved by switch_context, or prepared by
        // `spawn` or `start_idle_loop`, and its owner is on no other CPU.
        unsafe { switch_context(save, load) };
        finish_switch();
    }
    cpu::restore_irqs(irq_state);
}

/// Gives up the CPU to the next runnable process, if any.
pub fn yield_now() {
    schedule();
}

/// Run by whatever a CPU switched to, first thing: the process it switched away from is now
/// saved, so it leaves the CPU (another may take it, its parent may collect it) and the idle
/// CPUs are told.
fn finish_switch() {
    let previous = running::here().previous.swap(core::ptr::null_mut(), Ordering::Relaxed);
    if previous.is_null() {
        return;
    }
    // SAFETY: `pick` stored the address of the boxed table entry of the process this CPU
    // left; that entry cannot be freed before its `on_cpu` is cleared here (its parent and the
    // orphan reaper wait for that), and only this CPU writes its `on_cpu` while it is set.
    unsafe { (*previous).set_on_cpu(None) };
    wake_idle_cpus();
}

/// Sends a reschedule SGI to every other CPU waiting in its idle loop: something may be
/// ready for it. Call after making a process ready, with the table lock released.
pub fn wake_idle_cpus() {
    // Orders what made a process ready before the reading of the idle marks (the idle loop's
    // fence pairs with it).
    core::sync::atomic::fence(Ordering::SeqCst);
    let this = percpu::this_cpu();
    let targets = running::every_cpu()
        .filter(|(number, slot)| *number != this && slot.idle.load(Ordering::Relaxed))
        .fold(0u8, |targets, (number, _)| targets | 1 << number);
    ipi::send(targets, ipi::RESCHEDULE);
}

/// Sends a reschedule SGI to the CPU running `pid`, if another CPU runs it: a kill or a signal
/// is then noticed on that CPU's return to user mode at once, not at its next tick.
pub(super) fn kick(pid: Pid) {
    let this = percpu::this_cpu();
    let targets = running::every_cpu()
        .filter(|(number, slot)| {
            *number != this && slot.current.load(Ordering::Relaxed) == pid && pid != IDLE_PID
        })
        .fold(0u8, |targets, (number, _)| targets | 1 << number);
    ipi::send(targets, ipi::RESCHEDULE);
}

/// This CPU's idle loop: runs whatever becomes ready, waits in WFI while nothing is. CPUs
/// other than CPU 0 enter it once online; CPU 0 reaches it when its processes, the kernel's
/// own job included, all wait.
pub fn idle_loop() -> ! {
    let here = running::here();
    running::mark_online();
    loop {
        let _ = cpu::mask_irqs();
        super::table::reap_orphans();
        let next = match TABLE.try_lock() {
            Some(mut table) => pick(&mut table, percpu::this_cpu(), IDLE_PID),
            None => {
                // Another CPU is using the run queue. This CPU waits for it in WFI, not
                // spinning: under QEMU a spinning virtual CPU keeps a host thread busy, and each
                // broadcast TLB invalidation the holder makes (munmap under the table lock)
                // waits until every running virtual CPU has stopped for it. Marked idle first,
                // then the lock looked at again (both sides fenced): either the holder has let
                // it go (look again now), or the holder's later wake-up sees the mark. A
                // wake-up missed otherwise waits at most for this CPU's next tick.
                here.idle.store(true, Ordering::Relaxed);
                core::sync::atomic::fence(Ordering::SeqCst);
                if !TABLE.is_held() {
                    here.idle.store(false, Ordering::Relaxed);
                    continue;
                }
                Next::Wait
            }
        };
        match next {
            Next::Switch(save, load) => {
                // SAFETY: as in `schedule`: `save` is this CPU's idle context, `load` a
                // process's saved context, and that process is now on this CPU alone.
                unsafe { switch_context(save, load) };
                finish_switch();
            }
            Next::Wait | Next::Stay => {
                // WFI wakes on a pending IRQ even with IRQs masked, so it runs masked: an IRQ
                // (a tick, a reschedule SGI) that arrives before it is not taken early and
                // slept past, it just ends the WFI at once. The handler then runs in the short
                // unmasked gap.
                cpu::wait_for_interrupt();
                here.idle.store(false, Ordering::Relaxed);
                // SAFETY: no lock is held here, and the vectors are installed.
                unsafe { cpu::unmask_irqs() };
            }
        }
    }
}

/// Prepares CPU 0's idle loop: its own stack (the boot stack is the kernel job's), entered the
/// first time the kernel's job waits with nothing else to run. Call once, on CPU 0, at boot.
pub fn prepare_idle_loop_on_boot_cpu() -> Result<(), crate::errno::Errno> {
    let stack = KernelStack::new()?;
    let top = stack.top();
    // The stack is CPU 0's idle loop's for ever.
    core::mem::forget(stack);
    let context = running::here().idle_context().get();
    // SAFETY: CPU 0's idle context is touched only by CPU 0, with IRQs masked, in the
    // scheduler; this runs on CPU 0 at boot before any switch, so nothing else touches it.
    unsafe {
        (*context).sp = top;
        (*context).lr = idle_entry as *const () as usize as u32;
    }
    Ok(())
}

/// Where CPU 0's idle loop starts (its prepared context's LR): the switch that brought it here
/// is finished first, as for every switch.
extern "C" fn idle_entry() -> ! {
    finish_switch();
    idle_loop()
}

/// Where a new process starts, on its own kernel stack with its trap frame on top (its
/// prepared context's LR jumps here through `process_entry`): finish the switch, then return
/// to user mode through the frame.
#[unsafe(no_mangle)]
extern "C" fn process_started() {
    finish_switch();
}

const _: () = assert!(KERNEL_PID != IDLE_PID);

core::arch::global_asm!(
    r#"
    .section .text.process_entry, "ax"
    .arm
    .global process_entry
    .type process_entry, %function
// A new process's first instructions, with SP at its trap frame and r4 holding the return to
// user mode path (both set by `spawn` in the prepared context).
process_entry:
    bl      process_started
    bx      r4
    .size process_entry, . - process_entry
"#
);

unsafe extern "C" {
    /// A new process's entry: finishes the switch, then branches to the address in r4.
    fn process_entry();
}

/// The context a new process starts from: SP at its trap frame, LR at [`process_entry`], r4 at
/// the return to user mode path.
pub(super) fn first_context(frame_address: u32) -> Context {
    let mut context = Context {
        sp: frame_address,
        lr: process_entry as *const () as usize as u32,
        ..Context::default()
    };
    context.callee_saved[0] = exception::return_to_user_path() as usize as u32;
    context
}
