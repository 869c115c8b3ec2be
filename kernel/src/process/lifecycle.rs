//! A process's life: spawn, exec, the way back to user mode, exit, wait and kill.

use super::arguments::Arguments;
use super::context::Context;
use super::loader;
use super::programs::{self, Program};
use super::regions::{PAGE, Region, RegionKind, Regions};
use super::scheduler::{NEED_RESCHEDULE, schedule};
use super::table::{
    Cause, Death, KERNEL_PID, KernelStack, MAX_PROCESSES, Pid, Process, Reaped, State, TABLE,
    USER_STACK_PAGES, USER_STACK_TOP, Wait, current_pid, with_current,
};
use crate::arch::trap_frame::{FRAME_SIZE, TrapFrame};
use crate::arch::{cpu, exception, psr};
use crate::console;
use crate::credentials::Credentials;
use crate::errno::Errno;
use crate::mm::address_space::AddressSpace;
use crate::mm::{frames_allocate, frames_free, heap, linear};
use alloc::boxed::Box;
use core::sync::atomic::{AtomicU32, Ordering};
use swpan_abi::exec::auxv;
use swpan_abi::{protection, signal};

/// The heap a spawn needs to find free (its structures are small; this keeps a margin so
/// that spawning can never exhaust the heap and panic the kernel).
const SPAWN_HEAP_MARGIN: usize = 64 * 1024;

/// Called on every return to user mode: switches if the timer asked, and ends the process if
/// it was killed.
pub fn before_return_to_user() {
    // A load first: the exclusive swap only when the timer asked.
    if NEED_RESCHEDULE.load(Ordering::Relaxed) && NEED_RESCHEDULE.swap(false, Ordering::Relaxed) {
        schedule();
    }
    if KILLS_PENDING.load(Ordering::Relaxed) != 0 && with_current(|process| process.kill_pending) {
        exit_current(Death::Killed { signal: signal::SIGKILL, cause: Cause::Signal });
    }
}

/// How many started processes have a kill pending and have not exited yet: while it is 0 the
/// way back to user mode needs no look at the process table. Changed under the table lock,
/// where `kill_pending` is set and where a process with it set exits.
static KILLS_PENDING: AtomicU32 = AtomicU32::new(0);

/// Starts the embedded program `name` as a child of `parent`, with argv `[name, argument]`
/// (`[name]` when `argument` is empty): `spawn`'s fast path.
pub fn spawn(name: &str, argument: &str, parent: Pid) -> Result<Pid, Errno> {
    let words = [name, argument];
    let arguments =
        Arguments::from_words(words[..if argument.is_empty() { 1 } else { 2 }].iter().copied())?;
    spawn_with(name, &arguments, parent)
}

/// Starts the program at `path` (`/bin/NAME` or `NAME`) as a child of `parent`, with
/// `arguments` as its argv and envp. The child's credentials are the parent's as `execve` of
/// the program would leave them (a `fork` then an `execve`).
pub fn spawn_with(path: &str, arguments: &Arguments, parent: Pid) -> Result<Pid, Errno> {
    let program = programs::lookup(path, true)?;
    // The child starts with the parent's credentials, seccomp mode and filters (shared), as a
    // `fork` child does.
    let (parent_credentials, seccomp) = {
        let table = TABLE.lock();
        let parent = table.processes.get(&parent).ok_or(Errno::ESRCH)?;
        (parent.credentials, parent.seccomp.clone())
    };
    let credentials = exec_credentials(&parent_credentials, program)?;
    if TABLE.lock().processes.len() >= MAX_PROCESSES {
        return Err(Errno::EAGAIN);
    }
    let image = build_image(program, arguments, &credentials)?;

    let kernel_stack = KernelStack::new()?;
    let frame_address = kernel_stack.top() - FRAME_SIZE as u32;
    // SAFETY: the frame slot is at the top of the new, unused kernel stack, mapped read-write
    // in the vmalloc area and aligned.
    unsafe { (frame_address as *mut TrapFrame).write(image.initial_frame()) };
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
        space: Some(image.space),
        regions: image.regions,
        death: None,
        lkdtm_survived: None,
        kill_pending: false,
        started: false,
        orphan: false,
        loopback: alloc::vec::Vec::new(),
        signals: super::signal_state::SignalState::new(group),
        credentials: credentials.0,
        seccomp,
    });
    table.processes.insert(pid, process);
    Ok(pid)
}

/// Replaces the running process's program with `program` (from `execve`): a new address
/// space with `arguments` on its stack, the credentials `execve` gives, the same pid, parent,
/// children and loopback. The old image stays untouched until the new one is complete, so a
/// failure returns with the caller as it was. On success the return to user mode (through
/// `frame`) enters the new program.
pub fn exec_current(
    frame: &mut TrapFrame,
    program: &'static Program,
    arguments: &Arguments,
) -> Result<(), Errno> {
    let old_credentials = with_current(|process| process.credentials);
    let credentials = exec_credentials(&old_credentials, program)?;
    let image = build_image(program, arguments, &credentials)?;
    *frame = image.initial_frame();
    let old_space = with_current(|process| {
        process.name = program.name;
        process.credentials = credentials.0;
        // Caught signals go back to their default; ignored ones, the mask and the group stay.
        process.signals.on_exec();
        process.regions = image.regions;
        let old_space = process.space.replace(image.space);
        let space = process.space.as_ref().expect("just installed");
        // SAFETY: the space stays in the table while it is active: it is the running
        // process's, dropped only on its exit or its next exec, after TTBR0 moved away.
        unsafe { space.activate() };
        super::table::note_running(process);
        old_space
    });
    // Freed outside the table lock, TTBR0 already on the new space: every frame of the old.
    drop(old_space);
    Ok(())
}

