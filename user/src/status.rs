//! The lines of Linux's `/proc/self/status` that swpan has, built from `getstatus`.

use crate::abi::ProcessStatus;
use core::fmt::{self, Write};

/// Writes `status` as Linux writes those lines of `/proc/PID/status` (fs/proc/array.c): a
/// name, a colon, a tab, the values tab-separated; capability sets as 16 lowercase hex digits.
pub fn write(out: &mut impl Write, status: &ProcessStatus) -> fmt::Result {
    writeln!(out, "Name:\t{}", status.name())?;
    writeln!(out, "Pid:\t{}", status.pid)?;
    writeln!(out, "PPid:\t{}", status.ppid)?;
    for (label, ids) in [("Uid", status.uid), ("Gid", status.gid)] {
        writeln!(out, "{label}:\t{}\t{}\t{}\t{}", ids[0], ids[1], ids[2], ids[3])?;
    }
    let sets = [
        ("CapInh", status.cap_inheritable),
        ("CapPrm", status.cap_permitted),
        ("CapEff", status.cap_effective),
        ("CapBnd", status.cap_bounding),
        ("CapAmb", status.cap_ambient),
    ];
    for (label, set) in sets {
        writeln!(out, "{label}:\t{:016x}", ProcessStatus::join(set))?;
    }
    writeln!(out, "NoNewPrivs:\t{}", status.no_new_privs)?;
    writeln!(out, "Seccomp:\t{}", status.seccomp)
}
