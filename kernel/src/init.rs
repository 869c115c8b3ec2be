//! `kernel_main`: what the kernel does between `_start` and power-off.

use crate::arch::psr::Psr;
use crate::cmdline::{self, CommandLine, Job, LogLevel, TestHook};
use crate::power::{self, ExitStatus};
use crate::{console, println, selftest};
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
    console::init_logger(log_filter(command_line.log_level));
    print_banner(Psr(entry_cpsr), line);
    run_test_hook(&command_line);

    match command_line.job {
        Job::Boot => {
            println!("swpan: boot complete; nothing else to do (try the `selftest` key)");
            power::poweroff(ExitStatus::Success)
        }
        Job::SelfTest => selftest::run(command_line.test_hook),
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
