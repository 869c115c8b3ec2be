//! `shell` (`make shell`): runs the shell program and powers off when it ends (its
//! `poweroff` command powers off directly, with the status it gives).

use crate::power::{self, ExitStatus};
use crate::println;
use crate::process::{self, Death, KERNEL_PID};

/// The `shell` job.
pub fn run() -> ! {
    let status =
        match process::spawn("shell", "", KERNEL_PID).and_then(|pid| process::wait(Some(pid))) {
            Ok(reaped) => match reaped.death {
                Death::Exited(0) => ExitStatus::Success,
                death => {
                    println!("swpan: the shell ended: {death:?}");
                    ExitStatus::Failure
                }
            },
            Err(errno) => {
                println!("swpan: could not run the shell: {errno}");
                ExitStatus::Fatal
            }
        };
    power::poweroff(status)
}
