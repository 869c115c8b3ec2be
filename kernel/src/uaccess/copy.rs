//! The user-access routines: each is one `asm!` block, or for the copies and `clear_user` one
//! assembly function, that opens the window, touches user memory with instructions listed in
//! the exception table, and closes the window.
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

/// An exception-table entry for one access of a copy loop: `user` lists a user access with
/// its fixup, `kernel` an access to the kernel's buffer (never fixed up).
macro_rules! listed {
    (user, $instruction:literal, $fixup:literal) => {
        extable!($instruction, $fixup)
    };
    (kernel, $instruction:literal, $fixup:literal) => {
        kernel_access!($instruction)
    };
}

/// The bytes one `ldm`/`stm` of the copy loops moves: eight registers, r3-r10.
pub const BLOCK: u32 = 32;

/// The blocks one turn of the copy loops moves.
pub const BLOCKS_PER_TURN: u32 = 8;

/// A user copy routine in assembly, `name(destination r0, source r1, count r2) -> r0`, the
/// bytes not copied. `$load` and `$store` say which side is user memory (`user`) and which the
/// kernel's buffer (`kernel`). It saves r4-r10 before the window opens and restores them after
/// it closes, so nothing inside touches the stack; r12 holds the DACR to restore.
///
/// Co-aligned pointers move eight [`BLOCK`]s per loop turn (the count lowered by the whole
/// turn first), then single blocks, words and bytes; other pointers move bytes. A fault in the
/// n-th block of a turn resumes at the fixup that adds back the 8 - n + 1 blocks not copied
/// (label 91 adds all eight, 98 one), so the count left says how far the copy got, rounded
/// down to a block.
macro_rules! user_copy_routine {
    ($name:literal, $load:ident, $store:ident) => {
        core::arch::global_asm!(
            concat!(".pushsection .text.", $name, ", \"ax\""),
            ".arm",
            ".balign 4",
            concat!(".global ", $name),
            concat!(".type ", $name, ", %function"),
            concat!($name, ":"),
            "push {{r4-r10}}",
            window_open!("r12", "r3"),
            "orr r3, r0, r1",
            "tst r3, #3",
            "bne 60f",
            "subs r2, r2, #{turn}",
            "blo 30f",
            "20: ldm r1!, {{r3-r10}}",
            listed!($load, "20b", "91f"),
            "21: stm r0!, {{r3-r10}}",
            listed!($store, "21b", "91f"),
            "22: ldm r1!, {{r3-r10}}",
            listed!($load, "22b", "92f"),
            "23: stm r0!, {{r3-r10}}",
            listed!($store, "23b", "92f"),
            "24: ldm r1!, {{r3-r10}}",
            listed!($load, "24b", "93f"),
            "25: stm r0!, {{r3-r10}}",
            listed!($store, "25b", "93f"),
            "26: ldm r1!, {{r3-r10}}",
            listed!($load, "26b", "94f"),
            "27: stm r0!, {{r3-r10}}",
            listed!($store, "27b", "94f"),
            "28: ldm r1!, {{r3-r10}}",
            listed!($load, "28b", "95f"),
            "29: stm r0!, {{r3-r10}}",
            listed!($store, "29b", "95f"),
            "40: ldm r1!, {{r3-r10}}",
            listed!($load, "40b", "96f"),
            "41: stm r0!, {{r3-r10}}",
            listed!($store, "41b", "96f"),
            "42: ldm r1!, {{r3-r10}}",
            listed!($load, "42b", "97f"),
            "43: stm r0!, {{r3-r10}}",
            listed!($store, "43b", "97f"),
            "44: ldm r1!, {{r3-r10}}",
            listed!($load, "44b", "98f"),
            "45: stm r0!, {{r3-r10}}",
            listed!($store, "45b", "98f"),
            "subs r2, r2, #{turn}",
            "bhs 20b",
            // Single blocks: the count is the count left less one block.
            "30:",
            "adds r2, r2, #{turn} - {block}",
            "blo 50f",
            "31: ldm r1!, {{r3-r10}}",
            listed!($load, "31b", "98f"),
            "32: stm r0!, {{r3-r10}}",
            listed!($store, "32b", "98f"),
            "subs r2, r2, #{block}",
            "bhs 31b",
            "50:",
            "add r2, r2, #{block}",
            // Words.
            "51:",
            "cmp r2, #4",
            "blo 60f",
            "52: ldr r3, [r1], #4",
            listed!($load, "52b", "99f"),
            "53: str r3, [r0], #4",
            listed!($store, "53b", "99f"),
            "sub r2, r2, #4",
            "b 51b",
            // Bytes.
            "60:",
            "cmp r2, #0",
            "beq 99f",
            "61: ldrb r3, [r1], #1",
            listed!($load, "61b", "99f"),
            "62: strb r3, [r0], #1",
            listed!($store, "62b", "99f"),
            "sub r2, r2, #1",
            "b 60b",
            "91: add r2, r2, #{block}",
            "92: add r2, r2, #{block}",
            "93: add r2, r2, #{block}",
            "94: add r2, r2, #{block}",
            "95: add r2, r2, #{block}",
            "96: add r2, r2, #{block}",
            "97: add r2, r2, #{block}",
            "98: add r2, r2, #{block}",
            "99:",
            window_close!("r12"),
            "mov r0, r2",
            "pop {{r4-r10}}",
            "bx lr",
            concat!(".size ", $name, ", . - ", $name),
            ".popsection",
            block = const BLOCK,
            turn = const BLOCK * BLOCKS_PER_TURN,
            user_client = const USER_CLIENT_BIT,
            user_access = const USER_ACCESS,
            kernel_buffer = const KERNEL_BUFFER,
        );
    };
}

