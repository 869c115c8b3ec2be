//! seccomp from user mode: `no_new_privs`, strict mode, installing a classic-BPF filter, the
//! hex form of a filter that `sandbox --filter=` takes, and a compiler from a table of rules.
//!
//! A filter here is a slice of [`SockFilter`], the same 8-byte instructions libseccomp's
//! `export_bpf` writes; [`install_filter`] hands it to `seccomp(SECCOMP_SET_MODE_FILTER)`
//! through a `sock_fprog`.

use crate::syscall::raw;
use swpan_abi::seccomp::{self, SockFilter, SockFprog, bpf, operation};
use swpan_abi::{Errno, prctl, syscall as number};

/// `seccomp(operation, flags, argument)`: `argument` is an address (or NULL). The error is
/// the errno's number, whatever it is (`Errno` names only some).
pub fn seccomp(operation: u32, flags: u32, argument: u32) -> Result<u32, u32> {
    // SAFETY: the kernel reads a `sock_fprog` or a u32 at `argument` through uaccess; a bad
    // address comes back as EFAULT, never as a write into this process. The one operation
    // that writes (GET_NOTIF_SIZES) is the caller's to point at six bytes.
    let result = unsafe { raw(number::SECCOMP, [operation, flags, argument, 0, 0, 0]) };
    match result as i32 {
        -4095..=-1 => Err((result as i32).unsigned_abs()),
        _ => Ok(result),
    }
}

/// `errno N (NAME)`, how the programs print an errno number.
pub struct ErrnoText(pub u32);

impl core::fmt::Display for ErrnoText {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = Errno::from_number(self.0).map_or("unknown", Errno::name);
        write!(formatter, "errno {} ({name})", self.0)
    }
}

/// `prctl(PR_SET_NO_NEW_PRIVS, 1)`: execve never grants privileges again (irreversible).
pub fn set_no_new_privs() -> Result<(), Errno> {
    crate::syscall::prctl(prctl::SET_NO_NEW_PRIVS, [1, 0, 0, 0]).map(|_| ())
}

/// Enters strict mode: from now on only read, write, exit and rt_sigreturn; anything else
/// kills the process with SIGKILL.
pub fn enter_strict_mode() -> Result<(), u32> {
    seccomp(operation::SET_MODE_STRICT, 0, 0).map(|_| ())
}

/// Installs `filter` with `flags` (`seccomp::filter_flag`): it runs on every later system
/// call of this process and its children, before the filters installed earlier.
pub fn install_filter(filter: &[SockFilter], flags: u32) -> Result<(), u32> {
    let length = u16::try_from(filter.len()).map_err(|_| Errno::EINVAL.number())?;
    let program = SockFprog { len: length, padding: 0, filter: filter.as_ptr() as u32 };
    seccomp(operation::SET_MODE_FILTER, flags, core::ptr::from_ref(&program) as u32).map(|_| ())
}

/// Why a hex string is not a filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HexError {
    /// No digits at all.
    Empty,
    /// A character that is not a hex digit, at this byte offset.
    NotHex(usize),
    /// An odd number of digits: half a byte.
    OddLength,
    /// A whole number of bytes, but not of 8-byte instructions.
    PartialInstruction,
    /// More instructions than the buffer holds.
    TooLong,
}

impl core::fmt::Display for HexError {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HexError::Empty => formatter.write_str("the filter is empty"),
            HexError::NotHex(at) => write!(formatter, "not a hex digit at offset {at}"),
            HexError::OddLength => formatter.write_str("an odd number of hex digits"),
            HexError::PartialInstruction => {
                formatter.write_str("not a whole number of instructions (16 hex digits each)")
            }
            HexError::TooLong => formatter.write_str("too many instructions"),
        }
    }
}

fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// How many instructions the hex string `text` holds, or why it is malformed.
pub fn hex_instruction_count(text: &str) -> Result<usize, HexError> {
    let bytes = text.as_bytes();
    if let Some(at) = bytes.iter().position(|&byte| hex_digit(byte).is_none()) {
        return Err(HexError::NotHex(at));
    }
    match bytes.len() {
        0 => Err(HexError::Empty),
        length if length % 2 != 0 => Err(HexError::OddLength),
        length if length % (2 * SockFilter::SIZE) != 0 => Err(HexError::PartialInstruction),
        length => Ok(length / (2 * SockFilter::SIZE)),
    }
}

