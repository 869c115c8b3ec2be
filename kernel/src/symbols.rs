//! The kernel's own symbol table, embedded in the image, for call traces.
//!
//! The linker script places [`SPACE`] in `.kallsyms`; after linking, `tools/ksyms` (run by
//! `make build`) writes the function symbols into it in the format of
//! [`crate::kallsyms`]. A kernel built without that step (plain `cargo build`) finds the
//! section empty and prints bare addresses.

use crate::kallsyms::{Kallsyms, Location};
use core::fmt;

/// Bytes reserved for the symbol table.
pub const SIZE: usize = 64 << 10;

/// The reservation. Never read through this name: the compiler knows it as all zeros.
#[used]
#[unsafe(link_section = ".kallsyms")]
static SPACE: [u8; SIZE] = [0; SIZE];

unsafe extern "C" {
    static __kallsyms_start: u8;
    static __kallsyms_end_exclusive: u8;
}

/// The embedded table, if `tools/ksyms` filled it in.
pub fn table() -> Option<Kallsyms<'static>> {
    // SAFETY: the linker symbols delimit the `.kallsyms` section, which is read-only data for
    // the kernel's lifetime; reading through them (rather than `SPACE`) keeps the compiler from
    // assuming the bytes are the zeros it emitted.
    let blob = unsafe {
        let start = &raw const __kallsyms_start;
        let end = &raw const __kallsyms_end_exclusive;
        core::slice::from_raw_parts(start, end as usize - start as usize)
    };
    Kallsyms::parse(blob)
}

/// An address as `function+0x40/0x80`, or in hex when no symbol covers it.
pub struct Symbolized(pub u32);

impl fmt::Display for Symbolized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match table().and_then(|table| table.lookup(self.0)) {
            Some(location) => write!(f, "{location}"),
            None => write!(f, "{:#010x}", self.0),
        }
    }
}

/// The location of `address`, if a symbol covers it.
pub fn lookup(address: u32) -> Option<Location<'static>> {
    table().and_then(|table| table.lookup(address))
}
