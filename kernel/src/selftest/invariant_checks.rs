//! Self-tests of the DACR invariant checks themselves: each must count (and report) the
//! broken state it exists for, so the fuzzer's "0 window leaks" means something.

use super::{Case, Test};
use crate::arch::exception::ExceptionKind;
use crate::arch::psr::{MODE_SVC, MODE_USR};
use crate::arch::trap_frame::TrapFrame;
use crate::invariants::{self, check_entry, check_return_to_user, check_switch};
use crate::process;
use crate::uaccess::window::UserAccessWindow;

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "invariants.a_leaked_window_is_counted", run: a_leaked_window_is_counted },
    Case {
        name: "invariants.an_open_window_at_entry_is_counted",
        run: an_open_window_at_entry_is_counted,
    },
    Case {
        name: "invariants.a_switch_inside_a_window_is_counted",
        run: a_switch_inside_a_window_is_counted,
    },
];

fn pan() -> bool {
    crate::arch::exception::pan_enabled()
}

fn a_leaked_window_is_counted(test: &mut Test) {
    let frame = TrapFrame { spsr: MODE_USR, ..TrapFrame::default() };
    let before = invariants::counters().window_leaks;
    check_return_to_user(&frame, process::current_pid);
    test.check_eq(
        "leaks counted with the window closed",
        invariants::counters().window_leaks,
        before,
    );
    // SAFETY: the window holds a call to the checker only, which reads the DACR and, on the
    // leak it finds, prints a report.
    let window = unsafe { UserAccessWindow::open() };
    check_return_to_user(&frame, process::current_pid);
    drop(window);
    let expected = if pan() { before + 1 } else { before };
    test.check_eq(
        "leaks counted with the window open",
        invariants::counters().window_leaks,
        expected,
    );
}

fn an_open_window_at_entry_is_counted(test: &mut Test) {
    let frame = TrapFrame { spsr: MODE_SVC, ..TrapFrame::default() };
    let before = invariants::counters().entry_violations;
    check_entry(ExceptionKind::UndefinedInstruction, &frame);
    test.check_eq(
        "violations with the window closed",
        invariants::counters().entry_violations,
        before,
    );
    // SAFETY: as above.
    let window = unsafe { UserAccessWindow::open() };
    check_entry(ExceptionKind::UndefinedInstruction, &frame);
    drop(window);
    let expected = if pan() { before + 1 } else { before };
    test.check_eq(
        "violations with the window open",
        invariants::counters().entry_violations,
        expected,
    );
}

fn a_switch_inside_a_window_is_counted(test: &mut Test) {
    let before = invariants::counters().switch_violations;
    check_switch(process::current_pid());
    test.check_eq(
        "violations with the window closed",
        invariants::counters().switch_violations,
        before,
    );
    // SAFETY: as above.
    let window = unsafe { UserAccessWindow::open() };
    check_switch(process::current_pid());
    drop(window);
    let expected = if pan() { before + 1 } else { before };
    test.check_eq(
        "violations with the window open",
        invariants::counters().switch_violations,
        expected,
    );
}
