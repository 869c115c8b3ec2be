//! `docgen pictures`: draws the three pictures of swpan's documentation as SVG from the
//! kernel's own console output, so that they show what the kernel really does and are never
//! drawn by hand.
//!
//! - **The address space** ([`address_map_svg`]): the shell's `ptdump` command prints the
//!   translation tables as the MMU walks them, section by section (`---[ Kernel: TTBR1 ]---`),
//!   one line per run of addresses mapped alike, with their permissions and MMU domain. The
//!   picture stacks every range and every gap between them over the whole 32-bit space,
//!   coloured by domain with what the DACR gives kernel mode for each (the user domain: No
//!   access, which is how swpan emulates PAN), and marks the never-mapped page 0, the guard
//!   pages and the TTBR0/TTBR1 split at `0x80000000`.
//! - **The linear map with and without the defence** ([`linear_map_svg`]): two ptdump
//!   outputs of the same job, one from an `xpfo=on` boot and one from `xpfo=off`, side by
//!   side over RAM's linear map: the holes the frames a process owns leave with exclusive
//!   page-frame ownership, and the read-write aliases (the ret2dir gap) they have without it.
//! - **A system call crossing the uaccess window** ([`syscall_sequence_svg`]): the tour (and
//!   the shell's `dacr` command) prints the DACR as the kernel saw it at each step of one
//!   system call. The picture is a sequence diagram of the user program, the exception entry,
//!   the system call handler and the uaccess window, with each reported DACR value beside its
//!   step, decoded field by field, the user domain's state as a coloured band.
//!
//! The pieces, in the order data flows through them:
//!
//! 1. `console` splits a capture into numbered lines, whatever its line ends;
//! 2. `ptdump` and `dacr_report` find their part of the capture, ignore every other line and
//!    read it strictly, naming the line of any error ([`Error`]);
//! 3. `address_space` turns the ranges into bands covering both halves; `syscall_events`
//!    lays out the events of a system call; `facts` takes the domains, the DACR decoding, the
//!    memory types and ptdump's words from the kernel's own library (`swpan`);
//! 4. `address_map` and `syscall_sequence` lay the pictures out, and the docs' SVG writer
//!    ([`crate::svg`]) writes them.
//!
//! Every picture is a pure function of the capture: coordinates are whole pixels computed
//! in integers and fonts are generic families, so the same capture always gives the same
//! bytes, fit to be checked in and compared with a fresh render.

mod address_map;
mod address_space;
mod console;
mod dacr_report;
mod descriptors;
mod error;
mod exception_path;
mod facts;
mod linear_map;
mod ptdump;
mod syscall_events;
mod syscall_sequence;

pub use error::Error;

/// The address-space picture (SVG) of the first ptdump output in `console`, a console
/// capture of a boot that ran the shell's `ptdump` command (or the tour).
pub fn address_map_svg(console: &str) -> Result<String, Error> {
    address_map::svg(console)
}

/// The picture of RAM's linear map from the first ptdump output of `with_defence` (a boot
/// with `xpfo=on`) beside that of `without_defence` (the same job with `xpfo=off`).
pub fn linear_map_svg(with_defence: &str, without_defence: &str) -> Result<String, Error> {
    linear_map::svg(with_defence, without_defence)
}

/// The short-descriptor bit layouts (SVG): an L1 section, an L1 page-table pointer and an L2
/// small page, with the entries the kernel writes, all from the kernel's own encoders.
pub fn descriptors_svg() -> String {
    descriptors::svg()
}

/// The exception path with software PAN (SVG): vector, entry stub, the data abort handler's
/// decisions in their source order, the return, and a fault and an interrupt inside a window,
/// read from the kernel's `trap.rs` and `arch/vectors.s`.
pub fn exception_path_svg(trap_rs: &str, vectors_s: &str) -> Result<String, Error> {
    exception_path::svg(trap_rs, vectors_s)
}

/// The sequence diagram (SVG) of a system call crossing the uaccess window, with the DACR at
/// each step from the first DACR report in `console`: the tour's, or the shell's `dacr`
/// command's.
pub fn syscall_sequence_svg(console: &str) -> Result<String, Error> {
    syscall_sequence::svg(console)
}
