// The kernel's memcpy, memmove and memset, and the ARM EABI entry points the compiler calls
// for them (__aeabi_memcpy, __aeabi_memmove, __aeabi_memset, __aeabi_memclr and their 4- and
// 8-byte-aligned forms). They replace compiler_builtins' portable versions, which copy a word
// at a time.
//
// Every access is naturally aligned: the kernel calls these before its MMU is on, when memory
// is Strongly-ordered and an unaligned access faults whatever SCTLR.A says. So:
// - under 16 bytes: words when both pointers are word aligned, bytes otherwise;
// - from 16 bytes: a byte head aligns the destination; then, when the source is aligned too,
//   eight registers per ldm/stm, four blocks (128 bytes) per turn, and a tail chosen by the
//   count's low bits with conditional instructions; when the source is not, aligned words
//   are loaded and each stored word is put together from two of them with shifts.
// memmove copies forward (memcpy) unless the destination starts inside the source, and then
// backward: ldmdb/stmdb blocks when both ends are word aligned, bytes otherwise.

    .syntax unified
    .arm
    .text

// ---------------------------------------------------------------------------------------
// memcpy: r0 = destination, r1 = source, r2 = count; returns the destination. Copies from low
// addresses to high, reading each byte before it writes any byte at a lower address, so a
// destination below an overlapping source is safe (memmove relies on it).
    .global memcpy
    .global __aeabi_memcpy
    .global __aeabi_memcpy4
    .global __aeabi_memcpy8
    .type memcpy, %function
    .type __aeabi_memcpy, %function
    .type __aeabi_memcpy4, %function
    .type __aeabi_memcpy8, %function
    .balign 4
__aeabi_memcpy:
__aeabi_memcpy4:
__aeabi_memcpy8:
memcpy:
    cmp     r2, #16
    blo     .Lcopy_small
    push    {r0, r4-r10}
    ands    r3, r0, #3
    bne     .Lcopy_align_destination
.Lcopy_destination_aligned:
    ands    r3, r1, #3
    bne     .Lcopy_shifted
    // Both aligned: 128 bytes per turn.
    subs    r2, r2, #128
    blo     2f
1:  ldm     r1!, {r3-r10}
    stm     r0!, {r3-r10}
    ldm     r1!, {r3-r10}
    stm     r0!, {r3-r10}
    ldm     r1!, {r3-r10}
    stm     r0!, {r3-r10}
    ldm     r1!, {r3-r10}
    stm     r0!, {r3-r10}
    subs    r2, r2, #128
    bhs     1b
    // Up to three more blocks; r2 is then the count left less 32, whose low five bits are
    // the count left's.
2:  adds    r2, r2, #96
    blo     4f
3:  ldm     r1!, {r3-r10}
    stm     r0!, {r3-r10}
    subs    r2, r2, #32
    bhs     3b
4:  movs    r3, r2, lsl #28                 // C: 16 bytes left over, N: 8
    ldmcs   r1!, {r3-r6}
    stmcs   r0!, {r3-r6}
    ldmmi   r1!, {r3-r4}
    stmmi   r0!, {r3-r4}
    movs    r3, r2, lsl #30                 // C: 4, N: 2
    ldrcs   r3, [r1], #4
    strcs   r3, [r0], #4
    ldrhmi  r3, [r1], #2
    strhmi  r3, [r0], #2
    tst     r2, #1
    ldrbne  r3, [r1]
    strbne  r3, [r0]
    pop     {r0, r4-r10}
    bx      lr

// 1 to 3 bytes (r3 = destination & 3 on entry) bring the destination to a word boundary.
.Lcopy_align_destination:
    rsb     r3, r3, #4
    sub     r2, r2, r3
    cmp     r3, #2
    ldrb    r4, [r1], #1
    strb    r4, [r0], #1
    ldrbhs  r4, [r1], #1
    strbhs  r4, [r0], #1
    ldrbhi  r4, [r1], #1
    strbhi  r4, [r0], #1
    b       .Lcopy_destination_aligned

// The destination is aligned, the source is r3 = 1, 2 or 3 bytes past a word boundary.
.Lcopy_shifted:
    bic     r1, r1, #3
    cmp     r3, #2
    ldr     r3, [r1], #4                    // the word holding the first source bytes
    blo     .Lcopy_shifted_8
    beq     .Lcopy_shifted_16
    b       .Lcopy_shifted_24

// One shifted copy per source offset. r3 holds the source word loaded last, r1 points past
// it; each stored word is the top (32 - shift) bits of one loaded word above the low shift
// bits of the next. Every word loaded holds at least one byte of the source.
    .macro copy_shifted shift
    subs    r2, r2, #32
    blo     2f
