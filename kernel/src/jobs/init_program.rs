//! `init=PROGRAM [-- ARG...]`: runs one embedded user program (`/bin/PROGRAM`, or the bare
//! name) as the first process, with argv `[PROGRAM, ARG...]` as Linux's `init=` does, and
//! powers off with its verdict:
//!
//! ```text
//! init: usertest exited with status 0
//! init: usertest killed by signal 11 (SIGSEGV)
//! ```
//!
//! Exit status 0 when the program exited with 0, 1 when it exited with anything else or was
//! killed, 2 for a program that does not exist (the valid names are listed).

use crate::power::{self, ExitStatus};
use crate::println;
use crate::process::arguments::Arguments;
use crate::process::{self, Death, KERNEL_PID, programs};
use swpan_abi::signal;

/// The `init=` job: `name` with `arguments` (argv[1] on).
pub fn run<'a>(name: &'a str, arguments: impl Iterator<Item = &'a str>) -> ! {
    if programs::lookup(name, true).err() == Some(crate::errno::Errno::ENOENT) {
        crate::print!("init: no program '{name}'; the programs are:");
        for program in programs::PROGRAMS {
            crate::print!(" {}", program.name);
        }
        println!();
        power::poweroff(ExitStatus::Usage)
    }
    let started = Arguments::from_words(core::iter::once(name).chain(arguments))
        .and_then(|argv| process::spawn_with(name, &argv, KERNEL_PID));
    let reaped = match started.and_then(|pid| process::wait(Some(pid))) {
        Ok(reaped) => reaped,
        Err(errno) => {
            println!("init: could not run {name}: {errno}");
            power::poweroff(ExitStatus::Fatal)
        }
    };
    match reaped.death {
        Death::Exited(status) => {
            println!("init: {} exited with status {status}", reaped.name);
            power::poweroff(if status == 0 { ExitStatus::Success } else { ExitStatus::Failure })
        }
        Death::Killed { signal, .. } => {
            println!("init: {} killed by signal {signal} ({})", reaped.name, signal::name(signal));
            power::poweroff(ExitStatus::Failure)
        }
    }
}
