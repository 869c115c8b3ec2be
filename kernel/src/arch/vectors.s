// Exception vectors, entry stubs and exception returns, in two sets: one with software PAN
// (the DACR is saved, closed and restored around every exception) and one without (pan=off:
// the DACR never changes). VBAR selects the set at boot.
//
// Every exception is handled in SVC mode on the SVC stack: the stub pushes the return state
// with `srsdb` straight onto the SVC stack and switches to SVC mode before anything else, so
// an exception inside a handler (a fault in a syscall, an IRQ in a fault handler) nests
// without losing state. The stub completes a TrapFrame (trap_frame.rs; its offsets arrive
// here as `const` operands) and calls the Rust handler with r0 = &mut TrapFrame.
//
// The DACR with PAN on (linux-sw-pan.md, "Exceptions and the DACR"):
// - entry from any mode saves the DACR in the frame and closes the window (DACR_KERNEL, isb)
//   before any Rust code runs, unconditionally: a handler never runs with user memory open,
//   not even after a fault inside a window (as Linux's v7 abort entry does since it runs
//   uaccess_disable there). A fault that is fixed up still resumes with the window open,
//   because the return restores the frame's copy;
// - the syscall entry comes from user mode, where the DACR is DACR_USER by definition: it
//   closes the window without saving. An SVC from kernel mode never returns (the handler
//   reports it and powers off), so `return_to_user` never sees a kernel frame;
// - the return to kernel mode restores the saved DACR; the return to user mode writes
//   DACR_USER, whatever the frame says. `rfeia` is context synchronizing: no isb needed.
//
// The DACR invariants of a system call (invariants.rs) are checked here, one compare each:
// the syscall entry, once it has closed the window, reads the DACR back and compares it with
// the kernel-mode value of its set; every return to user mode compares the DACR with the same
// value before it writes DACR_USER, so a window left open by the kernel is caught whatever
// path led there. A mismatch calls out of line into Rust (trap.rs), which reports and counts it;
// the common path is an `mrc`, a `cmp` and a branch not taken.

// Absolute symbols for tools that read the kernel ELF (tools/windowcheck): the DACR values
// and where the trap frame keeps the interrupted DACR.
    .global __swpan_dacr_kernel
    .set __swpan_dacr_kernel, {DACR_KERNEL}
    .global __swpan_dacr_user
    .set __swpan_dacr_user, {DACR_USER}
    .global __swpan_frame_dacr_offset
    .set __swpan_frame_dacr_offset, {FRAME_DACR}

    .section .text.vectors, "ax"
    .arm
    .balign 32
// Each slot loads PC from the literal 32 bytes after it, so the table works at any address:
// at its link address (before the MMU is on) and at its alias 0xFFFF0000 (after).
    .global exception_vectors_pan
