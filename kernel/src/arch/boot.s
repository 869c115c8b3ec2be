// The first instructions: from QEMU's entry state to Rust with a stack, a clean .bss and the
// vector table installed. Constants come from Rust as `const` operands (see boot.rs).

    .arch_extension virt
    .section .text.boot, "ax"
    .arm
    .global _start
    .type _start, %function
_start:
    // The cycle counter first, so that it counts from here: under `-icount shift=0` it counts
    // instructions, and the benchmarks measure the boot with it (arch/pmu.rs).
    mov     r0, #{PMCNTENSET_CYCLES}
    mcr     p15, 0, r0, c9, c12, 1          // PMCNTENSET
    mov     r0, #({PMCR_ENABLE} | {PMCR_RESET_CYCLES})
    mcr     p15, 0, r0, c9, c12, 0          // PMCR
    // QEMU enters in SVC mode, or in HYP mode when the board runs without EL3. Keep the entry
    // CPSR in r4 for the boot log.
    mrs     r4, cpsr
    and     r1, r4, #{MODE_MASK}
    cmp     r1, #{MODE_HYP}
    bne     2f
    // HYP: an exception return to SVC mode with every interrupt masked.
    mov     r1, #({MODE_SVC} | {PSR_I} | {PSR_F} | {PSR_A})
    msr     spsr_cxsf, r1                   // SPSR_hyp: banked access from HYP is UNPREDICTABLE
    adr     r1, 2f
    msr     elr_hyp, r1
    eret
2:
    cpsid   aif, #{MODE_SVC}

    // One stack per exception mode. The entry stubs move to SVC mode at once and never push
    // here, so these stay small; they make every mode's SP point at memory the kernel owns.
    cps     #{MODE_IRQ}
    ldr     sp, =__irq_stack_top
    cps     #{MODE_ABT}
    ldr     sp, =__abt_stack_top
    cps     #{MODE_UND}
    ldr     sp, =__und_stack_top
    cps     #{MODE_FIQ}
    ldr     sp, =__fiq_stack_top
    cps     #{MODE_SVC}
    ldr     sp, =__boot_stack_top

    // Zero .bss, a word at a time (the linker script aligns both ends).
    ldr     r0, =__bss_start
    ldr     r1, =__bss_end_exclusive
    mov     r2, #0
3:  cmp     r0, r1
    strlo   r2, [r0], #4
    blo     3b

    // Vectors at VBAR: clear SCTLR.V (high vectors) and SCTLR.TE (Thumb exceptions).
    ldr     r0, =exception_vectors_pan
    mcr     p15, 0, r0, c12, c0, 0
    mrc     p15, 0, r0, c1, c0, 0
    bic     r0, r0, #{SCTLR_V}
    bic     r0, r0, #{SCTLR_TE}
    mcr     p15, 0, r0, c1, c0, 0
    isb

    // A zero frame pointer ends every call trace here.
    mov     fp, #0
    mov     r0, r4
    bl      kernel_main
    // kernel_main never returns; if it did, stop on a known instruction.
4:  wfi
    b       4b
    .size _start, . - _start
