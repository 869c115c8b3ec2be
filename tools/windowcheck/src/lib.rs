//! `windowcheck`: proves from the kernel ELF that every DACR user-access window is safe.
//!
//! swpan emulates PAN with the DACR: the user domain is "No access" in kernel mode, and a
//! window (`mrc` the DACR, `orr` the user domain's Client bit, `mcr`, `isb` ... `mcr` the
//! saved value, `isb`) opens it around user accesses. This crate checks the compiled kernel,
//! not its source, so it also sees what the compiler did to the inline assembly:
//!
//! 1. every DACR write stores DACR_KERNEL, DACR_USER, a saved DACR with the Client bit added,
//!    or a saved DACR (the trap frame's copy on exception return paths); never a Manager
//!    domain or an unknown value. Outside the return paths, DACR_USER and the Client bit are
//!    both an open, with every rule below; only the boot's pan on/off choice between
//!    DACR_KERNEL and DACR_USER is not, and there may be one such choice;
//! 2. every path from an open reaches its close inside the function;
//! 3. nothing is called, and nothing branches out of the function, inside a window;
//! 4. every load and store inside a window is in the exception table, and every table entry
//!    lies inside a window;
//! 5. every pan exception entry stub writes DACR_KERNEL and `isb` on every path before it
//!    calls Rust (so every handler, and all it calls, runs with the window closed, as the
//!    analysis assumes), the return paths restore it right before `rfe`, and the pan=off set
//!    never writes it.
//!
//! [`Program::from_elf`] reads the kernel, [`check()`] analyses it (see `analysis` for the
//! data-flow pass) and returns a [`Report`]. Functions under [`EXEMPT_NAMESPACE`] (the
//! in-kernel self-tests, which nest windows and fault inside them on purpose) are analysed
//! like the rest, but what they break is counted apart, never as a violation; the parts of
//! that namespace the rest of the kernel runs ([`NOT_EXEMPT`]) are checked like the rest.

mod analysis;
mod check;
mod decode;
pub mod program;
pub mod report;
mod state;

pub use check::check;
pub use program::{LoadError, Program};
pub use report::{Report, Violation, Window};

/// The namespace whose functions may break the window rules on purpose: the self-tests.
pub const EXEMPT_NAMESPACE: &str = "swpan::selftest::";

/// The parts of [`EXEMPT_NAMESPACE`] that run outside the self-tests, and so are checked like
/// the rest of the kernel: the boot-time `init` with the one it calls. Each is a function, or
/// a module whose functions all count. (The expected-exception hook, which every exception
/// handler and every oops or panic calls, is outside the namespace altogether:
/// `swpan::expected_exception`.)
pub const NOT_EXEMPT: [&str; 2] = ["swpan::selftest::init", "swpan::selftest::memory::init"];

/// Whether `function` runs only in the self-tests: in the exempt namespace and in none of
/// its [`NOT_EXEMPT`] parts.
pub fn is_exempt(function: &program::Function) -> bool {
    let name = function.name.as_str();
    let within = |path: &str| {
        name.strip_prefix(path).is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    };
    name.starts_with(EXEMPT_NAMESPACE) && !NOT_EXEMPT.iter().any(|path| within(path))
}

/// Reads the kernel ELF in `bytes` and checks it.
pub fn check_elf(bytes: &[u8]) -> Result<Report, LoadError> {
    let program = Program::from_elf(bytes)?;
    check(&program).map_err(LoadError)
}
