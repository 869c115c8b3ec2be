//! `bench=instructions` and `bench=wall` (`make bench`, `make bench-wall`): the benchmarks.
//!
//! `bench=instructions`, meant for a boot under `-icount shift=0` (`qemu/bench`), prints one
//! line per figure, every one a count of instructions:
//!
//! ```text
//! bench: boot_to_user 1234567
//! bench: null_syscall_pan_on 321
//! bench: window_open_close 6
//! ...
//! bench: done
//! ```
//!
//! The `bench` user program runs first (so that `boot_to_user` is the first user process's
//! view of the boot), measuring system calls and a context switch from user mode; then the
//! kernel's own measurements ([`crate::kernel_benchmarks`]). `bench=wall`, meant for a boot without
//! `-icount`, times a few hundred thousand system calls against the generic timer instead,
//! for the wall-clock ratio of `pan=on` to `pan=off`.
//!
//! For the benchmarks only, user mode may read the cycle counter and the virtual count: a
//! normal boot keeps both from it (timing side channels). Powers off with 0 when every
//! measurement ran, 1 otherwise.

use crate::arch::pmu;
use crate::cmdline::BenchMode;
use crate::power::{self, ExitStatus};
use crate::println;
use crate::process::{self, Death, KERNEL_PID};

/// The `bench=` job.
pub fn run(mode: BenchMode) -> ! {
    pmu::allow_user_reads(true);
    let argument = match mode {
        BenchMode::Instructions => "",
        BenchMode::Wall => "wall",
    };
    let user =
        process::spawn("bench", argument, KERNEL_PID).and_then(|pid| process::wait(Some(pid)));
    let mut ok = match user {
        Ok(reaped) if reaped.death == Death::Exited(0) => true,
        Ok(reaped) => {
            println!("bench: the bench program ended with {:?}", reaped.death);
            false
        }
        Err(errno) => {
            println!("bench: could not run the bench program: {errno}");
            false
        }
    };
    pmu::allow_user_reads(false);
    if mode == BenchMode::Instructions {
        ok &= crate::kernel_benchmarks::run(crate::syscall::write_through_console_buffer);
    }
    println!("bench: done");
    power::poweroff(if ok { ExitStatus::Success } else { ExitStatus::Failure })
}
