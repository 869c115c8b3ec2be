//! lkdtm, the Linux Kernel Dump Test Module's crash types: kernel bugs provoked on purpose,
//! to prove that a protection stops them (drivers/misc/lkdtm/ in Linux).
//!
//! `provoke(name)` is lkdtm's DIRECT entry: it runs crash type `name` in the context of the
//! calling process, as `echo NAME > /sys/kernel/debug/provoke-crash/DIRECT` does. A
//! protected kernel oopses inside and the process dies there; a crash type that returns ran
//! to its end, which lkdtm reports with a `FAIL:` line (or `XFAIL:` when the test does not
//! apply to this platform).

mod bugs;
pub mod failure_paths;
mod perms;
pub mod vulnerable_ops;

use crate::errno::Errno;
use crate::process;

/// Prints an lkdtm message: `lkdtm: ...`, as Linux's `pr_fmt` does.
macro_rules! lkdtm_print {
    ($($argument:tt)*) => { $crate::println!("lkdtm: {}", format_args!($($argument)*)) };
}
pub(crate) use lkdtm_print;

/// How a crash type that returned ended (kept on the process, which hands it to its parent).
pub use crate::process::Survival;

/// One crash type.
pub struct CrashType {
    /// Its lkdtm name.
    pub name: &'static str,
    /// The test. Returns only if the kernel survived it (or it does not apply).
    pub run: fn() -> Survival,
}

/// Every crash type, in lkdtm's order (drivers/misc/lkdtm/perms.c).
pub const CRASH_TYPES: &[CrashType] = &[
    CrashType { name: "EXEC_DATA", run: perms::exec_data },
    CrashType { name: "EXEC_STACK", run: perms::exec_stack },
    CrashType { name: "EXEC_KMALLOC", run: perms::exec_kmalloc },
    CrashType { name: "EXEC_VMALLOC", run: perms::exec_vmalloc },
    CrashType { name: "EXEC_RODATA", run: perms::exec_rodata },
    CrashType { name: "EXEC_USERSPACE", run: perms::exec_userspace },
    CrashType { name: "EXEC_NULL", run: perms::exec_null },
    CrashType { name: "ACCESS_USERSPACE", run: perms::access_userspace },
    CrashType { name: "ACCESS_USERSPACE_LINEAR", run: perms::access_userspace_linear },
    CrashType { name: "ACCESS_NULL", run: perms::access_null },
    CrashType { name: "WRITE_RO", run: perms::write_ro },
    CrashType { name: "WRITE_RO_AFTER_INIT", run: perms::write_ro_after_init },
    CrashType { name: "WRITE_KERN", run: perms::write_kern },
    CrashType { name: "WRITE_OPD", run: perms::write_opd },
];

/// The crash types of lkdtm's bugs family that apply here (drivers/misc/lkdtm/bugs.c): run by
/// name, not part of `lkdtm=all` (the perms family).
pub const BUGS: &[CrashType] = &[CrashType { name: "EXHAUST_STACK", run: bugs::exhaust_stack }];

/// The perms family's names: what `lkdtm=all` runs.
pub fn names() -> impl Iterator<Item = &'static str> {
    CRASH_TYPES.iter().map(|crash_type| crash_type.name)
}

/// Every crash type's name, as the shell lists them: the perms family, then the bugs family.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    CRASH_TYPES.iter().chain(BUGS).map(|crash_type| crash_type.name)
}

/// The crash type called `name`.
pub fn find(name: &str) -> Option<&'static CrashType> {
    CRASH_TYPES.iter().chain(BUGS).find(|crash_type| crash_type.name == name)
}

/// Boot-time set-up, before init ends: writes the `ro_after_init` variable that
/// WRITE_RO_AFTER_INIT later finds read-only, and allows the failure path `hook` asks for.
pub fn init(hook: Option<crate::cmdline::TestHook>) {
    perms::init();
    failure_paths::init(hook);
}

/// Runs crash type `name` in the running process. Returns only if the kernel survived it (or
/// it does not apply), after recording that on the process.
pub fn provoke(name: &str) -> Result<(), Errno> {
    let crash_type = find(name).or_else(|| failure_paths::find(name)).ok_or(Errno::EINVAL)?;
    lkdtm_print!("Performing direct entry {}", crash_type.name);
    let survival = (crash_type.run)();
    process::with_current(|process| process.record_lkdtm_survival(survival));
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
