//! A process's life: spawn, the way back to user mode, exit, wait and kill.

use super::context::Context;
use super::regions::{PAGE, Region, RegionKind, Regions};
use super::scheduler::{NEED_RESCHEDULE, schedule};
use super::table::{
    Cause, Death, KERNEL_PID, KernelStack, MAX_PROCESSES, Pid, Process, Reaped, State, TABLE,
    USER_STACK_PAGES, USER_STACK_TOP, Wait, current_pid, with_current,
};
use super::{loader, programs};
use crate::arch::trap_frame::{FRAME_SIZE, TrapFrame};
use crate::arch::{cpu, exception, psr};
use crate::console;
use crate::errno::Errno;
use crate::mm::address_space::AddressSpace;
use crate::mm::{frames_allocate, frames_free, heap, linear};
use alloc::boxed::Box;
use core::sync::atomic::Ordering;
use swpan_abi::{protection, signal};

/// The heap a spawn needs to find free (its structures are small; this keeps a margin so
/// that spawning can never exhaust the heap and panic the kernel).
const SPAWN_HEAP_MARGIN: usize = 64 * 1024;

/// Called on every return to user mode: switches if the timer asked, and ends the process if
/// it was killed.
pub fn before_return_to_user() {
    if NEED_RESCHEDULE.swap(false, Ordering::Relaxed) {
        schedule();
    }
    if with_current(|process| process.kill_pending) {
        exit_current(Death::Killed { signal: signal::SIGKILL, cause: Cause::Signal });
    }
}

/// Starts the embedded program `name` with `argument` as a child of `parent`.
pub fn spawn(name: &str, argument: &str, parent: Pid) -> Result<Pid, Errno> {
    let program = programs::find(name).ok_or(Errno::ENOENT)?;
    if TABLE.lock().processes.len() >= MAX_PROCESSES {
        return Err(Errno::EAGAIN);
    }
    if heap::available() < SPAWN_HEAP_MARGIN {
        return Err(Errno::ENOMEM);
    }
    let plan = loader::plan(program.image).map_err(|error| {
        log::warn!("spawn {name}: {error}");
        Errno::from(error)
    })?;
    let mut space = AddressSpace::new()?;
    loader::load(&mut space, program.image, &plan)?;
    let mut regions = Regions::new();
    for segment in &plan.segments {
        regions.insert(Region {
            start: segment.start,
            end: segment.end,
            protection: segment.protection,
            kind: RegionKind::Program,
        })?;
    }
    let (user_sp, argument_address) = build_user_stack(&mut space, argument)?;
    regions.insert(Region {
        start: USER_STACK_TOP - USER_STACK_PAGES * PAGE,
        end: USER_STACK_TOP,
        protection: protection::READ | protection::WRITE,
        kind: RegionKind::Stack,
    })?;

    let kernel_stack = KernelStack::new()?;
    let frame_address = kernel_stack.top() - FRAME_SIZE as u32;
    let mut frame = TrapFrame {
        pc: plan.entry,
        spsr: psr::MODE_USR | psr::PSR_F,
        sp_usr: user_sp,
        ..TrapFrame::default()
    };
    frame.r[0] = argument_address;
    frame.r[1] = argument.len() as u32;
    // SAFETY: the frame slot is at the top of the new, unused kernel stack, mapped read-write
    // in the vmalloc area and aligned.
    unsafe { (frame_address as *mut TrapFrame).write(frame) };
    let context = Context {
        sp: frame_address,
        lr: exception::return_to_user_path() as usize as u32,
        ..Context::default()
    };

    let mut table = TABLE.lock();
    let pid = table.next_pid;
    table.next_pid += 1;
    // A child of the kernel leads a group of its own; any other joins its parent's.
    let group = match table.processes.get(&parent) {
        Some(parent) if parent.pid != KERNEL_PID => parent.signals.group,
        _ => pid,
    };
    let process = Box::new(Process {
        pid,
        parent,
        name: program.name,
        state: State::Runnable,
        context,
        kernel_stack: Some(kernel_stack),
        space: Some(space),
        regions,
        death: None,
        lkdtm_survived: None,
        kill_pending: false,
        started: false,
        orphan: false,
        loopback: alloc::vec::Vec::new(),
        signals: super::signal_state::SignalState::new(group),
    });
    table.processes.insert(pid, process);
    Ok(pid)
}