exception_vectors_pan:
    .rept 8
    ldr     pc, [pc, #24]
    .endr
    .word   reset_vector_entry_pan
    .word   undefined_instruction_entry_pan
    .word   supervisor_call_entry_pan
    .word   prefetch_abort_entry_pan
    .word   data_abort_entry_pan
    .word   unused_vector_entry_pan
    .word   irq_entry_pan
    .word   fiq_entry_pan

    .balign 32
    .global exception_vectors_nopan
exception_vectors_nopan:
    .rept 8
    ldr     pc, [pc, #24]
    .endr
    .word   reset_vector_entry_nopan
    .word   undefined_instruction_entry_nopan
    .word   supervisor_call_entry_nopan
    .word   prefetch_abort_entry_nopan
    .word   data_abort_entry_nopan
    .word   unused_vector_entry_nopan
    .word   irq_entry_nopan
    .word   fiq_entry_nopan

    .section .text.exception_entry, "ax"
    .arm

// What an entry does with the DACR.
    .equ DACR_UNTOUCHED, 0      // pan=off: the DACR is constant
    .equ DACR_SAVE_CLOSE, 1     // save it in the frame, close the window
    .equ DACR_CLOSE, 2          // close the window; the frame is a user frame (syscall)

// name: the stub; lr_offset: LR minus the preferred return address (ARM ARM B1.8.3);
// handler: the Rust function; dacr: one of the DACR_* above; return: where to return;
// overflow: 1 for the data abort stub, which detects a kernel stack overflow (below).
//
// A kernel stack that runs into its guard page takes a data abort, and this stub's `srsdb`
// onto that same SVC stack faults again: the nested abort re-enters the stub with LR pointing
// at that very `srsdb`. The stub recognises it (`cmp lr, pc` reads the `srsdb`'s address two
// instructions ahead), moves SVC mode to the overflow stack and goes on, so the handler runs
// and reports the overflow instead of the CPU looping in the abort vector. What is lost is the
// first abort's return address and DFAR (the nested abort overwrote them); r0-r12 and LR_svc
// still hold the overflowing code's.
// Sets Z when the DACR holds `expected`, the kernel-mode value of this vector set.
.macro DACR_IS expected, scratch
    mrc     p15, 0, \scratch, c3, c0, 0
    cmp     \scratch, #\expected
.endm

.macro EXCEPTION_ENTRY name, lr_offset, handler, dacr, return, overflow=0, check=0
    .type \name, %function
\name:
    .if \lr_offset
    sub     lr, lr, #\lr_offset
    .endif
    .if \overflow
    cmp     lr, pc                          // pc reads as the srsdb below
    beq     3f
1:
    .endif
    srsdb   sp!, #{MODE_SVC}                // push the return address and SPSR on the SVC stack
    cps     #{MODE_SVC}
    sub     sp, sp, #({FRAME_SIZE} - 8)
    stmia   sp, {{r0-r12}}
    add     r0, sp, #{FRAME_SP_USR}
    stmia   r0, {{sp, lr}}^                 // SP_usr, LR_usr
    str     lr, [sp, #{FRAME_LR_SVC}]
    .if \dacr == DACR_SAVE_CLOSE
    mrc     p15, 0, r1, c3, c0, 0
    str     r1, [sp, #{FRAME_DACR}]
    .endif
    .if (\dacr == DACR_SAVE_CLOSE) || (\dacr == DACR_CLOSE)
    mov     r1, #{DACR_KERNEL}
    mcr     p15, 0, r1, c3, c0, 0
    isb
    .endif
    mov     r0, sp
    // The kernel may be interrupted with SP 4 mod 8; AAPCS wants 8 at a call. r4 is
    // callee-saved, so it still holds the frame address when the handler returns.
    mov     r4, sp
    bic     sp, sp, #7
    .if \check
    // The entry check of a system call: r1 = the DACR found; the report returns the frame.
    DACR_IS \check, r1
    blne    dacr_wrong_at_syscall_entry
    .endif
    bl      \handler
    mov     sp, r4
    b       \return
    .if \overflow
3:
    cps     #{MODE_SVC}
    ldr     sp, =__overflow_stack_top
    cps     #{MODE_ABT}
    b       1b
    .ltorg
    .endif
    .size \name, . - \name
.endm

.macro ENTRY_SET suffix, pan
    .if \pan
    EXCEPTION_ENTRY reset_vector_entry_\suffix, 0, handle_reset_vector, DACR_SAVE_CLOSE, exception_return_\suffix
    // The undefined-instruction handler works out the instruction's size from SPSR.T.
    EXCEPTION_ENTRY undefined_instruction_entry_\suffix, 0, handle_undefined_instruction, DACR_SAVE_CLOSE, exception_return_\suffix
    EXCEPTION_ENTRY supervisor_call_entry_\suffix, 0, handle_supervisor_call, DACR_CLOSE, return_to_user_\suffix, 0, {DACR_KERNEL}
    EXCEPTION_ENTRY prefetch_abort_entry_\suffix, 4, handle_prefetch_abort, DACR_SAVE_CLOSE, exception_return_\suffix
    EXCEPTION_ENTRY data_abort_entry_\suffix, 8, handle_data_abort, DACR_SAVE_CLOSE, exception_return_\suffix, 1
    EXCEPTION_ENTRY unused_vector_entry_\suffix, 0, handle_unused_vector, DACR_SAVE_CLOSE, exception_return_\suffix
    EXCEPTION_ENTRY irq_entry_\suffix, 4, handle_irq, DACR_SAVE_CLOSE, exception_return_\suffix
    EXCEPTION_ENTRY fiq_entry_\suffix, 4, handle_fiq, DACR_SAVE_CLOSE, exception_return_\suffix
    .else
    EXCEPTION_ENTRY reset_vector_entry_\suffix, 0, handle_reset_vector, DACR_UNTOUCHED, exception_return_\suffix
    EXCEPTION_ENTRY undefined_instruction_entry_\suffix, 0, handle_undefined_instruction, DACR_UNTOUCHED, exception_return_\suffix
    EXCEPTION_ENTRY supervisor_call_entry_\suffix, 0, handle_supervisor_call, DACR_UNTOUCHED, return_to_user_\suffix, 0, {DACR_USER}
    EXCEPTION_ENTRY prefetch_abort_entry_\suffix, 4, handle_prefetch_abort, DACR_UNTOUCHED, exception_return_\suffix
    EXCEPTION_ENTRY data_abort_entry_\suffix, 8, handle_data_abort, DACR_UNTOUCHED, exception_return_\suffix, 1
    EXCEPTION_ENTRY unused_vector_entry_\suffix, 0, handle_unused_vector, DACR_UNTOUCHED, exception_return_\suffix
    EXCEPTION_ENTRY irq_entry_\suffix, 4, handle_irq, DACR_UNTOUCHED, exception_return_\suffix
    EXCEPTION_ENTRY fiq_entry_\suffix, 4, handle_fiq, DACR_UNTOUCHED, exception_return_\suffix
    .endif
.endm

// Restores the TrapFrame at SP (all but the DACR) and returns to the interrupted context.
.macro RESTORE_AND_RETURN
    ldr     lr, [sp, #{FRAME_LR_SVC}]
    add     r0, sp, #{FRAME_SP_USR}
    ldmia   r0, {{sp, lr}}^
    ldmia   sp, {{r0-r12}}
    add     sp, sp, #({FRAME_SIZE} - 8)
    rfeia   sp!                             // pop the return address into PC, SPSR into CPSR
.endm

// The return check found r1 = the DACR: report it (r0 = the frame), then go on.
.macro RETURN_CHECK_FAILED
    mov     r0, sp
    mov     r4, sp
    bic     sp, sp, #7
    bl      dacr_wrong_at_return_to_user
    mov     sp, r4
.endm

    ENTRY_SET pan, 1
    ENTRY_SET nopan, 0

// exception_return_*: return through the TrapFrame at SP to whichever mode it came from.
// return_to_user_*: the same when the frame is known to be a user frame.
    .global exception_return_pan
    .type exception_return_pan, %function
exception_return_pan:
    ldr     r1, [sp, #{FRAME_SPSR}]
    tst     r1, #0xF                        // User mode is the only mode with M[3:0] = 0
    beq     return_to_user_pan
    ldr     r1, [sp, #{FRAME_DACR}]
    mcr     p15, 0, r1, c3, c0, 0
    RESTORE_AND_RETURN
    .size exception_return_pan, . - exception_return_pan

    .global return_to_user_pan
    .type return_to_user_pan, %function
return_to_user_pan:
    DACR_IS {DACR_KERNEL}, r1
    bne     2f
1:
    mov     r1, #{DACR_USER}
    mcr     p15, 0, r1, c3, c0, 0
    RESTORE_AND_RETURN
2:
    RETURN_CHECK_FAILED
    b       1b
    .size return_to_user_pan, . - return_to_user_pan

// With pan=off the DACR is DACR_USER throughout; the kernel-mode frames return here too.
    .global exception_return_nopan
    .type exception_return_nopan, %function
exception_return_nopan:
    .global return_to_user_nopan
return_to_user_nopan:
    DACR_IS {DACR_USER}, r1
    bne     2f
1:
    RESTORE_AND_RETURN
2:
    RETURN_CHECK_FAILED
    b       1b
    .size exception_return_nopan, . - exception_return_nopan

// The two compares a system call's DACR checks make, on their own, for `make bench`
// (kernel_benchmarks.rs): what the checks cost, less the call and the return.
    .global dacr_checks_of_a_system_call
    .type dacr_checks_of_a_system_call, %function
dacr_checks_of_a_system_call:
    DACR_IS {DACR_KERNEL}, r1
    bne     1f
    DACR_IS {DACR_KERNEL}, r1
1:
    bx      lr
    .size dacr_checks_of_a_system_call, . - dacr_checks_of_a_system_call
