//! Linux's figures for the quantities swpan's benchmark measures, for the report's Linux
//! column: Debian's armhf Linux 6.1 (`6.1.0-50-armmp`, software PAN) on the same QEMU board,
//! counted the same way (`-icount shift=0`, fewest of several runs less an empty
//! measurement).
//!
//! The user-side figures are those of `docs/linux-side-by-side.md` (`make compare-linux`:
//! swpan's own `bench` ELF run on Linux); the kernel-side ones were measured by a small module
//! calling Linux's own routines (`../shared/reference/linux-on-qemu.md`). A figure is here only
//! where Linux has the same quantity; what Linux has no counterpart for (the invariant checks,
//! a `pan=off` boot, the boot to user mode) is absent.

/// Linux's instructions for the metric `name` (a swpan `bench.json` name), if it has the
/// same quantity.
pub fn figure(name: &str) -> Option<u64> {
    FIGURES.iter().find(|(metric, _)| *metric == name).map(|(_, count)| *count)
}

/// Metric name to Linux's instruction count.
pub const FIGURES: [(&str, u64); 19] = [
    // Kernel side: a module calling Linux's routines.
    ("window_open_close", 8), // uaccess_save_and_enable + restore: 7, and a thread-pointer read
    ("get_user", 19),
    ("put_user", 19),
    ("copy_from_user_8", 47), // arm_copy_from_user, without hardened usercopy's checks
    ("copy_from_user_64", 59),
    ("copy_from_user_4096", 694),
    ("copy_from_user_65536", 10294),
    ("memcpy_8", 34),
    ("memcpy_64", 46),
    ("memcpy_4096", 681),
    ("memcpy_65536", 10281),
    ("clear_user_4096", 2085),
    // User side: swpan's bench ELF on Linux (docs/linux-side-by-side.md).
    ("null_syscall_pan_on", 146),
    ("write_4096", 440), // /dev/null: Linux's null device copies nothing
    ("read_4096", 1850), // a FIFO: Linux's pipe code copying 4 KiB out
    ("sched_yield", 732),
    ("context_switch", 1707), // SCHED_FIFO, where every yield switches as in swpan
    ("signal_round_trip", 4576),
    ("execve", 149651),
];