/// The credentials `execve` of `program` leaves, and AT_SECURE; EACCES when `credentials`
/// may not execute it, EPERM where the capability rules refuse the exec.
fn exec_credentials(
    credentials: &Credentials,
    program: &Program,
) -> Result<(Credentials, bool), Errno> {
    let file = program.file();
    if !credentials.may_execute(&file) {
        return Err(Errno::EACCES);
    }
    credentials.after_exec(&file, program.capabilities.as_ref())
}

/// A program loaded into a fresh address space, ready to enter.
struct Image {
    space: AddressSpace,
    regions: Regions,
    entry: u32,
    stack_pointer: u32,
}

impl Image {
    /// The user registers the program starts with: PC at its entry, SP at argc, r0-r12 zero.
    fn initial_frame(&self) -> TrapFrame {
        TrapFrame {
            pc: self.entry,
            spsr: psr::MODE_USR | psr::PSR_F,
            sp_usr: self.stack_pointer,
            ..TrapFrame::default()
        }
    }
}

/// Loads `program` into a new address space and lays `arguments` out on its stack, with the
/// auxiliary vector of `credentials` (the credentials and AT_SECURE).
fn build_image(
    program: &Program,
    arguments: &Arguments,
    credentials: &(Credentials, bool),
) -> Result<Image, Errno> {
    if heap::available() < SPAWN_HEAP_MARGIN {
        return Err(Errno::ENOMEM);
    }
    let name = program.name;
    let plan = loader::plan(program.image).map_err(|error| {
        log::warn!("exec {name}: {error}");
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
    let (credentials, secure) = credentials;
    let entries = [
        (auxv::AT_PAGESZ, PAGE),
        (auxv::AT_UID, credentials.uid.real),
        (auxv::AT_EUID, credentials.uid.effective),
        (auxv::AT_GID, credentials.gid.real),
        (auxv::AT_EGID, credentials.gid.effective),
        (auxv::AT_SECURE, u32::from(*secure)),
    ];
    let stack = arguments.stack_image(USER_STACK_TOP, &entries, &random_bytes())?;
    build_user_stack(&mut space, &stack.bytes)?;
    regions.insert(Region {
        start: USER_STACK_TOP - USER_STACK_PAGES * PAGE,
        end: USER_STACK_TOP,
        protection: protection::READ | protection::WRITE,
        kind: RegionKind::Stack,
    })?;
    Ok(Image { space, regions, entry: plan.entry, stack_pointer: stack.start })
}

/// 16 bytes for AT_RANDOM: the cycle counter and a running count, mixed (splitmix64). Not a
/// secret on this teaching kernel, only different from one program start to the next.
fn random_bytes() -> [u8; 16] {
    static STARTS: AtomicU32 = AtomicU32::new(0);
    let mut state = u64::from(crate::arch::pmu::cycles())
        ^ u64::from(STARTS.fetch_add(1, Ordering::Relaxed)) << 32;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    };
    let (low, high) = (next(), next());
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&low.to_le_bytes());
    bytes[8..].copy_from_slice(&high.to_le_bytes());
    bytes
}

/// Maps the user stack and writes `top_bytes` at its very top.
fn build_user_stack(space: &mut AddressSpace, top_bytes: &[u8]) -> Result<(), Errno> {
    if top_bytes.len() > (USER_STACK_PAGES * PAGE) as usize / 2 {
        return Err(Errno::E2BIG);
    }
    let attributes = loader::user_attributes(protection::READ | protection::WRITE);
    for index in 0..USER_STACK_PAGES {
        let page = USER_STACK_TOP - (index + 1) * PAGE;
        let frame = frames_allocate(1, PAGE)?;
        // The part of `top_bytes` that lands in this page, written while the frame is still
        // the kernel's: once mapped it leaves the linear map (`mm::ownership`).
        let start = USER_STACK_TOP - top_bytes.len() as u32;
        let (from, to) = (start.max(page), page + PAGE);
        if from < to {
            let source = &top_bytes[(from - start) as usize..(to - start) as usize];
            // SAFETY: `frame` was just allocated for this page, is the kernel's and mapped by
            // the linear map; `source` fits between `from` and the end of the page.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    source.as_ptr(),
                    linear(frame).add((from - page) as usize),
                    source.len(),
                )
            };
        }
        if let Err(error) = space.map_page(page, frame, attributes) {
            frames_free(frame, 1);
            return Err(error);
        }
    }
    Ok(())
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
    let (space, seccomp) = {
        let mut table = TABLE.lock();
        let process = table.processes.get_mut(&pid).expect("the running process is in the table");
        if process.kill_pending {
            KILLS_PENDING.fetch_sub(1, Ordering::Relaxed);
        }
        // Its filters go now (the last holder frees them), not when it is collected.
        let seccomp = core::mem::take(&mut process.seccomp);
        super::table::note_running_seccomp_dropped();
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
        (space, seccomp)
    };
    drop(seccomp);
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
        if !process.kill_pending && process.started {
            KILLS_PENDING.fetch_add(1, Ordering::Relaxed);
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
