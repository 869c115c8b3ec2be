//! The kernel's half of the benchmarks (`make bench`): what the uaccess window, the copy
//! routines and `clear_user` cost, in instructions, beside the kernel's own `memcpy`, and what the seccomp
//! interpreter costs per filter instruction.
//!
//! Every figure is counted by the cycle counter ([`pmu::cycles`]), which under QEMU's
//! `-icount shift=0` advances by exactly one per instruction: the numbers are the same from
//! run to run and from machine to machine. Each is the fewest instructions over a few runs,
//! less what the two counter reads between them cost, with IRQs masked so that no tick lands
//! inside. The user half ([`crate::jobs::bench`] runs the `bench` program) measures system
//! calls, a context switch and the boot.
//!
//! One line per figure, `bench: <metric> <instructions>`; a `pan=off` boot appends `_pan_off`
//! to the copy metrics (the window instructions still run there, writing a DACR that changes
//! nothing). The ownership figures ([`xpfo`]) are printed by the `pan=on` boots, with
//! `_xpfo_off` appended in an `xpfo=off` boot; those ending in `_tlbi` count TLB
//! invalidations, not instructions.

use crate::arch::exception;
use crate::arch::{cpu, pmu};
use crate::mm::address_space::{self, AddressSpace};
use crate::mm::descriptor::{AccessPermissions, Attributes};
use crate::mm::{frames_allocate, frames_free, ownership};
use crate::println;
use crate::process;
use crate::uaccess::window::UserAccessWindow;
use crate::uaccess::{UserPtr, clear_user, copy_from_user, copy_to_user, get_user, put_user};
use alloc::vec;
use core::hint::black_box;

unsafe extern "C" {
    /// The DACR compares of a system call's entry and return (`arch/vectors.s`).
    fn dacr_checks_of_a_system_call();
}

/// The console's write path: (user buffer, count, output for each chunk) to the bytes written.
pub type ConsoleWritePath = fn(UserPtr<u8>, u32, fn(&[u8])) -> Result<u32, crate::errno::Errno>;

/// The copy sizes measured, in bytes.
pub const COPY_SIZES: [usize; 4] = [8, 64, 4096, 65536];

/// Where the benchmark's user pages are mapped, and how many.
const USER_BUFFER: u32 = 0x0050_0000;
const USER_PAGES: u32 = 16;

/// How many times each measurement runs; the fewest instructions count.
const RUNS: usize = 4;

/// Instructions `operation` takes: the fewest over [`RUNS`] runs, with IRQs masked, less
/// what the same measurement of an empty operation counts. Both go through
/// [`one_measurement`], so the counter reads, the call and the return cancel out exactly and
/// the compiler cannot move bookkeeping into the measured stretch.
fn instructions(operation: &mut dyn FnMut()) -> u32 {
    let irqs = cpu::mask_irqs();
    let mut empty = u32::MAX;
    let mut fewest = u32::MAX;
    for _ in 0..RUNS {
        empty = empty.min(one_measurement(&mut || {}));
        fewest = fewest.min(one_measurement(operation));
    }
    cpu::restore_irqs(irqs);
    fewest.saturating_sub(empty)
}

/// The counter before and after one call of `operation`.
#[inline(never)]
fn one_measurement(operation: &mut dyn FnMut()) -> u32 {
    let start = pmu::cycles();
    operation();
    pmu::cycles().wrapping_sub(start)
}

/// A user address space with [`USER_PAGES`] read-write pages at [`USER_BUFFER`], active
/// while it lives.
struct BenchPages {
    space: AddressSpace,
    frames: [u32; USER_PAGES as usize],
}

impl BenchPages {
    fn new() -> Result<BenchPages, crate::errno::Errno> {
        let mut space = AddressSpace::new()?;
        let mut frames = [0; USER_PAGES as usize];
        let attributes = Attributes::user(AccessPermissions::ReadWrite, true);
        for (index, frame) in frames.iter_mut().enumerate() {
            *frame = frames_allocate(1, 4096)?;
            space.map_page(USER_BUFFER + index as u32 * 4096, *frame, attributes)?;
        }
        // SAFETY: the space lives in `BenchPages`, which deactivates it on drop before the
        // space goes.
        unsafe { space.activate() };
        Ok(BenchPages { space, frames })
    }
}

impl Drop for BenchPages {
    fn drop(&mut self) {
        address_space::deactivate();
        for (index, frame) in self.frames.iter().enumerate() {
            if self.space.unmap_page(USER_BUFFER + index as u32 * 4096).is_some() {
                frames_free(*frame, 1);
            }
        }
    }
}

fn report(metric: &str, instructions: u32) {
    let suffix = if exception::pan_enabled() { "" } else { "_pan_off" };
    println!("bench: {metric}{suffix} {instructions}");
}

