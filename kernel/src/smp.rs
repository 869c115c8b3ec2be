//! The other CPUs: waking them at boot, and what each found in its own registers.
//!
//! QEMU starts every CPU of an `-smp` board at `_start`; all but CPU 0 park there
//! (`arch/boot.s`). [`bring_up`] wakes as many as `maxcpus=` allows with the board's protocol:
//! the entry address in SYS_FLAGS, then a software-generated interrupt. Each woken CPU runs
//! `secondary_start` (its own stacks, boot vectors, and its number in TPIDRPRW for its per-CPU
//! data) and [`secondary_main`]: it turns its own MMU on with the kernel's shared tables and
//! its own DACR (the kernel-mode value, window closed), moves its own VBAR to the vector page,
//! enables its own GIC CPU interface and tick, records what its registers hold, and enters the
//! scheduler's idle loop: from then on it runs processes like CPU 0. The DACR being a per-CPU
//! register is the point: a window one CPU opens is invisible to every other.
//!
//! The CPUs share the kernel's tables, each through its own TLB: every TLB invalidation after
//! a table change is the Inner Shareable form, which reaches every CPU, and [`read_on`] (a
//! read on another CPU, faults reported rather than taken) lets a test check it.

use crate::arch::cpu;
use crate::arch::exception;
use crate::arch::mmu;
use crate::arch::percpu::{self, MAX_CPUS};
use crate::arch::probe;
use crate::memory_map::{SYS_FLAGS_OFFSET, SYS_FLAGSCLR_OFFSET, SYSTEM_REGISTERS};
use crate::{interrupts, mm, println, process};
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

const _: () = assert!(crate::cmdline::MAX_CPUS as usize == MAX_CPUS);

/// What one CPU recorded of itself as it came up.
pub struct CpuState {
    number: u32,
    online: AtomicBool,
    dacr: AtomicU32,
    sctlr: AtomicU32,
    vbar: AtomicU32,
    ttbr1: AtomicU32,
    tpidrprw: AtomicU32,
}

/// What a CPU's own registers held once it was online, as that CPU read them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registers {
    /// DACR.
    pub dacr: u32,
    /// SCTLR.
    pub sctlr: u32,
    /// VBAR.
    pub vbar: u32,
    /// TTBR1 (the kernel half's table and its walk attributes).
    pub ttbr1: u32,
    /// TPIDRPRW (the CPU's number: the index of its per-CPU data).
    pub tpidrprw: u32,
}

impl CpuState {
    const fn new(number: u32) -> CpuState {
        CpuState {
            number,
            online: AtomicBool::new(false),
            dacr: AtomicU32::new(0),
            sctlr: AtomicU32::new(0),
            vbar: AtomicU32::new(0),
            ttbr1: AtomicU32::new(0),
            tpidrprw: AtomicU32::new(0),
        }
    }

    /// The CPU's number (MPIDR.Aff0).
    pub fn number(&self) -> u32 {
        self.number
    }

    /// True once the CPU has finished coming up.
    pub fn online(&self) -> bool {
        self.online.load(Ordering::Acquire)
    }

    /// What the CPU's registers held when it came online, as it read them itself.
    pub fn registers(&self) -> Registers {
        Registers {
            dacr: self.dacr.load(Ordering::Relaxed),
            sctlr: self.sctlr.load(Ordering::Relaxed),
            vbar: self.vbar.load(Ordering::Relaxed),
            ttbr1: self.ttbr1.load(Ordering::Relaxed),
            tpidrprw: self.tpidrprw.load(Ordering::Relaxed),
        }
    }

    /// Called on the CPU itself: records the registers, and declares the CPU online (Release:
    /// the records are visible to whoever sees it online).
    fn come_online(&'static self) {
        self.dacr.store(mmu::read_dacr(), Ordering::Relaxed);
        self.sctlr.store(mmu::read_sctlr(), Ordering::Relaxed);
        self.vbar.store(mmu::read_vbar(), Ordering::Relaxed);
        self.ttbr1.store(mmu::read_ttbr1(), Ordering::Relaxed);
        self.tpidrprw.store(cpu::read_tpidrprw(), Ordering::Relaxed);
        self.online.store(true, Ordering::Release);
    }
}

static CPUS: [CpuState; MAX_CPUS] =
    [CpuState::new(0), CpuState::new(1), CpuState::new(2), CpuState::new(3)];

/// Every CPU slot, online or not, CPU 0 first.
pub fn cpus() -> &'static [CpuState] {
    &CPUS
}

/// This CPU's record, through its number in TPIDRPRW.
pub fn this_cpu() -> &'static CpuState {
    &CPUS[percpu::this_cpu() as usize % MAX_CPUS]
}

