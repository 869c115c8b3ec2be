//! The kernel image's regions, from the symbols of linker/kernel.ld.

use core::ops::Range;

unsafe extern "C" {
    static __kernel_start: u8;
    static __text_start: u8;
    static __vectors_page_start: u8;
    static __vectors_page_end_exclusive: u8;
    static __text_end_exclusive: u8;
    static __rodata_start: u8;
    static __rodata_end_exclusive: u8;
    static __ro_after_init_start: u8;
    static __ro_after_init_end_exclusive: u8;
    static __data_start: u8;
    static __boot_stack_guard: u8;
    static __boot_stack_top: u8;
    static __stacks_start: u8;
    static __stacks_end_exclusive: u8;
    static __overflow_stack_top: u8;
    static __kernel_end_exclusive: u8;
}

macro_rules! address {
    ($symbol:ident) => {
        // Only the address of the linker symbol is taken, never its value.
        (&raw const $symbol) as u32
    };
}

/// The whole image, from the first instruction to the end of the stacks.
pub fn kernel() -> Range<u32> {
    address!(__kernel_start)..address!(__kernel_end_exclusive)
}

/// Code: read-only and executable.
pub fn text() -> Range<u32> {
    address!(__text_start)..address!(__text_end_exclusive)
}

/// The page holding both vector tables (inside `text`).
pub fn vectors_page() -> Range<u32> {
    address!(__vectors_page_start)..address!(__vectors_page_end_exclusive)
}

/// Read-only data, the exception unwind index and the symbol table: read-only, never executed.
pub fn rodata() -> Range<u32> {
    address!(__rodata_start)..address!(__rodata_end_exclusive)
}

/// Written during boot, read-only after: never executed.
pub fn ro_after_init() -> Range<u32> {
    address!(__ro_after_init_start)..address!(__ro_after_init_end_exclusive)
}

/// Data, .bss and the stacks: read-write, never executed.
pub fn data() -> Range<u32> {
    address!(__data_start)..address!(__kernel_end_exclusive)
}

/// The page below the boot stack, never mapped.
pub fn boot_stack_guard() -> Range<u32> {
    address!(__boot_stack_guard)..address!(__stacks_start)
}

/// The stacks region (boot stack and the exception modes' stacks).
pub fn stacks() -> Range<u32> {
    address!(__stacks_start)..address!(__stacks_end_exclusive)
}

/// The bytes of the overflow stack, where the data abort entry moves when a kernel stack ran
/// into its guard page (`arch/vectors.s`; its size is in the linker script).
pub const OVERFLOW_STACK_SIZE: u32 = 8 * 1024;

/// The overflow stack.
pub fn overflow_stack() -> Range<u32> {
    let top = address!(__overflow_stack_top);
    top - OVERFLOW_STACK_SIZE..top
}

/// The boot stack (the kernel's SVC stack until tasks have their own).
pub fn boot_stack() -> Range<u32> {
    address!(__stacks_start)..address!(__boot_stack_top)
}
