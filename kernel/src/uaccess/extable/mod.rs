//! The exception table: every memory access inside a uaccess window, and where a user access
//! resumes if it faults.
//!
//! Every load or store between a window's open and its close is listed by the assembler
//! (`.pushsection __ex_table`) as it is emitted; the linker gathers the entries between
//! `__ex_table_start` and `__ex_table_end_exclusive`. An entry is three words:
//!
//! | word | meaning |
//! |---|---|
//! | instruction | the access's address |
//! | fixup | where a faulting user access resumes (0 for a kernel-buffer access) |
//! | kind | [`USER_ACCESS`] or [`KERNEL_BUFFER`] |
//!
//! A [`USER_ACCESS`] that takes a translation, access flag or permission fault resumes at its
//! fixup (see `arch::exception`); a domain fault is a kernel bug and oopses even there. A
//! [`KERNEL_BUFFER`] access (a copy routine storing into, or loading from, the kernel's side
//! of the copy) is never fixed up: it is listed so that the window verifier
//! (`tools/windowcheck`) can prove that nothing else touches memory inside a window. Entries
//! arrive in link order, so [`init`] sorts them once at boot and [`search`] is a binary
//! search.

mod search;
#[cfg(target_arch = "arm")]
mod table;

pub use search::*;
#[cfg(target_arch = "arm")]
pub use table::*;
