//! The user-access routines: each is one `asm!` block that opens the window, touches user
//! memory with instructions listed in the exception table, and closes the window.
//!
//! A listed instruction that takes a translation or permission fault resumes at its fixup,
//! which is (or leads straight to) the block's closing sequence, with the registers as they
//! were at the fault; the counts the loops keep in registers then say how far they got. No
//! block calls anything or touches the stack between open and close; the accesses to the
//! kernel's side of a copy are listed too, as kernel-buffer entries that are never fixed up.

use super::extable::{KERNEL_BUFFER, USER_ACCESS};
use super::window::{window_close, window_open};
use crate::domain::USER_CLIENT_BIT;
use core::arch::asm;

/// The exception-table entry of a user access: `instruction` and `fixup` are local label
/// references. The block passes `user_access = const` [`USER_ACCESS`].
macro_rules! extable {
    ($instruction:literal, $fixup:literal) => {
        concat!(
            ".pushsection __ex_table, \"a\"\n",
            ".balign 4\n",
            ".long ",
            $instruction,
            ", ",
            $fixup,
            ", {user_access}\n",
            ".popsection\n",
        )
    };
}

/// The exception-table entry of an access to the kernel's buffer inside a window (never fixed
/// up). The block passes `kernel_buffer = const` [`KERNEL_BUFFER`].
macro_rules! kernel_access {
    ($instruction:literal) => {
        concat!(
            ".pushsection __ex_table, \"a\"\n",
            ".balign 4\n",
            ".long ",
            $instruction,
            ", 0, {kernel_buffer}\n",
            ".popsection\n",
        )
    };
}

/// The bytes one `ldm`/`stm` of the copy loops moves: seven registers. The pointers and the
/// count take r0-r2 and the saved DACR r12; LR is left alone, so that an oops inside a window
/// reports the real return address (r6, r11 and SP are not the compiler's to give). The loop
/// moves two blocks per turn, then one more block if one is left, then words and bytes.
const BLOCK: u32 = 28;

/// Copies `count` bytes from user `source` to kernel `destination`; returns how many bytes
/// were not copied (0 on success). Word-aligned pointers move [`BLOCK`] bytes per
/// `ldm`/`stm`.
///
/// # Safety
///
/// `destination` must be valid for `count` bytes of writes, and `[source, source + count)`
/// must have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_copy_from_user(destination: *mut u8, source: u32, count: u32) -> u32 {
    let not_copied: u32;
    // SAFETY: the caller's contract; every user load is listed with a fixup that closes the
    // window.
    unsafe {
        asm!(
            window_open!("r12", "r3"),
            "orr r3, r0, r1",
            "tst r3, #3",
            "bne 5f",
            // Pairs of blocks: the count is lowered before the pair moves.
            "subs r2, r2, #{pair}",
            "blo 3f",
            "2:",
            "20: ldm r1!, {{r3, r4, r5, r7, r8, r9, r10}}",
            extable!("20b", "9f"),
            "23: stm r0!, {{r3, r4, r5, r7, r8, r9, r10}}",
            kernel_access!("23b"),
            "26: ldm r1!, {{r3, r4, r5, r7, r8, r9, r10}}",
            extable!("26b", "10f"),
            "27: stm r0!, {{r3, r4, r5, r7, r8, r9, r10}}",
            kernel_access!("27b"),
            "subs r2, r2, #{pair}",
            "bhs 2b",
            "3:",
            "add r2, r2, #{pair}",
            // One more block if there is one: the count is lowered once it moved.
            "cmp r2, #{block}",
            "blo 4f",
            "28: ldm r1!, {{r3, r4, r5, r7, r8, r9, r10}}",
            extable!("28b", "8f"),
            "29: stm r0!, {{r3, r4, r5, r7, r8, r9, r10}}",
            kernel_access!("29b"),
            "sub r2, r2, #{block}",
            // Words.
            "4:",
            "cmp r2, #4",
            "blo 5f",
            "21: ldr r3, [r1], #4",
            extable!("21b", "8f"),
            "24: str r3, [r0], #4",
            kernel_access!("24b"),
            "sub r2, r2, #4",
            "b 4b",
            // Bytes.
            "5:",
            "cmp r2, #0",
            "beq 8f",
            "22: ldrb r3, [r1], #1",
            extable!("22b", "8f"),
            "25: strb r3, [r0], #1",
            kernel_access!("25b"),
            "sub r2, r2, #1",
            "b 5b",
            // A fault in a pair: both blocks were already taken off the count, and the first
            // moved if the second faulted.
            "9:",
            "add r2, r2, #{block}",
            "10:",
            "add r2, r2, #{block}",
            "8:",
            window_close!("r12"),
            out("r12") _,
            out("r3") _,
            block = const BLOCK,
            pair = const 2 * BLOCK,
            user_client = const USER_CLIENT_BIT,
            user_access = const USER_ACCESS,
            kernel_buffer = const KERNEL_BUFFER,
            inout("r0") destination => _,
            inout("r1") source => _,
            inout("r2") count => not_copied,
            out("r4") _, out("r5") _, out("r7") _, out("r8") _, out("r9") _, out("r10") _,
            options(nostack),
        )
    };
    not_copied
}

