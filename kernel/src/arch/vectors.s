// Exception vectors, entry stubs and the exception return.
//
// Every exception is handled in SVC mode on the SVC stack: the stub pushes the return state
// with `srsdb` straight onto the SVC stack and switches to SVC mode before anything else, so an
// exception inside a handler (a fault in a syscall, an IRQ in a fault handler) nests without
// losing state. The stub then completes a TrapFrame (see trap_frame.rs for the layout, whose
// offsets arrive here as `const` operands) and calls the Rust handler with r0 = &mut TrapFrame.

    .section .text.vectors, "ax"
    .arm
    .balign 32
    .global exception_vectors
exception_vectors:
    b       reset_vector_entry              // 0x00: reset (never taken: a branch to VBAR)
    b       undefined_instruction_entry     // 0x04
    b       supervisor_call_entry           // 0x08
    b       prefetch_abort_entry            // 0x0c
    b       data_abort_entry                // 0x10
    b       unused_vector_entry             // 0x14: not used outside HYP mode
    b       irq_entry                       // 0x18
    b       fiq_entry                       // 0x1c

// name: the stub; lr_offset: LR minus the preferred return address (ARM ARM B1.8.3);
// handler: the Rust function.
.macro EXCEPTION_ENTRY name, lr_offset, handler
    .type \name, %function
\name:
    .if \lr_offset
    sub     lr, lr, #\lr_offset
    .endif
    srsdb   sp!, #{MODE_SVC}                // push the return address and SPSR on the SVC stack
    cps     #{MODE_SVC}
    sub     sp, sp, #({FRAME_SIZE} - 8)
    stmia   sp, {{r0-r12}}
    add     r0, sp, #{FRAME_SP_USR}
    stmia   r0, {{sp, lr}}^                 // SP_usr, LR_usr
    str     lr, [sp, #{FRAME_LR_SVC}]
    mov     r0, sp
    // The kernel may be interrupted with SP 4 mod 8; AAPCS wants 8 at a call. r4 is
    // callee-saved, so it still holds the frame address when the handler returns.
    mov     r4, sp
    bic     sp, sp, #7
    bl      \handler
    mov     sp, r4
    b       exception_return
    .size \name, . - \name
.endm

    EXCEPTION_ENTRY reset_vector_entry, 0, handle_reset_vector
    // The undefined-instruction handler works out the instruction's size from SPSR.T.
    EXCEPTION_ENTRY undefined_instruction_entry, 0, handle_undefined_instruction
    EXCEPTION_ENTRY supervisor_call_entry, 0, handle_supervisor_call
    EXCEPTION_ENTRY prefetch_abort_entry, 4, handle_prefetch_abort
    EXCEPTION_ENTRY data_abort_entry, 8, handle_data_abort
    EXCEPTION_ENTRY unused_vector_entry, 0, handle_unused_vector
    EXCEPTION_ENTRY irq_entry, 4, handle_irq
    EXCEPTION_ENTRY fiq_entry, 4, handle_fiq

// Restores the TrapFrame at SP and returns to the interrupted context.
    .global exception_return
    .type exception_return, %function
exception_return:
    ldr     lr, [sp, #{FRAME_LR_SVC}]
    add     r0, sp, #{FRAME_SP_USR}
    ldmia   r0, {{sp, lr}}^
    ldmia   sp, {{r0-r12}}
    add     sp, sp, #({FRAME_SIZE} - 8)
    rfeia   sp!                             // pop the return address into PC, SPSR into CPSR
    .size exception_return, . - exception_return
