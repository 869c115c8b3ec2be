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
        name: "invariants.the_return_path_counts_a_leaked_window",
        run: the_return_path_counts_a_leaked_window,
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

unsafe extern "C" {
    /// The return to user mode of the pan vector set (`arch/vectors.s`).
    fn return_to_user_pan() -> !;
}

/// Runs the real return-to-user path (`return_to_user_pan`) with the DACR set to `dacr`, on
/// a trap frame that returns here, to SVC mode, with every register as it was. The path
/// checks the DACR, then writes DACR_USER and returns; the window is closed again after.
fn through_the_return_path(dacr: u32) {
    let irqs = crate::arch::cpu::mask_irqs();
    // SAFETY: the frame is built below SP from the registers as they are (the user-mode SP and
    // LR included) and returns to label 1 in the mode and with the flags of now, so the return
    // path's restore changes nothing but r0, which is declared clobbered, and SP ends where it
    // began; IRQs are masked, so nothing runs with the window open but the path's own check
    // and report; the window is closed before the block ends.
    unsafe {
        core::arch::asm!(
            "sub sp, sp, #{size}",
            "stmia sp, {{r0-r12}}",
            "add r0, sp, #{sp_usr}",
            "stmia r0, {{sp, lr}}^",
            "str lr, [sp, #{lr_svc}]",
            "adr r0, 1f",
            "str r0, [sp, #{pc}]",
            "mrs r0, cpsr",
            "str r0, [sp, #{spsr}]",
            "mcr p15, 0, r2, c3, c0, 0",
            "isb",
            "b {return_path}",
            "1:",
            "mov r0, #{kernel}",
            "mcr p15, 0, r0, c3, c0, 0",
            "isb",
            size = const crate::arch::trap_frame::FRAME_SIZE,
            sp_usr = const crate::arch::trap_frame::FRAME_SP_USR,
            lr_svc = const crate::arch::trap_frame::FRAME_LR_SVC,
            pc = const crate::arch::trap_frame::FRAME_PC,
            spsr = const crate::arch::trap_frame::FRAME_SPSR,
            kernel = const crate::domain::DACR_KERNEL,
            return_path = sym return_to_user_pan,
            in("r2") dacr,
            out("r0") _,
        )
    };
    crate::arch::cpu::restore_irqs(irqs);
}

/// The check in the return-to-user assembly itself: a return with the window closed counts
/// nothing, one with the window open counts a leak (and still returns).
fn the_return_path_counts_a_leaked_window(test: &mut Test) {
    if !pan() {
        // The pan=off return path compares with the one DACR there is.
        return;
    }
    let before = invariants::counters().window_leaks;
    through_the_return_path(crate::domain::DACR_KERNEL);
    test.check_eq(
        "leaks after a return with the window closed",
        invariants::counters().window_leaks,
        before,
    );
    through_the_return_path(crate::domain::DACR_USER);
    test.check_eq(
        "leaks after a return with the window open",
        invariants::counters().window_leaks,
        before + 1,
    );
    test.check_eq("the DACR after", crate::arch::mmu::read_dacr(), crate::domain::DACR_KERNEL);
}
