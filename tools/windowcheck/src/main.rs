//! `windowcheck [--verbose] KERNEL_ELF`: prints every violation of the window rules, then one
//! summary line. Exit status 0 with no violation, 1 with violations, 2 when the kernel cannot
//! be read.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

/// The exit status when violations were found.
const VIOLATIONS_STATUS: u8 = 1;
/// The exit status of a bad command line or an unreadable kernel.
const USAGE_STATUS: u8 = 2;

fn main() -> ExitCode {
    let mut verbose = false;
    let mut paths: Vec<OsString> = Vec::new();
    for argument in std::env::args_os().skip(1) {
        match argument.to_str() {
            Some("--verbose" | "-v") => verbose = true,
            Some("--help" | "-h") => {
                println!("usage: windowcheck [--verbose] KERNEL_ELF");
                println!("Proves that every DACR user-access window in the kernel is safe.");
                return ExitCode::SUCCESS;
            }
            Some(option) if option.starts_with('-') => {
                return usage(&format!("unknown option {option}"));
            }
            _ => paths.push(argument),
        }
    }
    let [path] = paths.as_slice() else { return usage("expected exactly one kernel ELF") };
    let path = PathBuf::from(path);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => return failure(&format!("cannot read {}: {error}", path.display())),
    };
    let report = match windowcheck::check_elf(&bytes) {
        Ok(report) => report,
        Err(error) => return failure(&format!("{}: {error}", path.display())),
    };
    if verbose {
        for window in &report.windows {
            println!("windowcheck: {window}");
        }
        for (address, location) in &report.dacr_choices {
            println!(
                "windowcheck: {address:#010x} {location}: pan on/off choice of the kernel DACR"
            );
        }
        for finding in &report.exempt.findings {
            println!("windowcheck: exempt {finding}");
        }
    }
    for violation in &report.violations {
        println!("windowcheck: {violation}");
    }
    println!("{}", report.exempt_summary());
    println!("{}", report.summary());
    if report.violations.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(VIOLATIONS_STATUS) }
}

/// Reports a bad command line.
fn usage(message: &str) -> ExitCode {
    eprintln!("windowcheck: {message}");
    eprintln!("usage: windowcheck [--verbose] KERNEL_ELF");
    ExitCode::from(USAGE_STATUS)
}

/// Reports a kernel that cannot be read or analysed.
fn failure(message: &str) -> ExitCode {
    eprintln!("windowcheck: {message}");
    ExitCode::from(USAGE_STATUS)
}