/// Maps the user stack and puts `argument` at its top. Returns (initial SP, argument address).
fn build_user_stack(space: &mut AddressSpace, argument: &str) -> Result<(u32, u32), Errno> {
    if argument.len() > 256 {
        return Err(Errno::E2BIG);
    }
    let attributes = loader::user_attributes(protection::READ | protection::WRITE);
    let mut top_frame = 0;
    for index in 0..USER_STACK_PAGES {
        let page = USER_STACK_TOP - (index + 1) * PAGE;
        let frame = frames_allocate(1, PAGE)?;
        if let Err(error) = space.map_page(page, frame, attributes) {
            frames_free(frame, 1);
            return Err(error);
        }
        if index == 0 {
            top_frame = frame;
        }
    }
    // The argument sits at the top of the stack; SP starts below it, 8-byte aligned.
    let argument_address = USER_STACK_TOP - argument.len() as u32;
    let offset = (PAGE - argument.len() as u32) as usize;
    // SAFETY: `top_frame` backs the stack's top page, fresh and not yet visible to user mode;
    // the argument fits in it.
    unsafe {
        core::ptr::copy_nonoverlapping(
            argument.as_ptr(),
            linear(top_frame).add(offset),
            argument.len(),
        )
    };
    Ok(((argument_address - 8) & !7, argument_address))
}

/// Ends the running process with `death`: frees its address space, wakes its parent and
/// switches away for good. Its kernel stack is freed when the parent collects it.
pub fn exit_current(death: Death) -> ! {
    let pid = current_pid();
    assert_ne!(pid, KERNEL_PID, "the kernel cannot exit");
    let _ = cpu::mask_irqs();
    // Whatever path got here (an oops inside a window included), the next process never
    // inherits an open window.
    exception::close_window();
    let space = {
        let mut table = TABLE.lock();
        let process = table.processes.get_mut(&pid).expect("the running process is in the table");
        process.state = State::Zombie;
        process.death = Some(death);
        process.regions = Regions::new();
        let space = process.space.take();
        // Orphans go to the kernel, which frees them when they end (those that have ended
        // already go at the next schedule): nobody is left to collect them.
        for child in table.processes.values_mut().filter(|child| child.parent == pid) {
            child.parent = KERNEL_PID;
            child.orphan = true;
        }
        super::table::note_orphans_may_have_ended();
        space
    };
    // Dropping the space switches TTBR0 away from it first, then frees every frame in it.
    drop(space);
    schedule();
    unreachable!("a zombie was scheduled")
}

/// Waits for a child of the running process (`pid`, or any) to end, and collects it. A
/// process killed while it waits leaves with EINTR and dies on its way back to user mode.
pub fn wait(pid: Option<Pid>) -> Result<Reaped, Errno> {
    let parent = current_pid();
    loop {
        {
            let mut table = TABLE.lock();
            if table.processes.get(&parent).is_some_and(|process| process.interrupted()) {
                return Err(Errno::EINTR);
            }
            let matches = |process: &Process| process.is_child_of(parent, pid);
            if !table.processes.values().any(|process| matches(process)) {
                return Err(Errno::ECHILD);
            }
            let zombie = table
                .processes
                .values()
                .find(|process| matches(process) && process.state == State::Zombie)
                .map(|process| process.pid);
            if let Some(zombie) = zombie {
                let process = table.processes.remove(&zombie).expect("found above");
                return Ok(Reaped {
                    pid: process.pid,
                    name: process.name,
                    death: process.death.expect("a zombie has a death"),
                    lkdtm_survived: process.lkdtm_survived,
                });
            }
            let process =
                table.processes.get_mut(&parent).expect("the running process is in the table");
            process.state = State::Blocked(Wait::Child(pid));
        }
        schedule();
    }
}

/// Blocks the running process until a console byte arrives. A process killed while it waits
/// leaves with EINTR, before it takes a byte, and dies on its way back to user mode.
pub fn wait_for_console_input() -> Result<(), Errno> {
    loop {
        let killed = with_current(|process| {
            if !process.interrupted() && !console::input_available() {
                process.state = State::Blocked(Wait::ConsoleInput);
            }
            process.interrupted()
        });
        if killed {
            return Err(Errno::EINTR);
        }
        if console::input_available() {
            return Ok(());
        }
        schedule();
    }
}

/// Asks process `pid` to die with SIGKILL at its next return to user mode.
pub fn kill(pid: Pid) -> Result<(), Errno> {
    if pid == KERNEL_PID {
        return Err(Errno::EPERM);
    }
    let unstarted_space = {
        let mut table = TABLE.lock();
        let process = table.processes.get_mut(&pid).ok_or(Errno::ESRCH)?;
        if process.state == State::Zombie {
            return Err(Errno::ESRCH);
        }
        process.kill_pending = true;
        if let State::Blocked(_) = process.state {
            process.state = State::Runnable;
        }
        if process.started {
            None
        } else {
            // Never ran: it ends here, as it would at its first return to user mode. Its
            // kernel stack was never used, so it goes with the process when it is collected.
            process.state = State::Zombie;
            process.death = Some(Death::Killed { signal: signal::SIGKILL, cause: Cause::Signal });
            process.regions = Regions::new();
            super::table::note_orphans_may_have_ended();
            process.space.take()
        }
    };
    // Freed outside the table lock: every frame of the address space.
    drop(unstarted_space);
    if pid == current_pid() {
        exit_current(Death::Killed { signal: signal::SIGKILL, cause: Cause::Signal });
    }
    Ok(())
}
