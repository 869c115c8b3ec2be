//! The kernel's `memcpy`, `memmove` and `memset`, in ARM assembly (`memory_routines.s`).
//!
//! `compiler_builtins` defines these symbols, and the `__aeabi_mem*` entry points the
//! compiler calls for copies and fills, as weak portable versions that move a word per loop
//! turn; these strong definitions take their place at link time. Bulk copies move 32 bytes
//! per `ldm`/`stm` pair, four pairs per loop turn; a misaligned source is read as aligned
//! words and shifted into place, since the kernel runs them before its MMU is on, when an
//! unaligned access faults. The self-test `memory_routines.*` checks every size from 0 to 64
//! at every pair of alignments against a byte loop.

core::arch::global_asm!(include_str!("memory_routines.s"), options(raw));