/// Runs the kernel-side benchmarks and prints their lines. Returns false when one could not
/// run (no memory for its pages, or a copy that failed when checked before it was counted).
///
/// The measured closures take their arguments as values the compiler cannot see through
/// (`black_box` before the closure is made), so that nothing is folded away; each figure
/// therefore includes loading those arguments (one to three instructions).
///
/// `console_write_path` is the console's write path (`syscall::write_through_console_buffer`,
/// passed in by the bench job from the layer above): measured with an output that discards,
/// it is the console's cost of a 4 KiB write without the UART (`console_write_path_4096`).
pub fn run(console_write_path: ConsoleWritePath) -> bool {
    let pages = match BenchPages::new() {
        Ok(pages) => pages,
        Err(errno) => {
            println!("bench: no user pages for the copies: {errno}");
            return false;
        }
    };
    let user = black_box(UserPtr::<u8>::new(USER_BUFFER));
    let word = black_box(UserPtr::<u32>::new(USER_BUFFER));
    let pan = exception::pan_enabled();
    let mut kernel = vec![0x11u8; USER_PAGES as usize * 4096];
    let mut other = vec![0x22u8; USER_PAGES as usize * 4096];
    // Every measured call succeeds: checked once, outside the counts.
    let works = get_user(word).is_ok()
        && put_user(word, 0x5A5A_5A5A).is_ok()
        && clear_user(user, kernel.len()).is_ok()
        && copy_from_user(&mut kernel, user).is_ok()
        && copy_to_user(user, &kernel).is_ok();
    if !works {
        println!("bench: a user access failed on the benchmark's own pages");
        return false;
    }

    if pan {
        report(
            "window_open_close",
            instructions(&mut || {
                // SAFETY: nothing happens inside the window.
                let window = unsafe { UserAccessWindow::open() };
                drop(window);
            }),
        );
        report(
            "get_user",
            instructions(&mut move || {
                let _ = get_user(word);
            }),
        );
        report(
            "put_user",
            instructions(&mut move || {
                let _ = put_user(word, 0x5A5A_5A5A);
            }),
        );
    }

    for size in COPY_SIZES {
        let destination = black_box(&mut kernel[..size]);
        let from = instructions(&mut || {
            let _ = copy_from_user(destination, user);
        });
        report(&alloc::format!("copy_from_user_{size}"), from);
        let source = black_box(&kernel[..size]);
        let to = instructions(&mut move || {
            let _ = copy_to_user(user, source);
        });
        report(&alloc::format!("copy_to_user_{size}"), to);
        let length = black_box(size);
        let cleared = instructions(&mut move || {
            let _ = clear_user(user, length);
        });
        report(&alloc::format!("clear_user_{size}"), cleared);
        if pan {
            let (source, destination) = (black_box(kernel.as_ptr()), black_box(other.as_mut_ptr()));
            let size = black_box(size);
            let copied = instructions(&mut move || {
                // SAFETY: two distinct live buffers of at least `size` bytes.
                unsafe { core::ptr::copy_nonoverlapping(source, destination, size) };
            });
            report(&alloc::format!("memcpy_{size}"), copied);
        }
    }

    if pan {
        let discard: fn(&[u8]) = |bytes| {
            black_box(bytes);
        };
        let count = black_box(4096);
        report(
            "console_write_path_4096",
            instructions(&mut move || {
                let _ = console_write_path(user, count, discard);
            }),
        );
        // What the DACR invariants add to every system call: the entry and the return check,
        // the two compares of `arch/vectors.s` on their own (a call and a return beyond an
        // empty measurement, which calls too).
        report(
            "invariant_checks",
            instructions(&mut || {
                // SAFETY: reads the DACR and compares it twice; writes nothing.
                unsafe { dacr_checks_of_a_system_call() }
            }),
        );
    }
    drop(pages);
    if pan {
        seccomp_interpreter();
        smp_primitives();
        return xpfo();
    }
    true
}

/// What the multi-CPU kernel's own primitives cost, in instructions: an uncontended round trip
/// of the IRQ-safe lock (IRQs masked, LDREX/STREX taken, the holder noted, all undone), and the
/// broadcast invalidation of one page's TLB entries (TLBIMVAIS between `dsb ish` and
/// `dsb ish; isb`). Under `-icount` QEMU runs the CPUs in turn, so the figures count the
/// instructions this CPU executes, never the time another CPU takes to answer a broadcast or
/// to release a lock.
fn smp_primitives() {
    let lock = crate::sync::IrqSafeLock::new(0u32);
    let lock = black_box(&lock);
    report(
        "lock_round_trip",
        instructions(&mut move || {
            *lock.lock() += 1;
        }),
    );
    let page = black_box(USER_BUFFER);
    report(
        "tlb_shootdown_page",
        instructions(&mut move || crate::arch::mmu::invalidate_tlb_page(page, 1)),
    );
}