1:  ldm     r1!, {r4-r10, r12}
    lsr     r3, r3, #\shift
    orr     r3, r3, r4, lsl #(32 - \shift)
    lsr     r4, r4, #\shift
    orr     r4, r4, r5, lsl #(32 - \shift)
    lsr     r5, r5, #\shift
    orr     r5, r5, r6, lsl #(32 - \shift)
    lsr     r6, r6, #\shift
    orr     r6, r6, r7, lsl #(32 - \shift)
    lsr     r7, r7, #\shift
    orr     r7, r7, r8, lsl #(32 - \shift)
    lsr     r8, r8, #\shift
    orr     r8, r8, r9, lsl #(32 - \shift)
    lsr     r9, r9, #\shift
    orr     r9, r9, r10, lsl #(32 - \shift)
    lsr     r10, r10, #\shift
    orr     r10, r10, r12, lsl #(32 - \shift)
    stm     r0!, {r3-r10}
    mov     r3, r12
    subs    r2, r2, #32
    bhs     1b
2:  adds    r2, r2, #28
    blo     4f
3:  ldr     r4, [r1], #4
    lsr     r3, r3, #\shift
    orr     r3, r3, r4, lsl #(32 - \shift)
    str     r3, [r0], #4
    mov     r3, r4
    subs    r2, r2, #4
    bhs     3b
4:  add     r2, r2, #4
    sub     r1, r1, #(4 - \shift / 8)       // back to the next source byte
    b       .Lcopy_tail_bytes
    .endm

.Lcopy_shifted_8:
    copy_shifted 8
.Lcopy_shifted_16:
    copy_shifted 16
.Lcopy_shifted_24:
    copy_shifted 24

.Lcopy_tail_bytes:
    subs    r2, r2, #1
    ldrbhs  r3, [r1], #1
    strbhs  r3, [r0], #1
    bhi     .Lcopy_tail_bytes
    pop     {r0, r4-r10}
    bx      lr

// Under 16 bytes, nothing saved: r12 keeps the destination to return.
.Lcopy_small:
    orr     r3, r0, r1
    tst     r3, #3
    mov     r12, r0
    bne     .Lcopy_small_bytes
    movs    r3, r2, lsl #29                 // C: 8 bytes, N: 4
    ldrcs   r3, [r1], #4
    strcs   r3, [r0], #4
    ldrcs   r3, [r1], #4
    strcs   r3, [r0], #4
    ldrmi   r3, [r1], #4
    strmi   r3, [r0], #4
    movs    r3, r2, lsl #31                 // C: 2, N: 1
    ldrhcs  r3, [r1], #2
    strhcs  r3, [r0], #2
    ldrbmi  r3, [r1]
    strbmi  r3, [r0]
    mov     r0, r12
    bx      lr
.Lcopy_small_bytes:
    subs    r2, r2, #1
    ldrbhs  r3, [r1], #1
    strbhs  r3, [r0], #1
    bhi     .Lcopy_small_bytes
    mov     r0, r12
    bx      lr
    .size memcpy, . - memcpy
    .size __aeabi_memcpy, . - __aeabi_memcpy
    .size __aeabi_memcpy4, . - __aeabi_memcpy4
    .size __aeabi_memcpy8, . - __aeabi_memcpy8

// ---------------------------------------------------------------------------------------
// memmove: r0 = destination, r1 = source, r2 = count; returns the destination.
    .global memmove
    .global __aeabi_memmove
    .global __aeabi_memmove4
    .global __aeabi_memmove8
    .type memmove, %function
    .type __aeabi_memmove, %function
    .type __aeabi_memmove4, %function
    .type __aeabi_memmove8, %function
    .balign 4