/// How many CPUs are online.
pub fn online_cpus() -> u32 {
    CPUS.iter().filter(|state| state.online()).count() as u32
}

unsafe extern "C" {
    /// The woken CPUs' entry (arch/boot.s).
    fn secondary_start() -> !;
}

/// Brings CPU 0 and up to `max_cpus - 1` other CPUs of the board online, waits (at most a
/// second) for them, and prints how many came. Call on CPU 0, once, after the MMU, the vectors
/// and the GIC distributor are set up.
pub fn bring_up(max_cpus: u8) -> u32 {
    CPUS[0].come_online();
    let present = cpu::cluster_cpus();
    let wanted = present.min(max_cpus as u32);
    if wanted > 1 {
        // The kernel runs at its physical address: the entry's address is the one a CPU with
        // its MMU off branches to.
        let entry = secondary_start as *const () as usize as u32;
        let flags = (SYSTEM_REGISTERS + SYS_FLAGS_OFFSET) as *mut u32;
        let flags_clear = (SYSTEM_REGISTERS + SYS_FLAGSCLR_OFFSET) as *mut u32;
        // SAFETY: SYS_FLAGS and SYS_FLAGSCLR are registers of the board's system register
        // block, mapped (Device) at SYSTEM_REGISTERS; they hold no memory of the kernel's, and
        // only the parked CPUs read them.
        unsafe {
            core::ptr::write_volatile(flags_clear, u32::MAX);
            core::ptr::write_volatile(flags, entry);
        }
        cpu::dsb();
        let targets = (((1u32 << wanted) - 1) & !1) as u8;
        interrupts::wake_cpus(targets);
        let (start, frequency) = cpu::physical_count();
        while CPUS[1..wanted as usize].iter().any(|state| !state.online())
            && cpu::physical_count().0 - start < frequency as u64
        {
            cpu::wait_for_event();
        }
    }
    let online = online_cpus();
    if present > 1 {
        println!("smp: {online} CPU{} online", if online == 1 { "" } else { "s" });
        for state in CPUS.iter().filter(|state| state.online()) {
            let registers = state.registers();
            log::debug!(
                "smp: CPU {}: DACR {:#04x}, SCTLR {:#010x}, VBAR {:#010x}, TTBR1 {:#010x}, TPIDRPRW {:#010x}",
                state.number,
                registers.dacr,
                registers.sctlr,
                registers.vbar,
                registers.ttbr1,
                registers.tpidrprw
            );
        }
    }
    online
}

/// A woken CPU's Rust entry, from `secondary_start` (arch/boot.s) with its number, on its own
/// SVC stack, MMU off, interrupts masked. Never returns: the CPU runs the scheduler's idle loop.
#[unsafe(no_mangle)]
pub extern "C" fn secondary_main(number: u32) -> ! {
    let Some(state) = CPUS.get(number as usize).filter(|_| number != 0) else { cpu::halt() };
    // SAFETY: CPU 0 built the kernel tables and installed the vectors before waking this
    // CPU (bring_up); interrupts are masked; the DACR is the kernel-mode value the installed
    // vectors expect.
    unsafe {
        mm::kernel_map::enable_on_this_cpu(exception::pan_enabled());
        exception::install_on_this_cpu();
    }
    interrupts::init_this_cpu();
    state.come_online();
    cpu::send_event();
    process::idle_loop()
}

/// Has CPU `number` (not this one, online) read the word at `address` through its own MMU and
/// TLB: `Some(Ok(value))`, `Some(Err(DFSR))` if the load faulted there, `None` if that CPU is
/// not online or did not answer within a second. For tests of what one CPU sees of another's
/// changes to the shared kernel tables.
///
/// # Safety
///
/// `address` must be a word-aligned kernel address whose read has no side effect.
pub unsafe fn read_on(number: usize, address: u32) -> Option<Result<u32, u32>> {
    let state = CPUS.get(number).filter(|state| state.online())?;
    if state.number == percpu::this_cpu() {
        return None;
    }
    let (value, dfsr) = interrupts::call_on(state.number, probe_read, address)?;
    Some(if dfsr == 0 { Ok(value) } else { Err(dfsr) })
}

/// Reads the word at `address` with the probe: the value and 0, or 0 and the DFSR of the fault.
/// Runs in an interrupt handler ([`interrupts::call_on`]), IRQs masked.
fn probe_read(address: u32) -> (u32, u32) {
    // SAFETY: `read_on`'s caller vouched for the address (a word-aligned kernel address with no
    // side effect); IRQs are masked in the interrupt handler, as the probe requires.
    match unsafe { probe::read(address) } {
        Ok(value) => (value, 0),
        Err(dfsr) => (0, dfsr),
    }
}
