//! The user programs embedded in the kernel image (built from `user/` by build.rs), seen as
//! a read-only directory, `/bin`.
//!
//! Each entry carries what a file's inode would: an owner, mode bits (with setuid and setgid)
//! and an optional file capability record. `execve` finds a program by its path (`/bin/NAME`);
//! the kernel command line (`init=NAME`) and `spawn` also take the bare name.

use crate::credentials::{ExecutableFile, FileCapabilities, ROOT, SET_GID, SET_UID};
use crate::errno::Errno;
use crate::uaccess::{UserPtr, copy_record_to_user};
use swpan_abi::exec::BIN;
use swpan_abi::{BinEntry, ProcessStatus};

/// An embedded user program: one entry of `/bin`.
pub struct Program {
    /// Its name, as `spawn` takes it (`/bin/` + name for `execve`).
    pub name: &'static str,
    /// Its ELF image (the file's bytes).
    pub image: &'static [u8],
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// Permission bits, setuid and setgid included (`st_mode & 0o7777`).
    pub mode: u32,
    /// The file capability record (`security.capability`), if it has one.
    pub capabilities: Option<FileCapabilities>,
}

impl Program {
    /// What `execve` needs to know of the file.
    pub const fn file(&self) -> ExecutableFile {
        ExecutableFile { uid: self.uid, gid: self.gid, mode: self.mode }
    }
}

/// The mode of an ordinary program: rwxr-xr-x.
const EXECUTABLE: u32 = 0o755;

/// The image of `validate_cap`, shared by its set-id copies.
const VALIDATE_CAP: &[u8] = include_bytes!(env!("SWPAN_USER_VALIDATE_CAP"));

/// A copy of `validate_cap` under `name`, owned by `uid`:`gid`, with `mode`.
const fn validate_cap_copy(name: &'static str, uid: u32, gid: u32, mode: u32) -> Program {
    Program { name, image: VALIDATE_CAP, uid, gid, mode, capabilities: None }
}

macro_rules! programs {
    ($($name:literal => $variable:literal),* $(,)?) => {
        /// Every embedded program, in name order, then the text entry.
        pub static PROGRAMS: &[Program] = &[
            $(Program {
                name: $name,
                image: include_bytes!(env!($variable)),
                uid: ROOT,
                gid: ROOT,
                mode: EXECUTABLE,
                capabilities: None,
            },)*
            // dmesg as a file with capabilities, as `setcap cap_syslog=ep /bin/klogread` makes
            // it on Linux: the pre-v4.3 way to let a plain user read the kernel log.
            Program {
                name: "klogread",
                image: include_bytes!(env!("SWPAN_USER_DMESG")),
                uid: ROOT,
                gid: ROOT,
                mode: EXECUTABLE,
                capabilities: Some(FileCapabilities {
                    permitted: 1 << swpan_abi::capability::SYSLOG,
                    inheritable: 0,
                    effective: true,
                }),
            },
            // The set-id copies of validate_cap that Linux's capability selftest
            // (test_execve) makes with chown and chmod: setuid to root and to uid 1, setgid
            // to group 0 and to group 1. The setuid-root one is /bin's setuid-root program.
            validate_cap_copy("validate_cap_suidroot", ROOT, ROOT, SET_UID | EXECUTABLE),
            validate_cap_copy("validate_cap_suidnonroot", 1, ROOT, SET_UID | EXECUTABLE),
            validate_cap_copy("validate_cap_sgidroot", ROOT, ROOT, SET_GID | EXECUTABLE),
            validate_cap_copy("validate_cap_sgidnonroot", ROOT, 1, SET_GID | EXECUTABLE),
            // A plain file, not a program: executing it is EACCES, as on Linux.
            Program {
                name: "README",
                image: b"/bin: the programs embedded in the swpan kernel image\n",
                uid: ROOT,
                gid: ROOT,
                mode: 0o644,
                capabilities: None,
            },
        ];
    };
}

programs! {
    "ambient" => "SWPAN_USER_AMBIENT",
    "badptr" => "SWPAN_USER_BADPTR",
    "bench" => "SWPAN_USER_BENCH",
    "capsh" => "SWPAN_USER_CAPSH",
    "dmesg" => "SWPAN_USER_DMESG",
    "escalate" => "SWPAN_USER_ESCALATE",
    "fuzz" => "SWPAN_USER_FUZZ",
    "getcap" => "SWPAN_USER_GETCAP",
    "provoke" => "SWPAN_USER_PROVOKE",
    "sandbox" => "SWPAN_USER_SANDBOX",
    "seccomp_bpf" => "SWPAN_USER_SECCOMP_BPF",
    "sh" => "SWPAN_USER_SHELL",
    "shell" => "SWPAN_USER_SHELL",
    "syscall" => "SWPAN_USER_SYSCALL",
    "taskset" => "SWPAN_USER_TASKSET",
    "test_execve" => "SWPAN_USER_TEST_EXECVE",
    "tour" => "SWPAN_USER_TOUR",
    "true" => "SWPAN_USER_TRUE",
    "usertest" => "SWPAN_USER_USERTEST",
    "validate_cap" => "SWPAN_USER_VALIDATE_CAP",
}

// Every file capability record holds only capabilities Linux has (0 to 40).
const _: () = {
    let mut index = 0;
    while index < PROGRAMS.len() {
        if let Some(capabilities) = &PROGRAMS[index].capabilities {
            assert!(capabilities.is_valid(), "a file capability above CAP_LAST_CAP");
        }
        index += 1;
    }
};

/// The program called `name` (a bare name).
pub fn find(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|program| program.name == name)
}

/// The entry at `path`: `/bin/NAME`, or a bare `NAME` when `bare_names` (the command line,
/// `spawn`). ENOENT for anything else; EACCES for `/bin` itself (a directory).
pub fn lookup(path: &str, bare_names: bool) -> Result<&'static Program, Errno> {
    let name = match path.strip_prefix(BIN) {
        Some("" | "/") => return Err(Errno::EACCES),
        Some(rest) => rest.strip_prefix('/').ok_or(Errno::ENOENT)?,
        None if bare_names && !path.contains('/') => path,
        None => return Err(Errno::ENOENT),
    };
    find(name).ok_or(Errno::ENOENT)
}

/// `bin_entry(index, &mut BinEntry)`: entry `index` of `/bin`, ENOENT past the last.
pub fn bin_entry(index: u32, destination: UserPtr<BinEntry>) -> Result<u32, Errno> {
    let program = PROGRAMS.get(index as usize).ok_or(Errno::ENOENT)?;
    let record = program.capabilities.unwrap_or(FileCapabilities {
        permitted: 0,
        inheritable: 0,
        effective: false,
    });
    let mut entry = BinEntry {
        uid: program.uid,
        gid: program.gid,
        mode: program.mode,
        size: program.image.len() as u32,
        has_capabilities: u32::from(program.capabilities.is_some()),
        cap_effective: u32::from(record.effective),
        cap_permitted: ProcessStatus::split(record.permitted),
        cap_inheritable: ProcessStatus::split(record.inheritable),
        name: [0; 28],
    };
    let name = program.name.as_bytes();
    entry.name[..name.len()].copy_from_slice(name);
    copy_record_to_user(destination, &entry)?;
    Ok(0)
}