user_copy_routine!("uaccess_copy_from_user", user, kernel);
user_copy_routine!("uaccess_copy_to_user", kernel, user);

// uaccess_clear_user(destination r0, count r1) -> r0, the bytes not cleared: the copy loop's
// shape with eight zero registers stored per `stm`, and the same fixups.
core::arch::global_asm!(
    ".pushsection .text.uaccess_clear_user, \"ax\"",
    ".arm",
    ".balign 4",
    ".global uaccess_clear_user",
    ".type uaccess_clear_user, %function",
    "uaccess_clear_user:",
    "push {{r4-r10}}",
    "mov r2, r1",
    "mov r3, #0",
    "mov r4, #0",
    "mov r5, #0",
    "mov r6, #0",
    "mov r7, #0",
    "mov r8, #0",
    "mov r9, #0",
    "mov r10, #0",
    window_open!("r12", "r1"),
    "tst r0, #3",
    "bne 60f",
    "subs r2, r2, #{turn}",
    "blo 30f",
    "20: stm r0!, {{r3-r10}}",
    extable!("20b", "91f"),
    "21: stm r0!, {{r3-r10}}",
    extable!("21b", "92f"),
    "22: stm r0!, {{r3-r10}}",
    extable!("22b", "93f"),
    "23: stm r0!, {{r3-r10}}",
    extable!("23b", "94f"),
    "24: stm r0!, {{r3-r10}}",
    extable!("24b", "95f"),
    "25: stm r0!, {{r3-r10}}",
    extable!("25b", "96f"),
    "26: stm r0!, {{r3-r10}}",
    extable!("26b", "97f"),
    "27: stm r0!, {{r3-r10}}",
    extable!("27b", "98f"),
    "subs r2, r2, #{turn}",
    "bhs 20b",
    "30:",
    "adds r2, r2, #{turn} - {block}",
    "blo 50f",
    "31: stm r0!, {{r3-r10}}",
    extable!("31b", "98f"),
    "subs r2, r2, #{block}",
    "bhs 31b",
    "50:",
    "add r2, r2, #{block}",
    "51:",
    "cmp r2, #4",
    "blo 60f",
    "53: str r3, [r0], #4",
    extable!("53b", "99f"),
    "sub r2, r2, #4",
    "b 51b",
    "60:",
    "cmp r2, #0",
    "beq 99f",
    "62: strb r3, [r0], #1",
    extable!("62b", "99f"),
    "sub r2, r2, #1",
    "b 60b",
    "91: add r2, r2, #{block}",
    "92: add r2, r2, #{block}",
    "93: add r2, r2, #{block}",
    "94: add r2, r2, #{block}",
    "95: add r2, r2, #{block}",
    "96: add r2, r2, #{block}",
    "97: add r2, r2, #{block}",
    "98: add r2, r2, #{block}",
    "99:",
    window_close!("r12"),
    "mov r0, r2",
    "pop {{r4-r10}}",
    "bx lr",
    ".size uaccess_clear_user, . - uaccess_clear_user",
    ".popsection",
    block = const BLOCK,
    turn = const BLOCK * BLOCKS_PER_TURN,
    user_client = const USER_CLIENT_BIT,
    user_access = const USER_ACCESS,
);

unsafe extern "C" {
    fn uaccess_copy_from_user(destination: *mut u8, source: u32, count: u32) -> u32;
    fn uaccess_copy_to_user(destination: u32, source: *const u8, count: u32) -> u32;
    fn uaccess_clear_user(destination: u32, count: u32) -> u32;
}

/// Copies `count` bytes from user `source` to kernel `destination`; returns how many bytes
/// were not copied (0 on success).
///
/// # Safety
///
/// `destination` must be valid for `count` bytes of writes, and `[source, source + count)`
/// must have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_copy_from_user(destination: *mut u8, source: u32, count: u32) -> u32 {
    // SAFETY: the caller's contract; every user load of the routine is listed with a fixup
    // that leads to its close.
    unsafe { uaccess_copy_from_user(destination, source, count) }
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
    // SAFETY: the caller's contract; every user store of the routine is listed with a fixup
    // that leads to its close.
    unsafe { uaccess_copy_to_user(destination, source, count) }
}

/// Writes `count` zero bytes at user `destination`; returns how many were not written.
///
/// # Safety
///
/// `[destination, destination + count)` must have passed `access_ok`.
#[inline(always)]
pub unsafe fn raw_clear_user(destination: u32, count: u32) -> u32 {
    // SAFETY: the caller's contract; every user store of the routine is listed.
    unsafe { uaccess_clear_user(destination, count) }
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