/// Straight-line instructions in each long filter [`seccomp_interpreter`] runs.
pub const SECCOMP_RUN_LENGTH: usize = 1024;

/// What the seccomp interpreter costs per filter instruction it executes: a filter of RET
/// alone, then filters of [`SECCOMP_RUN_LENGTH`] ALU operations (ADD K), loads from
/// `seccomp_data` (LD W ABS) or conditional jumps (JEQ K, both ways to the next instruction)
/// before the RET, each run over a getpid call's `seccomp_data`. The per-instruction cost is
/// (long - RET alone) / 1024, computed by the report.
fn seccomp_interpreter() {
    use crate::seccomp::program::{Program, words_of};
    use swpan_abi::seccomp::{AUDIT_ARCH_ARM, RET_ALLOW, SeccompData, SockFilter, bpf};
    let words = black_box(words_of(&SeccompData {
        nr: 20,
        arch: AUDIT_ARCH_ARM,
        ..SeccompData::default()
    }));
    let words = &words;
    let ret = SockFilter::statement(bpf::RET | bpf::K, RET_ALLOW);
    let kinds = [
        ("return", None),
        ("alu", Some(SockFilter::statement(bpf::ALU | bpf::ADD | bpf::K, 3))),
        ("load", Some(SockFilter::statement(bpf::LD | bpf::W | bpf::ABS, 0))),
        ("jump", Some(SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, 20, 0, 0))),
    ];
    for (name, body) in kinds {
        let mut filter = vec![ret; 1];
        if let Some(body) = body {
            filter = vec![body; SECCOMP_RUN_LENGTH];
            filter.push(ret);
        }
        let Ok(program) = Program::new(&filter) else {
            println!("bench: the {name} filter was refused");
            continue;
        };
        let program = black_box(&program);
        let count = instructions(&mut || {
            black_box(program.run(words));
        });
        report(&alloc::format!("seccomp_filter_{name}"), count);
    }
}

fn report_xpfo(metric: &str, value: u32) {
    let suffix = if ownership::enabled() { "" } else { "_xpfo_off" };
    println!("bench: {metric}{suffix} {value}");
}

/// What exclusive page-frame ownership costs: a user page mapped and unmapped (a fresh frame
/// given to a space and taken back, as `mmap` and `munmap` do it, zeroing included), in
/// instructions, and the TLB invalidations of that, of 64 KiB, and of a whole `/bin/true`
/// spawned and collected. Returns false when a figure could not be taken.
fn xpfo() -> bool {
    const ADDRESS: u32 = USER_BUFFER;
    let Ok(mut space) = AddressSpace::new() else {
        println!("bench: no address space for the ownership figures");
        return false;
    };
    let attributes = Attributes::user(AccessPermissions::ReadWrite, true);
    // The L2 table is made once, outside the count, as a process's first page makes it.
    let mut failed = false;
    let mut map_unmap = |space: &mut AddressSpace, pages: u32| {
        for index in 0..pages {
            let frame = match frames_allocate(1, 4096) {
                Ok(frame) => frame,
                Err(_) => {
                    failed = true;
                    return;
                }
            };
            if space.map_page(ADDRESS + index * 4096, frame, attributes).is_err() {
                frames_free(frame, 1);
                failed = true;
                return;
            }
        }
        for index in 0..pages {
            if let Some(frame) = space.unmap_page(ADDRESS + index * 4096) {
                frames_free(frame, 1);
            }
        }
    };
    map_unmap(&mut space, 1);
    let space = &mut space;
    let one_page = instructions(&mut || map_unmap(space, 1));
    let before = ownership::invalidations();
    map_unmap(space, 1);
    let one_page_tlbi = ownership::invalidations() - before;
    let before = ownership::invalidations();
    map_unmap(space, 16);
    let sixteen_pages_tlbi = ownership::invalidations() - before;
    if failed {
        println!("bench: no frames for the ownership figures");
        return false;
    }
    report_xpfo("map_unmap_user_page", one_page);
    report_xpfo("map_unmap_user_page_tlbi", one_page_tlbi);
    report_xpfo("map_unmap_65536_tlbi", sixteen_pages_tlbi);

    let before = (ownership::invalidations(), ownership::frames_given());
    let spawned =
        process::spawn("true", "", process::KERNEL_PID).and_then(|pid| process::wait(Some(pid)));
    if !matches!(spawned, Ok(ref reaped) if reaped.death == process::Death::Exited(0)) {
        println!("bench: /bin/true did not run for the ownership figures");
        return false;
    }
    report_xpfo("spawn_true_tlbi", ownership::invalidations() - before.0);
    report_xpfo("spawn_true_frames", ownership::frames_given() - before.1);
    true
}
