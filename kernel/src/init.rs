//! `kernel_main`: what the kernel does between `_start` and power-off.

use crate::arch::psr::Psr;
use crate::arch::{exception, mmu};
use crate::cmdline::{self, CommandLine, Job, LogLevel, TestHook};
use crate::mm::{self, Protections};
use crate::power::{self, ExitStatus};
use crate::{console, interrupts, jobs, lkdtm, println, process, selftest, uaccess};
use aarch32_cpu::register::{Midr, SysRegRead};
use core::fmt;

/// The Rust entry point, called by `_start` (boot.s) with the CPSR QEMU entered with.
#[unsafe(no_mangle)]
pub extern "C" fn kernel_main(entry_cpsr: u32) -> ! {
    console::init();
    let line =
        power::command_line().unwrap_or_else(|message| usage_error(format_args!("{message}")));
    let command_line =
        cmdline::parse(line).unwrap_or_else(|error| usage_error(format_args!("{error}")));
    let protections = Protections { pan: command_line.pan, pxn: command_line.pxn };
    // SAFETY: boot, once, interrupts masked; nothing has used a virtual device address yet
    // (the console switches to its virtual address when the MMU reports itself on).
    unsafe { mm::init(protections) };
    // SAFETY: the vector page is mapped now, and mm::init set the DACR for `pan`.
    unsafe { exception::install(protections.pan) };
    uaccess::extable::init();
    console::init_logger(log_filter(command_line.log_level));
    print_banner(Psr(entry_cpsr), line);
    print_protections(protections);
    process::init();
    lkdtm::init();
    selftest::init();
    // Init ends here: what was written for good becomes read-only.
    mm::ro_after_init::seal();
    interrupts::init();
    run_test_hook(&command_line);

    match command_line.job {
        Job::Tour => jobs::tour::run(protections),
        Job::SelfTest => selftest::run(command_line.test_hook),
        Job::Shell => jobs::shell::run(),
        Job::Lkdtm(names) => jobs::lkdtm::run(names),
        Job::Init(program) => jobs::init::run(program),
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

/// The failure paths the integration tests provoke on purpose.
fn run_test_hook(command_line: &CommandLine) {
    match command_line.test_hook {
        Some(TestHook::Panic) => panic!("test=panic: a panic on purpose"),
        Some(TestHook::NestedPanic) => panic!("test=nested-panic: {}", PanicsWhenPrinted),
        Some(TestHook::UndefinedInstruction) => {
            // SAFETY: raises an undefined-instruction exception that nobody expects: the
            // handler reports it and powers off, which is what this hook is for.
            unsafe { core::arch::asm!("udf #0x42") }
        }
        Some(TestHook::Hang) => crate::arch::cpu::halt(),
        Some(TestHook::Oops) => read_user_memory_outside_a_window(),
        Some(TestHook::FailingSelfTest) | None => {}
    }
}

/// A value whose `Display` panics: panicking while the panic handler prints it.
struct PanicsWhenPrinted;

impl fmt::Display for PanicsWhenPrinted {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("a second panic while printing the first")
    }
}

/// `test=oops`: maps a user page and reads it from kernel mode without a window, as a kernel
/// bug that follows a user pointer would. With PAN on this is a domain fault and an oops.
fn read_user_memory_outside_a_window() {
    use crate::mm::address_space::AddressSpace;
    use crate::mm::descriptor::{AccessPermissions, Attributes};
    const USER_PAGE: u32 = 0x0040_0000;
    let mut space = AddressSpace::new().expect("an address space for the oops");
    let frame = mm::frames_allocate(1, 4096).expect("a frame for the oops");
    space
        .map_page(USER_PAGE, frame, Attributes::user(AccessPermissions::ReadWrite, false))
        .expect("mapping the user page");
    // SAFETY: `space` stays alive until after the read below and is deactivated on drop.
    unsafe { space.activate() };
    // SAFETY: not sound on purpose: the kernel dereferences a user address outside any
    // window. With PAN on the CPU stops it with a domain fault and the kernel oopses.
    let value = unsafe { core::ptr::read_volatile(USER_PAGE as *const u32) };
    println!("swpan: read {value:#x} from user memory: PAN did not stop it");
}