/// Decodes the hex string `text` (each instruction's 8 little-endian bytes, as `export_bpf`
/// writes them) into `out`; returns the instructions decoded.
pub fn parse_hex<'a>(text: &str, out: &'a mut [SockFilter]) -> Result<&'a [SockFilter], HexError> {
    let count = hex_instruction_count(text)?;
    if count > out.len() {
        return Err(HexError::TooLong);
    }
    for (slot, digits) in out.iter_mut().zip(text.as_bytes().chunks_exact(2 * SockFilter::SIZE)) {
        let mut bytes = [0u8; SockFilter::SIZE];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            // Both are hex digits: checked above.
            *byte = (hex_digit(pair[0]).unwrap_or(0) << 4) | hex_digit(pair[1]).unwrap_or(0);
        }
        *slot = SockFilter::from_le_bytes(bytes);
    }
    Ok(&out[..count])
}

/// Writes `filter` as hex, the form [`parse_hex`] reads.
pub fn write_hex(filter: &[SockFilter], out: &mut impl core::fmt::Write) -> core::fmt::Result {
    for instruction in filter {
        for byte in instruction.to_le_bytes() {
            write!(out, "{byte:02x}")?;
        }
    }
    Ok(())
}

/// One line of a policy table: what a system call gets.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The call's name, for listings.
    pub name: &'static str,
    /// Its ARM EABI number.
    pub number: u32,
    /// The action the filter returns for it (`seccomp::RET_*`, with data for ERRNO).
    pub action: u32,
}

/// A policy: a table of rules and the action for every other call.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// The name `sandbox --policy=` knows it by.
    pub name: &'static str,
    /// What it is for, in one line.
    pub summary: &'static str,
    /// The calls it names.
    pub rules: &'static [Rule],
    /// The action for every call the table does not name.
    pub default_action: u32,
    /// True when `execve` is allowed only for the launcher's own path (see [`compile`]).
    pub exec_once: bool,
}

/// The instructions [`compile`] emits at most for `policy`.
pub const fn compiled_length(policy: &Policy) -> usize {
    3 + 5 + 2 * policy.rules.len() + 2
}

/// Compiles `policy` to classic BPF into `out`, the way libseccomp lays a filter out: the
/// architecture check first (a call from another ABI is killed), then the number compared
/// with each rule in turn, the default action last. With [`Policy::exec_once`], `execve`
/// passes only when its path argument is `exec_path`, the address of the launcher's own path
/// string: the launcher's exec goes through, the program it starts cannot exec (unless it
/// places a path at that very address: a pointer is all a filter can see).
pub fn compile<'a>(
    policy: &Policy,
    exec_path: u32,
    out: &'a mut [SockFilter],
) -> Result<&'a [SockFilter], Errno> {
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    const ARG0_LOW: u32 = 16;
    let load = |offset| SockFilter::statement(bpf::LD | bpf::W | bpf::ABS, offset);
    let ret = |action| SockFilter::statement(bpf::RET | bpf::K, action);
    let equal = |value, jt, jf| SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, value, jt, jf);
    let mut program = [SockFilter::default(); 64];
    let mut length = 0;
    let mut emit = |instruction| {
        if let Some(slot) = program.get_mut(length) {
            *slot = instruction;
        }
        length += 1;
    };
    emit(load(ARCH));
    emit(equal(seccomp::AUDIT_ARCH_ARM, 1, 0));
    emit(ret(seccomp::RET_KILL_THREAD));
    emit(load(NR));
    if policy.exec_once {
        // execve? then its path: the launcher's allowed, anything else falls to the table.
        emit(equal(number::EXECVE, 0, 3));
        emit(load(ARG0_LOW));
        emit(equal(exec_path, 0, 1));
        emit(ret(seccomp::RET_ALLOW));
        emit(load(NR));
    }
    for rule in policy.rules {
        emit(equal(rule.number, 0, 1));
        emit(ret(rule.action));
    }
    emit(ret(policy.default_action));
    if length > program.len() || length > out.len() {
        return Err(Errno::E2BIG);
    }
    out[..length].copy_from_slice(&program[..length]);
    Ok(&out[..length])
}

/// The name of an action value, with its data where it has one (`ERRNO(1)`).
pub fn action_name(action: u32, out: &mut impl core::fmt::Write) -> core::fmt::Result {
    let data = action & seccomp::DATA;
    match action & seccomp::ACTION_FULL {
        seccomp::RET_KILL_PROCESS => out.write_str("KILL_PROCESS"),
        seccomp::RET_KILL_THREAD => out.write_str("KILL_THREAD"),
        seccomp::RET_TRAP => write!(out, "TRAP({data})"),
        seccomp::RET_ERRNO => match Errno::from_number(data) {
            Some(errno) => write!(out, "ERRNO({})", errno.name()),
            None => write!(out, "ERRNO({data})"),
        },
        seccomp::RET_USER_NOTIF => out.write_str("USER_NOTIF"),
        seccomp::RET_TRACE => write!(out, "TRACE({data})"),
        seccomp::RET_LOG => out.write_str("LOG"),
        seccomp::RET_ALLOW => out.write_str("ALLOW"),
        _ => write!(out, "{action:#010x}"),
    }
}