/// Copies `count` bytes from kernel `source` to user `destination`; returns how many bytes
/// were not copied.
///
/// # Safety
///
/// `source` must be valid for `count` bytes of reads, and `[destination, destination + count)`
/// must have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_copy_to_user(destination: u32, source: *const u8, count: u32) -> u32 {
    let not_copied: u32;
    // SAFETY: the caller's contract; every user store is listed with a fixup that closes the
    // window.
    unsafe {
        asm!(
            window_open!("r12", "r3"),
            "orr r3, r0, r1",
            "tst r3, #3",
            "bne 5f",
            "subs r2, r2, #{pair}",
            "blo 3f",
            "2:",
            "23: ldm r1!, {{r3, r4, r5, r7, r8, r9, r10}}",
            kernel_access!("23b"),
            "20: stm r0!, {{r3, r4, r5, r7, r8, r9, r10}}",
            extable!("20b", "9f"),
            "27: ldm r1!, {{r3, r4, r5, r7, r8, r9, r10}}",
            kernel_access!("27b"),
            "26: stm r0!, {{r3, r4, r5, r7, r8, r9, r10}}",
            extable!("26b", "10f"),
            "subs r2, r2, #{pair}",
            "bhs 2b",
            "3:",
            "add r2, r2, #{pair}",
            "cmp r2, #{block}",
            "blo 4f",
            "29: ldm r1!, {{r3, r4, r5, r7, r8, r9, r10}}",
            kernel_access!("29b"),
            "28: stm r0!, {{r3, r4, r5, r7, r8, r9, r10}}",
            extable!("28b", "8f"),
            "sub r2, r2, #{block}",
            "4:",
            "cmp r2, #4",
            "blo 5f",
            "24: ldr r3, [r1], #4",
            kernel_access!("24b"),
            "21: str r3, [r0], #4",
            extable!("21b", "8f"),
            "sub r2, r2, #4",
            "b 4b",
            "5:",
            "cmp r2, #0",
            "beq 8f",
            "25: ldrb r3, [r1], #1",
            kernel_access!("25b"),
            "22: strb r3, [r0], #1",
            extable!("22b", "8f"),
            "sub r2, r2, #1",
            "b 5b",
            "9:",
            "add r2, r2, #{block}",
            "10:",
            "add r2, r2, #{block}",
            "8:",
            window_close!("r12"),
            out("r12") _,
            out("r3") _,
            block = const BLOCK,
            pair = const 2 * BLOCK,
            user_client = const USER_CLIENT_BIT,
            user_access = const USER_ACCESS,
            kernel_buffer = const KERNEL_BUFFER,
            inout("r0") destination => _,
            inout("r1") source => _,
            inout("r2") count => not_copied,
            out("r4") _, out("r5") _, out("r7") _, out("r8") _, out("r9") _, out("r10") _,
            options(nostack),
        )
    };
    not_copied
}

