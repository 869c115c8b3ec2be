// probe_read: a kernel load that reports a data abort instead of taking the kernel's exception
// path, for a CPU that runs no process (smp.rs): it sees the translations this CPU's TLB
// holds, and whether the address faults, without touching the trap frame, the process table or
// any other CPU's state. While the load runs, VBAR points at a table whose data abort slot
// returns past the load with the DFSR; every other slot stops the CPU. The DACR is not
// touched: the window stays as the caller has it (closed, for the only caller).
//
// r0 = address; returns r0 = the word read (the address if the load faulted), r1 = 0 or the
// DFSR of the fault.

// In .text.boot, which the linker script puts before the vector page, in the space that page's
// alignment leaves anyway.
    .section .text.boot, "ax"
    .arm
    .global probe_read
    .type probe_read, %function
probe_read:
    mrc     p15, 0, r2, c12, c0, 0          // VBAR: the kernel's, restored below
    ldr     r3, =probe_vectors
    mcr     p15, 0, r3, c12, c0, 0
    isb
    mov     r1, #0
    ldr     r0, [r0]                        // a data abort resumes at the next instruction
    mcr     p15, 0, r2, c12, c0, 0
    isb
    bx      lr
    .ltorg
    .size probe_read, . - probe_read

    .balign 32
    .type probe_vectors, %function
probe_vectors:
    b       .                               // reset
    b       .                               // undefined instruction
    b       .                               // supervisor call
    b       .                               // prefetch abort
    b       probe_data_abort
    b       .                               // unused
    b       .                               // IRQ (masked by the only caller)
    b       .                               // FIQ
probe_data_abort:
    mrc     p15, 0, r1, c5, c0, 0           // DFSR
    subs    pc, lr, #4                      // LR_abt is the load + 8: resume at the load + 4
    .size probe_vectors, . - probe_vectors
