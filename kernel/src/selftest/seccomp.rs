//! Self-tests of seccomp on the CPU: `seccomp_data` built from a trap frame and run through
//! libseccomp's program, and confined user processes ending as Linux's would.

use super::{Case, Test};
use crate::arch::trap_frame::TrapFrame;
use crate::process::{self, Cause, Death, KERNEL_PID};
use crate::seccomp::example::LIBSECCOMP_EXAMPLE;
use crate::seccomp::program::{Program, words_of};
use crate::seccomp_calls::seccomp_data;
use swpan_abi::seccomp::{AUDIT_ARCH_ARM, RET_ALLOW, RET_ERRNO, RET_KILL_PROCESS, SeccompData};
use swpan_abi::signal::{SIGKILL, SIGSYS};

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "seccomp.data_from_the_trap_frame", run: data_from_the_trap_frame },
    Case { name: "seccomp.confined_children_end_as_linux_s", run: confined_children },
];

fn data_from_the_trap_frame(test: &mut Test) {
    let mut frame = TrapFrame::default();
    frame.r[..7].copy_from_slice(&[3, 0xffff_ffff, 2, 3, 4, 5, 6]);
    frame.r[7] = 4;
    frame.pc = 0x0001_2344;
    let expected = SeccompData {
        nr: 4,
        arch: AUDIT_ARCH_ARM,
        instruction_pointer: 0x0001_2344,
        args: [3, 0xffff_ffff, 2, 3, 4, 5],
    };
    test.check_eq("seccomp_data", seccomp_data(&frame), words_of(&expected));
    let Ok(program) = Program::new(&LIBSECCOMP_EXAMPLE) else {
        return test.fail(format_args!("libseccomp's example refused"));
    };
    test.check_eq("write to fd 3", program.run(&seccomp_data(&frame)), RET_ERRNO | 7);
    frame.r[0] = 1;
    test.check_eq("write to fd 1", program.run(&seccomp_data(&frame)), RET_ALLOW);
    frame.r[7] = 37;
    test.check_eq("kill", program.run(&seccomp_data(&frame)), RET_KILL_PROCESS);
}

fn confined_children(test: &mut Test) {
    let killed = |signal| Death::Killed { signal, cause: Cause::Signal };
    for (child, expected) in [
        ("seccomp-kill-process", killed(SIGSYS)),
        ("seccomp-trap-forced", killed(SIGSYS)),
        ("seccomp-strict", killed(SIGKILL)),
        ("seccomp-trap-handler", Death::Exited(0)),
        ("seccomp-inherit", Death::Exited(0)),
    ] {
        match process::spawn("usertest", child, KERNEL_PID).and_then(|pid| process::wait(Some(pid)))
        {
            Ok(reaped) => test.check_eq(child, reaped.death, expected),
            Err(errno) => test.fail(format_args!("usertest {child}: {errno}")),
        }
    }
}
