//! `init=PROGRAM`: runs one embedded user program as the first process, as Linux's `init=`
//! does, and powers off with its verdict:
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
use crate::process::{self, Death, KERNEL_PID, programs};
use swpan_abi::signal;

/// The `init=` job.
pub fn run(name: &str) -> ! {
    if programs::find(name).is_none() {
        crate::print!("init: no program '{name}'; the programs are:");
        for program in programs::PROGRAMS {
            crate::print!(" {}", program.name);
        }
        println!();
        power::poweroff(ExitStatus::Usage)
    }
    let reaped = match process::spawn(name, "", KERNEL_PID).and_then(|pid| process::wait(Some(pid)))
    {
        Ok(reaped) => reaped,
        Err(errno) => {
            println!("init: could not run {name}: {errno}");
            power::poweroff(ExitStatus::Fatal)
        }
    };
    match reaped.death {
        Death::Exited(status) => {
            println!("init: {name} exited with status {status}");
            power::poweroff(if status == 0 { ExitStatus::Success } else { ExitStatus::Failure })
        }
        Death::Killed { signal, .. } => {
            println!("init: {name} killed by signal {signal} ({})", signal::name(signal));
            power::poweroff(ExitStatus::Failure)
        }
    }
}