/// Writes `count` zero bytes at user `destination`; returns how many were not written.
///
/// # Safety
///
/// `[destination, destination + count)` must have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_clear_user(destination: u32, count: u32) -> u32 {
    let not_cleared: u32;
    // SAFETY: the caller's contract; every user store is listed.
    unsafe {
        asm!(
            window_open!("{saved}", "{scratch}"),
            "mov {zero}, #0",
            "tst r0, #3",
            "bne 5f",
            "4:",
            "cmp r2, #4",
            "blo 5f",
            "21: str {zero}, [r0], #4",
            extable!("21b", "8f"),
            "sub r2, r2, #4",
            "b 4b",
            "5:",
            "cmp r2, #0",
            "beq 8f",
            "22: strb {zero}, [r0], #1",
            extable!("22b", "8f"),
            "sub r2, r2, #1",
            "b 5b",
            "8:",
            window_close!("{saved}"),
            saved = out(reg) _,
            scratch = out(reg) _,
            zero = out(reg) _,
            user_client = const USER_CLIENT_BIT,
            user_access = const USER_ACCESS,
            inout("r0") destination => _,
            inout("r2") count => not_cleared,
            options(nostack),
        )
    };
    not_cleared
}

/// Reads a byte, half-word or word from user `source`. Returns (value, faulted).
///
/// # Safety
///
/// `[source, source + size)` must have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_get_user(source: u32, size: usize) -> (u32, bool) {
    let value: u32;
    let faulted: u32;
    macro_rules! load {
        ($instruction:literal) => {
            // SAFETY: the caller's contract; the load is listed and its fixup skips to the
            // close with `faulted` still 1.
            unsafe {
                asm!(
                    window_open!("{saved}", "{scratch}"),
                    "mov {faulted}, #1",
                    "mov {value}, #0",
                    concat!("20: ", $instruction, " {value}, [{source}]"),
                    extable!("20b", "8f"),
                    "mov {faulted}, #0",
                    "8:",
                    window_close!("{saved}"),
                    saved = out(reg) _,
                    scratch = out(reg) _,
                    user_client = const USER_CLIENT_BIT,
                    user_access = const USER_ACCESS,
                    source = in(reg) source,
                    value = out(reg) value,
                    faulted = out(reg) faulted,
                    options(nostack, preserves_flags),
                )
            }
        };
    }
    match size {
        1 => load!("ldrb"),
        2 => load!("ldrh"),
        _ => load!("ldr"),
    }
    (value, faulted != 0)
}

/// Writes a byte, half-word or word to user `destination`. Returns true if it faulted.
///
/// # Safety
///
/// `[destination, destination + size)` must have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_put_user(destination: u32, value: u32, size: usize) -> bool {
    let faulted: u32;
    macro_rules! store {
        ($instruction:literal) => {
            // SAFETY: the caller's contract; the store is listed.
            unsafe {
                asm!(
                    window_open!("{saved}", "{scratch}"),
                    "mov {faulted}, #1",
                    concat!("20: ", $instruction, " {value}, [{destination}]"),
                    extable!("20b", "8f"),
                    "mov {faulted}, #0",
                    "8:",
                    window_close!("{saved}"),
                    saved = out(reg) _,
                    scratch = out(reg) _,
                    user_client = const USER_CLIENT_BIT,
                    user_access = const USER_ACCESS,
                    destination = in(reg) destination,
                    value = in(reg) value,
                    faulted = out(reg) faulted,
                    options(nostack, preserves_flags),
                )
            }
        };
    }
    match size {
        1 => store!("strb"),
        2 => store!("strh"),
        _ => store!("str"),
    }
    faulted != 0
}