__aeabi_memmove:
__aeabi_memmove4:
__aeabi_memmove8:
memmove:
    sub     r3, r0, r1
    cmp     r3, r2
    bhs     memcpy                          // the destination does not start inside the source
    cmp     r3, #0
    bxeq    lr                              // the same bytes
    push    {r0, r4-r10}
    add     r0, r0, r2                      // from the ends down
    add     r1, r1, r2
    cmp     r2, #16
    blo     .Lmove_bytes
    ands    r3, r0, #3
    beq     1f
    sub     r2, r2, r3
    cmp     r3, #2
    ldrb    r4, [r1, #-1]!
    strb    r4, [r0, #-1]!
    ldrbhs  r4, [r1, #-1]!
    strbhs  r4, [r0, #-1]!
    ldrbhi  r4, [r1, #-1]!
    strbhi  r4, [r0, #-1]!
1:  tst     r1, #3
    bne     .Lmove_bytes
    subs    r2, r2, #32
    blo     3f
2:  ldmdb   r1!, {r3-r10}
    stmdb   r0!, {r3-r10}
    subs    r2, r2, #32
    bhs     2b
3:  adds    r2, r2, #28
    blo     5f
4:  ldr     r3, [r1, #-4]!
    str     r3, [r0, #-4]!
    subs    r2, r2, #4
    bhs     4b
5:  add     r2, r2, #4
.Lmove_bytes:
    subs    r2, r2, #1
    ldrbhs  r3, [r1, #-1]!
    strbhs  r3, [r0, #-1]!
    bhi     .Lmove_bytes
    pop     {r0, r4-r10}
    bx      lr
    .size memmove, . - memmove
    .size __aeabi_memmove, . - __aeabi_memmove
    .size __aeabi_memmove4, . - __aeabi_memmove4
    .size __aeabi_memmove8, . - __aeabi_memmove8

// ---------------------------------------------------------------------------------------
// The EABI's memset takes (destination, count, value) and its memclr (destination, count);
// both return nothing.
    .global __aeabi_memset
    .global __aeabi_memset4
    .global __aeabi_memset8
    .type __aeabi_memset, %function
    .type __aeabi_memset4, %function
    .type __aeabi_memset8, %function
    .balign 4
__aeabi_memset:
__aeabi_memset4:
__aeabi_memset8:
    mov     r3, r1
    mov     r1, r2
    mov     r2, r3
    b       memset
    .size __aeabi_memset, . - __aeabi_memset
    .size __aeabi_memset4, . - __aeabi_memset4
    .size __aeabi_memset8, . - __aeabi_memset8

    .global __aeabi_memclr
    .global __aeabi_memclr4
    .global __aeabi_memclr8
    .type __aeabi_memclr, %function
    .type __aeabi_memclr4, %function
    .type __aeabi_memclr8, %function
    .balign 4
__aeabi_memclr:
__aeabi_memclr4:
__aeabi_memclr8:
    mov     r2, r1
    mov     r1, #0
    b       memset
    .size __aeabi_memclr, . - __aeabi_memclr
    .size __aeabi_memclr4, . - __aeabi_memclr4
    .size __aeabi_memclr8, . - __aeabi_memclr8

// memset: r0 = destination, r1 = value (its low byte), r2 = count; returns the destination.
    .global memset
    .type memset, %function
    .balign 4
memset:
    and     r1, r1, #0xff
    orr     r1, r1, r1, lsl #8
    orr     r1, r1, r1, lsl #16
    mov     r12, r0
    cmp     r2, #16
    blo     .Lset_small
    push    {r0, r4-r8}
    ands    r3, r0, #3
    beq     1f
    rsb     r3, r3, #4
    sub     r2, r2, r3
    cmp     r3, #2
    strb    r1, [r0], #1
    strbhs  r1, [r0], #1
    strbhi  r1, [r0], #1
1:  mov     r3, r1
    mov     r4, r1
    mov     r5, r1
    mov     r6, r1
    mov     r7, r1
    mov     r8, r1
    mov     r12, r1
    subs    r2, r2, #128
    blo     3f
2:  stm     r0!, {r1, r3-r8, r12}
    stm     r0!, {r1, r3-r8, r12}
    stm     r0!, {r1, r3-r8, r12}
    stm     r0!, {r1, r3-r8, r12}
    subs    r2, r2, #128
    bhs     2b
3:  adds    r2, r2, #96
    blo     5f
4:  stm     r0!, {r1, r3-r8, r12}
    subs    r2, r2, #32
    bhs     4b
5:  movs    r3, r2, lsl #28                 // C: 16 bytes left over, N: 8
    stmcs   r0!, {r1, r4-r6}
    stmmi   r0!, {r1, r4}
    movs    r3, r2, lsl #30                 // C: 4, N: 2
    strcs   r1, [r0], #4
    strhmi  r1, [r0], #2
    tst     r2, #1
    strbne  r1, [r0]
    pop     {r0, r4-r8}
    bx      lr
.Lset_small:
    tst     r0, #3
    bne     .Lset_small_bytes
    movs    r3, r2, lsl #29                 // C: 8 bytes, N: 4
    strcs   r1, [r0], #4
    strcs   r1, [r0], #4
    strmi   r1, [r0], #4
    movs    r3, r2, lsl #31                 // C: 2, N: 1
    strhcs  r1, [r0], #2
    strbmi  r1, [r0]
    mov     r0, r12
    bx      lr
.Lset_small_bytes:
    subs    r2, r2, #1
    strbhs  r1, [r0], #1
    bhi     .Lset_small_bytes
    mov     r0, r12
    bx      lr
    .size memset, . - memset
