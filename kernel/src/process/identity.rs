//! The credential system calls (getuid32 ... setresgid32) and `getstatus`: the running
//! process's credentials, read and changed by the rules of [`crate::credentials`].

use super::table::{TABLE, current_pid, with_current};
use crate::credentials::{Credentials, Id, Kind};
use crate::errno::Errno;
use crate::uaccess::{UserPtr, copy_record_to_user, put_user};
use swpan_abi::ProcessStatus;

/// Which id of a kind a getter returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The real id.
    Real,
    /// The effective id.
    Effective,
}

/// getuid32, geteuid32 (`Kind::User`), getgid32, getegid32.
pub fn get_id(kind: Kind, which: Which) -> Result<u32, Errno> {
    Ok(with_current(|process| {
        let ids = match kind {
            Kind::User => process.credentials.uid,
            Kind::Group => process.credentials.gid,
        };
        match which {
            Which::Real => ids.real,
            Which::Effective => ids.effective,
        }
    }))
}

/// getresuid32 (`Kind::User`) or getresgid32: the real, effective and saved ids, each stored
/// with `put_user` (EFAULT at the first bad pointer, as Linux).
pub fn get_real_effective_saved(
    kind: Kind,
    real: UserPtr<u32>,
    effective: UserPtr<u32>,
    saved: UserPtr<u32>,
) -> Result<u32, Errno> {
    let ids = with_current(|process| match kind {
        Kind::User => process.credentials.uid,
        Kind::Group => process.credentials.gid,
    });
    put_user(real, ids.real)?;
    put_user(effective, ids.effective)?;
    put_user(saved, ids.saved)?;
    Ok(0)
}

/// setuid32 (`Kind::User`) or setgid32.
pub fn set_id(kind: Kind, id: Id) -> Result<u32, Errno> {
    with_current(|process| process.credentials.set_id(kind, id)).map(|()| 0)
}

/// setreuid32 (`Kind::User`).
pub fn set_real_effective(kind: Kind, real: Id, effective: Id) -> Result<u32, Errno> {
    with_current(|process| process.credentials.set_real_effective(kind, real, effective))
        .map(|()| 0)
}

/// setresuid32 (`Kind::User`) or setresgid32.
pub fn set_real_effective_saved(
    kind: Kind,
    real: Id,
    effective: Id,
    saved: Id,
) -> Result<u32, Errno> {
    with_current(|process| {
        process.credentials.set_real_effective_saved(kind, real, effective, saved)
    })
    .map(|()| 0)
}

/// Makes the running process root with every capability: the effect of Linux's
/// `commit_creds(prepare_kernel_cred(NULL))`, the kernel's own credentials installed on the
/// caller. swpan's kernel has no caller of its own for it; it is here, under a plain symbol
/// name, as the target that a kernel exploit calls (docs/course/14-privilege-escalation.md),
/// the way Linux exploits call those two functions. Takes and ignores one word and returns 0,
/// the shape of an operations-table handler.
#[unsafe(no_mangle)]
pub extern "C" fn commit_root_credentials(_unused: u32) -> u32 {
    with_current(|process| process.credentials = Credentials::root());
    0
}

/// Keeps [`commit_root_credentials`] in the image (and in the symbol table) although nothing
/// calls it by name: the linker drops what no one references.
#[used]
static KEEP_COMMIT_ROOT_CREDENTIALS: extern "C" fn(u32) -> u32 = commit_root_credentials;

/// `getstatus(&mut ProcessStatus)`: the running process's identity and credentials.
pub fn get_status(destination: UserPtr<ProcessStatus>) -> Result<u32, Errno> {
    let status = {
        let table = TABLE.lock();
        let process =
            table.processes.get(&current_pid()).expect("the running process is in the table");
        let credentials = &process.credentials;
        let sets = &credentials.capabilities;
        let mut status = ProcessStatus {
            pid: process.pid,
            ppid: process.parent,
            uid: credentials.uid.as_array(),
            gid: credentials.gid.as_array(),
            cap_inheritable: ProcessStatus::split(sets.inheritable),
            cap_permitted: ProcessStatus::split(sets.permitted),
            cap_effective: ProcessStatus::split(sets.effective),
            cap_bounding: ProcessStatus::split(sets.bounding),
            cap_ambient: ProcessStatus::split(sets.ambient),
            no_new_privs: u32::from(credentials.no_new_privs),
            seccomp: process.seccomp.mode(),
            name: [0; 16],
        };
        // Linux's comm: at most 15 bytes and a NUL.
        let name = process.name.as_bytes();
        let length = name.len().min(status.name.len() - 1);
        status.name[..length].copy_from_slice(&name[..length]);
        status
    };
    copy_record_to_user(destination, &status)?;
    Ok(0)
}