/// Copies a NUL-terminated string from user `source` into `destination`, at most `limit`
/// bytes. Returns (bytes copied not counting a NUL, found the NUL, faulted).
///
/// # Safety
///
/// `destination` must be valid for `limit` bytes of writes and `[source, source + limit)` must
/// have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_strncpy_from_user(
    destination: *mut u8,
    source: u32,
    limit: u32,
) -> (u32, bool, bool) {
    let copied: u32;
    let terminated: u32;
    let faulted: u32;
    // SAFETY: the caller's contract; the user load is listed, its fixup sets `faulted`.
    unsafe {
        asm!(
            window_open!("{saved}", "{scratch}"),
            "mov {copied}, #0",
            "mov {terminated}, #0",
            "mov {faulted}, #0",
            "2:",
            "cmp {copied}, {limit}",
            "beq 8f",
            "20: ldrb {byte}, [{source}, {copied}]",
            extable!("20b", "9f"),
            "21: strb {byte}, [{destination}, {copied}]",
            kernel_access!("21b"),
            "cmp {byte}, #0",
            "moveq {terminated}, #1",
            "beq 8f",
            "add {copied}, {copied}, #1",
            "b 2b",
            "9:",
            "mov {faulted}, #1",
            "8:",
            window_close!("{saved}"),
            saved = out(reg) _,
            scratch = out(reg) _,
            user_client = const USER_CLIENT_BIT,
            user_access = const USER_ACCESS,
            kernel_buffer = const KERNEL_BUFFER,
            destination = in(reg) destination,
            source = in(reg) source,
            limit = in(reg) limit,
            byte = out(reg) _,
            copied = out(reg) copied,
            terminated = out(reg) terminated,
            faulted = out(reg) faulted,
            options(nostack),
        )
    };
    (copied, terminated != 0, faulted != 0)
}

/// Counts the bytes of the user string at `source` before its NUL, looking at no more than
/// `limit` bytes. Returns (length, found the NUL, faulted).
///
/// # Safety
///
/// `[source, source + limit)` must have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_strnlen_user(source: u32, limit: u32) -> (u32, bool, bool) {
    let length: u32;
    let terminated: u32;
    let faulted: u32;
    // SAFETY: the caller's contract; the user load is listed.
    unsafe {
        asm!(
            window_open!("{saved}", "{scratch}"),
            "mov {length}, #0",
            "mov {terminated}, #0",
            "mov {faulted}, #0",
            "2:",
            "cmp {length}, {limit}",
            "beq 8f",
            "20: ldrb {byte}, [{source}, {length}]",
            extable!("20b", "9f"),
            "cmp {byte}, #0",
            "moveq {terminated}, #1",
            "beq 8f",
            "add {length}, {length}, #1",
            "b 2b",
            "9:",
            "mov {faulted}, #1",
            "8:",
            window_close!("{saved}"),
            saved = out(reg) _,
            scratch = out(reg) _,
            user_client = const USER_CLIENT_BIT,
            user_access = const USER_ACCESS,
            source = in(reg) source,
            limit = in(reg) limit,
            byte = out(reg) _,
            length = out(reg) length,
            terminated = out(reg) terminated,
            faulted = out(reg) faulted,
            options(nostack),
        )
    };
    (length, terminated != 0, faulted != 0)
}

/// Cache line size used for maintenance by address (the Cortex-A15's is 64 bytes; 32 covers
/// every ARMv7 core, at worst maintaining a line twice).
const CACHE_LINE: u32 = 32;

/// Cleans the data cache and invalidates the instruction cache by address over the user
/// range `[start, end)`, then the branch predictor. Returns true if an operation faulted.
///
/// # Safety
///
/// `[start, end)` must have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_flush_user_caches(start: u32, end: u32) -> bool {
    let faulted: u32;
    // SAFETY: the caller's contract; each maintenance operation on a user address is listed,
    // its fixup skips to the barriers and the close with `faulted` set.
    unsafe {
        asm!(
            window_open!("{saved}", "{scratch}"),
            "mov {faulted}, #0",
            "bic {line}, {start}, #{line_mask}",
            "2:",
            "cmp {line}, {end}",
            "bhs 3f",
            "20: mcr p15, 0, {line}, c7, c11, 1",
            extable!("20b", "9f"),
            "21: mcr p15, 0, {line}, c7, c5, 1",
            extable!("21b", "9f"),
            "add {line}, {line}, #{line_size}",
            "b 2b",
            "9:",
            "mov {faulted}, #1",
            "3:",
            "dsb",
            "mcr p15, 0, {faulted}, c7, c5, 6",
            "dsb",
            "isb",
            window_close!("{saved}"),
            saved = out(reg) _,
            scratch = out(reg) _,
            user_client = const USER_CLIENT_BIT,
            user_access = const USER_ACCESS,
            line_mask = const CACHE_LINE - 1,
            line_size = const CACHE_LINE,
            start = in(reg) start,
            end = in(reg) end,
            line = out(reg) _,
            faulted = out(reg) faulted,
            options(nostack),
        )
    };
    faulted != 0
}
