//! Self-tests of the exception entry and return paths.

use super::{Case, Resume, Test};
use crate::arch::exception::ExceptionKind;
use crate::arch::psr::{MODE_MASK, MODE_SVC, PSR_I};
use crate::fault::{Access, FaultKind};
use core::arch::{asm, global_asm};

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "exceptions.undefined_instruction_resumes", run: undefined_instruction_resumes },
    Case { name: "exceptions.registers_survive_an_exception", run: registers_survive_an_exception },
    Case { name: "exceptions.alignment_fault_is_decoded", run: alignment_fault_is_decoded },
    Case { name: "exceptions.breakpoint_is_a_prefetch_abort", run: breakpoint_is_a_prefetch_abort },
];

fn undefined_instruction_resumes(test: &mut Test) {
    let mut instruction = 0u32;
    let caught =
        test.expect_exception(ExceptionKind::UndefinedInstruction, Resume::NextInstruction, || {
            // SAFETY: the UDF raises an exception that the self-test handler takes and resumes
            // after; no register but the output changes.
            unsafe { asm!("adr {address}, 2f", "2:", "udf #0x5a", address = out(reg) instruction) };
        });
    let Some(caught) = caught else { return };
    test.check_eq("faulting instruction address", caught.event.address, Some(instruction));
    test.check_eq("return address in the frame", caught.pc, instruction);
    test.check_eq("interrupted mode", caught.spsr & MODE_MASK, MODE_SVC);
    test.check_eq("handler mode", caught.handler_cpsr & MODE_MASK, MODE_SVC);
    test.check("handler runs with IRQs masked", caught.handler_cpsr & PSR_I != 0);
}

global_asm!(
    r#"
    .section .text.selftest_register_round_trip, "ax"
    .arm
    .global selftest_register_round_trip
    .type selftest_register_round_trip, %function
// Loads 0x5A5A0000 + n into rn (n = 0..12, and 13 for lr), takes an undefined instruction
// exception, and returns a mask of the registers that came back changed.
selftest_register_round_trip:
    push    {{r4-r11, lr}}
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12
    movw    r\n, #\n
    movt    r\n, #0x5A5A
    .endr
    movw    lr, #13
    movt    lr, #0x5A5A
    udf     #0x5b
    push    {{r0-r12, lr}}
    mov     r1, sp
    mov     r2, #0
    mov     r0, #0
2:  ldr     r3, [r1, r2, lsl #2]
    movw    r12, #0
    movt    r12, #0x5A5A
    add     r12, r12, r2
    cmp     r3, r12
    movne   r3, #1
    orrne   r0, r0, r3, lsl r2
    add     r2, r2, #1
    cmp     r2, #14
    blo     2b
    add     sp, sp, #(14 * 4)
    pop     {{r4-r11, pc}}
    .size selftest_register_round_trip, . - selftest_register_round_trip
"#
);

unsafe extern "C" {
    fn selftest_register_round_trip() -> u32;
}

fn registers_survive_an_exception(test: &mut Test) {
    let mut changed = u32::MAX;
    test.expect_exception(ExceptionKind::UndefinedInstruction, Resume::NextInstruction, || {
        // SAFETY: an AAPCS function that preserves what the standard says; the exception it
        // raises is taken by the self-test handler.
        changed = unsafe { selftest_register_round_trip() };
    });
    test.check_eq("mask of registers changed by the round trip (bit n = rn, 13 = lr)", changed, 0);
}

fn alignment_fault_is_decoded(test: &mut Test) {
    let buffer = [0u32; 2];
    let unaligned = (buffer.as_ptr() as u32) + 1;
    let caught = test.expect_exception(ExceptionKind::DataAbort, Resume::NextInstruction, || {
        // SAFETY: LDREX requires a word-aligned address, so this load faults before it reads
        // anything; the self-test handler resumes after it.
        unsafe { asm!("ldrex {value}, [{address}]", "clrex", address = in(reg) unaligned, value = out(reg) _) };
    });
    let Some(caught) = caught else { return };
    let Some(status) = caught.event.status else {
        return test.fail(format_args!("no DFSR recorded"));
    };
    test.check_eq("DFSR fault kind", status.kind(), FaultKind::Alignment);
    test.check_eq("DFSR access", status.access(), Access::Read);
    test.check_eq("DFAR", caught.event.address, Some(unaligned));
}

fn breakpoint_is_a_prefetch_abort(test: &mut Test) {
    let mut instruction = 0u32;
    let caught =
        test.expect_exception(ExceptionKind::PrefetchAbort, Resume::NextInstruction, || {
            // SAFETY: with halting debug off, BKPT raises a Prefetch Abort (debug event), taken
            // by the self-test handler, which resumes after it.
            unsafe { asm!("adr {address}, 2f", "2:", "bkpt #0x7", address = out(reg) instruction) };
        });
    let Some(caught) = caught else { return };
    let kind = caught.event.status.map(|status| status.kind());
    test.check_eq("IFSR fault kind", kind, Some(FaultKind::Debug));
    test.check_eq("return address in the frame", caught.pc, instruction);
}
