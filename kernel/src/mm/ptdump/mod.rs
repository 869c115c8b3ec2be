//! The page-table dump: the translation tables as the MMU walks them, as address ranges with
//! their domain, access, execute-never bits and memory type, merged where attributes are
//! equal (in the spirit of Linux's `/sys/kernel/debug/kernel_page_tables`).
//!
//! ```text
//! 0x80000000-0x8002a000  168K  k:RO u:--  x  .    dom 0 KERNEL   WBWA   global  page
//! 0xf8000000-0xf8200000    2M  k:RW u:--  nx pxn  dom 2 IO       DEVICE global  section
//! ```
//!
//! Columns: range, size, kernel access, user access, `x`/`nx` (XN), `pxn` (PXN, or PXNTABLE
//! of the page's table), domain, memory type, `global`/`ng` (nG: tagged with the ASID),
//! descriptor level. The merging and the format are pure logic, unit-tested on the host; the
//! walk of the live tables is target-only.

mod ranges;
#[cfg(target_arch = "arm")]
mod walk;

pub use ranges::*;
#[cfg(target_arch = "arm")]
pub use walk::{dump_kernel, dump_user, print};
