//! `execve` and `spawn` with an argv: the path and the argument vectors copied in through
//! uaccess, with counted limits.
//!
//! | what | limit | error |
//! |---|---|---|
//! | the path | [`PATH_MAX`] bytes with its NUL | ENAMETOOLONG |
//! | argv and envp | [`ARG_MAX`](super::arguments::ARG_MAX) bytes: strings, NULs, one pointer each | E2BIG |
//! | any pointer (the path, a vector, a vector element, a string) | in the user half, mapped | EFAULT |
//! | the path names no entry of `/bin` | | ENOENT |
//! | the entry is not executable by the caller (or is `/bin` itself) | | EACCES |
//!
//! A vector pointer of NULL is an empty vector (as Linux accepts, with a warning). The checks
//! run in Linux's order: the path, the file, then the vectors; the old program is replaced
//! only once the new one is completely built, so every error returns to the caller intact.

use super::arguments::Arguments;
use super::programs::{self, Program};
use super::table::{current_pid, with_current};
use crate::arch::trap_frame::TrapFrame;
use crate::errno::Errno;
use crate::uaccess::{UserPtr, get_user, strncpy_from_user, strnlen_user};
use swpan_abi::exec::PATH_MAX;

/// `execve(path, argv, envp)`: runs `/bin/NAME` in place of the caller's program. Returns 0
/// in the new program's r0 on success.
pub fn execve(
    frame: &mut TrapFrame,
    path: UserPtr<u8>,
    argv: UserPtr<u32>,
    envp: UserPtr<u32>,
) -> Result<u32, Errno> {
    let mut buffer = [0u8; PATH_MAX];
    let program = programs::lookup(copy_path(path, &mut buffer)?, false)?;
    check_executable(program)?;
    let mut arguments = Arguments::new();
    copy_vector(argv, false, &mut arguments)?;
    copy_vector(envp, true, &mut arguments)?;
    super::lifecycle::exec_current(frame, program, &arguments)?;
    Ok(0)
}

/// `spawn(program, NULL, argv)`: starts `program` (`/bin/NAME` or `NAME`) in a new child with
/// `argv` copied in as `execve` copies it (and no environment). Returns the child's pid.
pub fn spawn_vector(path: UserPtr<u8>, argv: UserPtr<u32>) -> Result<u32, Errno> {
    let mut buffer = [0u8; PATH_MAX];
    let path = copy_path(path, &mut buffer)?;
    check_executable(programs::lookup(path, true)?)?;
    let mut arguments = Arguments::new();
    copy_vector(argv, false, &mut arguments)?;
    super::lifecycle::spawn_with(path, &arguments, current_pid())
}

/// EACCES unless the running process may execute `program`.
fn check_executable(program: &Program) -> Result<(), Errno> {
    let file = program.file();
    if with_current(|process| process.credentials.may_execute(&file)) {
        Ok(())
    } else {
        Err(Errno::EACCES)
    }
}

/// Copies the path in: ENAMETOOLONG when it does not end within [`PATH_MAX`] bytes, ENOENT
/// when it is empty or not UTF-8 (no entry has such a name).
fn copy_path(path: UserPtr<u8>, buffer: &mut [u8; PATH_MAX]) -> Result<&str, Errno> {
    let length = strncpy_from_user(buffer, path)?;
    if length == PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    match core::str::from_utf8(&buffer[..length]) {
        Ok("") | Err(_) => Err(Errno::ENOENT),
        Ok(path) => Ok(path),
    }
}

/// Appends the strings of the NULL-terminated pointer array at `vector` to `arguments` (to
/// envp when `environment`). Each pointer is read with `get_user`, each string measured with
/// `strnlen_user` against the room left, then copied with `strncpy_from_user`.
fn copy_vector(
    vector: UserPtr<u32>,
    environment: bool,
    arguments: &mut Arguments,
) -> Result<(), Errno> {
    if vector.address() == 0 {
        return Ok(());
    }
    let mut index = 0u32;
    loop {
        let slot = vector.byte_add(index.checked_mul(4).ok_or(Errno::E2BIG)?);
        let pointer = get_user(slot.ok_or(Errno::EFAULT)?)?;
        if pointer == 0 {
            return Ok(());
        }
        let string = UserPtr::<u8>::new(pointer);
        let room = arguments.room();
        // Its size with the NUL; room + 1 when it does not end within the room.
        let length = strnlen_user(string, room)?;
        if length > room {
            return Err(Errno::E2BIG);
        }
        arguments.append_with(length, environment, |slot| {
            // A string that changed since it was measured is EFAULT (append_with checks the NUL).
            let copied = strncpy_from_user(slot, string)?;
            if copied + 1 == length { Ok(()) } else { Err(Errno::EFAULT) }
        })?;
        index += 1;
    }
}
