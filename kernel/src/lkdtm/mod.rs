//! lkdtm, the Linux Kernel Dump Test Module's crash types: kernel bugs provoked on purpose,
//! to prove that a protection stops them (drivers/misc/lkdtm/ in Linux).
//!
//! `provoke(name)` is lkdtm's DIRECT entry: it runs crash type `name` in the context of the
//! calling process, as `echo NAME > /sys/kernel/debug/provoke-crash/DIRECT` does. A
//! protected kernel oopses inside and the process dies there; a crash type that returns ran
//! to its end, which lkdtm reports with a `FAIL:` line.

mod perms;

use crate::errno::Errno;
use crate::process;

/// Prints an lkdtm message: `lkdtm: ...`, as Linux's `pr_fmt` does.
macro_rules! lkdtm_print {
    ($($argument:tt)*) => { $crate::println!("lkdtm: {}", format_args!($($argument)*)) };
}
pub(crate) use lkdtm_print;

/// One crash type.
pub struct CrashType {
    /// Its lkdtm name.
    pub name: &'static str,
    /// The test. Returns only if the kernel survived it: what survived.
    pub run: fn() -> &'static str,
}

/// Every crash type, in lkdtm's order.
pub const CRASH_TYPES: &[CrashType] = &[
    CrashType { name: "ACCESS_USERSPACE", run: perms::access_userspace },
    CrashType { name: "EXEC_USERSPACE", run: perms::exec_userspace },
];

/// The names, as the shell lists them.
pub fn names() -> impl Iterator<Item = &'static str> {
    CRASH_TYPES.iter().map(|crash_type| crash_type.name)
}

/// The crash type called `name`.
pub fn find(name: &str) -> Option<&'static CrashType> {
    CRASH_TYPES.iter().find(|crash_type| crash_type.name == name)
}

/// Runs crash type `name` in the running process. Returns only if the kernel survived it,
/// after recording what survived on the process.
pub fn provoke(name: &str) -> Result<(), Errno> {
    let crash_type = find(name).ok_or(Errno::EINVAL)?;
    lkdtm_print!("Performing direct entry {}", crash_type.name);
    let survived = (crash_type.run)();
    process::with_current(|process| process.record_lkdtm_survival(survived));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_abi_lists_every_crash_type() {
        let names: alloc::vec::Vec<&str> = super::names().collect();
        assert_eq!(names, swpan_abi::LKDTM_NAMES);
    }
}
