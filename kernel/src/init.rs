//! `kernel_main`: what the kernel does between `_start` and power-off.

use crate::arch::psr::Psr;
use crate::arch::{exception, mmu};
use crate::cmdline::{self, Job, LogLevel};
use crate::mm::{self, Protections};
use crate::power::{self, ExitStatus};
use crate::{console, interrupts, jobs, klog, lkdtm, println, process, selftest, smp, uaccess};
use aarch32_cpu::register::{Midr, SysRegRead};
use core::fmt;

/// The Rust entry point, called by `_start` (boot.s) with the CPSR QEMU entered with.
#[unsafe(no_mangle)]
pub extern "C" fn kernel_main(entry_cpsr: u32) -> ! {
    console::init();
    let line =
        cmdline::command_line().unwrap_or_else(|message| usage_error(format_args!("{message}")));
    let command_line =
        cmdline::parse(line).unwrap_or_else(|error| usage_error(format_args!("{error}")));
    let protections =
        Protections { pan: command_line.pan, pxn: command_line.pxn, xpfo: command_line.xpfo };
    // SAFETY: boot, once, interrupts masked; nothing has used a virtual device address yet
    // (the console switches to its virtual address when the MMU reports itself on).
    unsafe { mm::init(protections) };
    // SAFETY: the vector page is mapped now, and mm::init set the DACR for `pan`.
    unsafe { exception::install(protections.pan) };
    uaccess::extable::init();
    console::init_logger(log_filter(command_line.log_level));
    klog::init(command_line.dmesg_restrict, command_line.kptr_restrict);
    print_banner(Psr(entry_cpsr), line);
    print_protections(protections);
    if command_line.vulnerable_ops {
        lkdtm::vulnerable_ops::enable();
    }
    process::init();
    process::prepare_idle_loop_on_boot_cpu().expect("the boot CPU's idle stack");
    lkdtm::init(command_line.test_hook);
    selftest::init();
    // Init ends here: what was written for good becomes read-only.
    mm::ro_after_init::seal();
    interrupts::init();
    smp::bring_up(command_line.max_cpus);
    jobs::test_hooks::run(command_line.test_hook);

    match command_line.job {
        Job::Tour => jobs::tour::run(protections),
        Job::SelfTest => selftest::run(command_line.test_hook),
        Job::Shell => jobs::shell::run(),
        Job::Lkdtm(names) => jobs::lkdtm::run(names),
        Job::Init(program) => jobs::init_program::run(program, command_line.init_arguments()),
        Job::Bench(mode) => jobs::bench::run(mode),
        Job::Fuzz { seed, count } => jobs::fuzz::run(seed, count),
    }
}

fn print_banner(entry: Psr, line: &str) {
    println!("swpan {}: emulated PAN and PXN through the ARM DACR", env!("CARGO_PKG_VERSION"));
    let midr = <Midr as SysRegRead>::read_raw();
    let part = match (midr >> 24, (midr >> 4) & 0xFFF) {
        (0x41, 0xC0F) => "ARM Cortex-A15",
        (0x41, 0xC07) => "ARM Cortex-A7",
        _ => "unknown CPU",
    };
    println!(
        "CPU: {part} r{}p{} (MIDR {midr:08x}), entered in {}",
        (midr >> 20) & 0xF,
        midr & 0xF,
        entry.mode_name()
    );
    println!("Command line: {line}");
}

fn print_protections(requested: Protections) {
    let id_mmfr0 = mmu::read_id_mmfr0();
    let pxn_supported = mmu::pxn_supported();
    println!(
        "MMU: on, ID_MMFR0 {id_mmfr0:08x} (VMSA {}{}), TTBR0 = user half, TTBR1 = kernel half",
        id_mmfr0 & 0xF,
        if pxn_supported { ", PXN supported" } else { ", no PXN" }
    );
    if requested.pan {
        println!(
            "PAN: on (emulated): DACR {:#04x} in kernel mode, the user domain opens only inside uaccess",
            mmu::read_dacr()
        );
    } else {
        println!(
            "PAN: off: DACR {:#04x}, the user domain is Client in kernel mode too",
            mmu::read_dacr()
        );
    }
    match (requested.pxn, pxn_supported) {
        (true, true) => println!("PXN: on (hardware): PXNTABLE in every user page-table entry"),
        (true, false) => println!("PXN: requested, but this CPU has no PXN"),
        (false, _) => println!("PXN: off"),
    }
}

fn log_filter(level: LogLevel) -> log::LevelFilter {
    match level {
        LogLevel::Error => log::LevelFilter::Error,
        LogLevel::Warn => log::LevelFilter::Warn,
        LogLevel::Info => log::LevelFilter::Info,
        LogLevel::Debug => log::LevelFilter::Debug,
    }
}

/// Prints why the command line was refused and the keys it accepts; powers off with 2.
fn usage_error(why: fmt::Arguments<'_>) -> ! {
    println!("swpan: bad command line: {why}");
    println!("valid keys:");
    const COLUMN: usize = 32;
    for info in cmdline::KEYS {
        let syntax_length = info.key.len() + info.value.len();
        if syntax_length < COLUMN {
            let padding = COLUMN - syntax_length;
            println!("  {}{}{:padding$}{}", info.key, info.value, "", info.help);
        } else {
            println!("  {}{}\n  {:COLUMN$}{}", info.key, info.value, "", info.help);
        }
    }
    power::poweroff(ExitStatus::Usage)
}
