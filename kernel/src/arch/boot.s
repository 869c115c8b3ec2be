// The first instructions: from QEMU's entry state to Rust with a stack, a clean .bss and the
// vector table installed. Constants come from Rust as `const` operands (see boot.rs).

    .arch_extension virt
    .section .text.boot, "ax"
    .arm

// From HYP mode (a board without EL3), an exception return to SVC mode with every interrupt
// masked; from SVC mode, only the masking. Registers only: r1 is clobbered, r4 is kept.
.macro LEAVE_HYP
    and     r1, r4, #{MODE_MASK}
    cmp     r1, #{MODE_HYP}
    bne     1f
    mov     r1, #({MODE_SVC} | {PSR_I} | {PSR_F} | {PSR_A})
    msr     spsr_cxsf, r1                   // SPSR_hyp: banked access from HYP is UNPREDICTABLE
    adr     r1, 1f
    msr     elr_hyp, r1
    eret
1:
    cpsid   aif, #{MODE_SVC}
.endm
// Vectors at VBAR (their link address: the MMU is off): clear SCTLR.V (high vectors) and
// SCTLR.TE (Thumb exceptions).
.macro BOOT_VECTORS
    ldr     r0, =exception_vectors_pan
    mcr     p15, 0, r0, c12, c0, 0
    mrc     p15, 0, r0, c1, c0, 0
    bic     r0, r0, #{SCTLR_V}
    bic     r0, r0, #{SCTLR_TE}
    mcr     p15, 0, r0, c1, c0, 0
    isb
.endm

// The cycle counter, so that it counts from here: under `-icount shift=0` it counts
// instructions, and the benchmarks measure the boot with it (arch/pmu.rs). Each CPU has its own.
.macro START_CYCLE_COUNTER
    mov     r0, #{PMCNTENSET_CYCLES}
    mcr     p15, 0, r0, c9, c12, 1          // PMCNTENSET
    mov     r0, #({PMCR_ENABLE} | {PMCR_RESET_CYCLES})
    mcr     p15, 0, r0, c9, c12, 0          // PMCR
.endm

    .global _start
    .type _start, %function
_start:
    START_CYCLE_COUNTER
    // QEMU enters in SVC mode, or in HYP mode when the board runs without EL3. Keep the entry
    // CPSR in r4 for the boot log.
    mrs     r4, cpsr
    LEAVE_HYP
    // Every CPU of an -smp board starts here at once. Only CPU 0 goes on: before any of them
    // touches memory (the stacks, .bss, the allocator are CPU 0's alone), the others park.
    mrc     p15, 0, r0, c0, c0, 5           // MPIDR
    ands    r0, r0, #{MPIDR_AFF0_MASK}
    bne     secondary_park
    // TPIDRPRW holds this CPU's number, the index of its per-CPU slots (arch/percpu.rs).
    mcr     p15, 0, r0, c13, c0, 4

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

    BOOT_VECTORS

    // A zero frame pointer ends every call trace here.
    mov     fp, #0
    mov     r0, r4
    bl      kernel_main
    // kernel_main never returns; if it did, stop on a known instruction.
4:  wfi
    b       4b
    .size _start, . - _start

// A CPU other than CPU 0, parked with the MMU off, touching no RAM: it waits, in WFI (which
// halts the CPU until an interrupt is pending, where a WFE loop would keep a host core busy
// under QEMU), until CPU 0 writes an entry point into the board's SYS_FLAGS register and sends
// it a software-generated interrupt. That is the protocol of QEMU's own boot stub for Linux
// images, so a kernel started either way wakes its CPUs the same way. The CPU interface is
// enabled here, all priorities let through, so that the SGI can end the WFI; CPSR.I stays set:
// the interrupt wakes the CPU without being taken.
    .type secondary_park, %function
secondary_park:
    ldr     r1, ={GICC_PHYSICAL}
    mov     r0, #1
    str     r0, [r1, #{GICC_CTLR}]
    mov     r0, #0xFF
    str     r0, [r1, #{GICC_PMR}]
    ldr     r1, ={SYS_FLAGS_PHYSICAL}
5:  wfi
    ldr     r0, [r1]
    cmp     r0, #0
    beq     5b
    bx      r0
    .ltorg
    .size secondary_park, . - secondary_park

// Where a woken CPU goes (the address CPU 0 writes into SYS_FLAGS, smp.rs), with the MMU off,
// in SVC or (from QEMU's stub on a board without EL3) HYP mode. It takes its own stacks, one
// 8 KiB block per CPU: SVC 4 KiB, then IRQ, abort, undefined and FIQ 1 KiB each.
    .global secondary_start
    .type secondary_start, %function
secondary_start:
    START_CYCLE_COUNTER
    mrs     r4, cpsr
    LEAVE_HYP
    mrc     p15, 0, r5, c0, c0, 5           // MPIDR
    and     r5, r5, #{MPIDR_AFF0_MASK}
    mcr     p15, 0, r5, c13, c0, 4          // TPIDRPRW: this CPU's number (arch/percpu.rs)
    sub     r0, r5, #1
    ldr     r1, =__secondary_stacks_start
    add     r0, r1, r0, lsl #{SECONDARY_STACKS_SHIFT}
    cps     #{MODE_IRQ}
    add     sp, r0, #(5 << 10)
    cps     #{MODE_ABT}
    add     sp, r0, #(6 << 10)
    cps     #{MODE_UND}
    add     sp, r0, #(7 << 10)
    cps     #{MODE_FIQ}
    add     sp, r0, #(8 << 10)
    cps     #{MODE_SVC}
    add     sp, r0, #(4 << 10)
    BOOT_VECTORS
    mov     fp, #0
    mov     r0, r5
    bl      secondary_main
6:  wfi
    b       6b
    .ltorg
    .size secondary_start, . - secondary_start
