//! The uaccess calls the kernel makes: each checks its range with `access_ok` first, then
//! runs one window of `copy.rs`.

use super::copy;
use super::{UserPtr, access_ok, user_bytes_from};
use crate::errno::Errno;
use swpan_abi::Record;

/// A value `get_user` / `put_user` can move in one access.
pub trait UserScalar: Copy + sealed::Sealed {
    /// Its size in bytes (1, 2 or 4).
    const SIZE: usize;
    /// From the loaded bits.
    fn from_bits(bits: u32) -> Self;
    /// To the bits to store.
    fn to_bits(self) -> u32;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! user_scalar {
    ($($type:ty),*) => {$(
        impl sealed::Sealed for $type {}
        impl UserScalar for $type {
            const SIZE: usize = core::mem::size_of::<$type>();
            fn from_bits(bits: u32) -> Self {
                bits as $type
            }
            fn to_bits(self) -> u32 {
                self as u32
            }
        }
    )*};
}
user_scalar!(u8, u16, u32, i32);

fn length_of(bytes: usize) -> Result<u32, Errno> {
    u32::try_from(bytes).map_err(|_| Errno::EFAULT)
}

/// Copies `destination.len()` bytes from user memory at `source`. On EFAULT the bytes that
/// could not be copied are zeroed, so no stale kernel data survives in the buffer.
pub fn copy_from_user(destination: &mut [u8], source: UserPtr<u8>) -> Result<(), Errno> {
    let count = length_of(destination.len())?;
    if let Err(error) = access_ok(source.address(), count) {
        destination.fill(0);
        return Err(error);
    }
    // SAFETY: `destination` is a live buffer of `count` bytes; the range passed access_ok.
    let not_copied =
        unsafe { copy::raw_copy_from_user(destination.as_mut_ptr(), source.address(), count) };
    if not_copied == 0 {
        return Ok(());
    }
    let copied = (count - not_copied) as usize;
    destination[copied..].fill(0);
    Err(Errno::EFAULT)
}

/// Copies `source` to user memory at `destination`.
pub fn copy_to_user(destination: UserPtr<u8>, source: &[u8]) -> Result<(), Errno> {
    let count = length_of(source.len())?;
    access_ok(destination.address(), count)?;
    // SAFETY: `source` is a live buffer of `count` bytes; the range passed access_ok.
    match unsafe { copy::raw_copy_to_user(destination.address(), source.as_ptr(), count) } {
        0 => Ok(()),
        _ => Err(Errno::EFAULT),
    }
}

/// Copies the ABI record `value` to user memory at `destination`: its bytes, each field at
/// its offset, as the program's own `#[repr(C)]` copy of the record lays them out. The one
/// way an ABI structure reaches user memory. Never inlined: the byte image lives in this
/// routine's frame, not in the frame of every system call that returns a record.
#[inline(never)]
pub fn copy_record_to_user<T: Record>(destination: UserPtr<T>, value: &T) -> Result<(), Errno> {
    copy_to_user(destination.cast(), value.to_bytes().as_ref())
}

/// Reads one value from user memory.
pub fn get_user<T: UserScalar>(source: UserPtr<T>) -> Result<T, Errno> {
    access_ok(source.address(), T::SIZE as u32)?;
    // SAFETY: the range passed access_ok.
    match unsafe { copy::raw_get_user(source.address(), T::SIZE) } {
        (bits, false) => Ok(T::from_bits(bits)),
        (_, true) => Err(Errno::EFAULT),
    }
}

/// Writes one value to user memory.
pub fn put_user<T: UserScalar>(destination: UserPtr<T>, value: T) -> Result<(), Errno> {
    access_ok(destination.address(), T::SIZE as u32)?;
    // SAFETY: the range passed access_ok.
    match unsafe { copy::raw_put_user(destination.address(), value.to_bits(), T::SIZE) } {
        false => Ok(()),
        true => Err(Errno::EFAULT),
    }
}

/// Zeroes `length` bytes of user memory at `destination`.
pub fn clear_user(destination: UserPtr<u8>, length: usize) -> Result<(), Errno> {
    let count = length_of(length)?;
    access_ok(destination.address(), count)?;
    // SAFETY: the range passed access_ok.
    match unsafe { copy::raw_clear_user(destination.address(), count) } {
        0 => Ok(()),
        _ => Err(Errno::EFAULT),
    }
}

/// Copies the NUL-terminated string at `source` into `destination`, NUL included when it
/// fits. Returns the string's length without the NUL; a string that does not end within
/// `destination.len()` bytes returns `destination.len()` (as Linux does: the caller
/// decides whether that is too long). Reads never go past the end of the user half.
pub fn strncpy_from_user(destination: &mut [u8], source: UserPtr<u8>) -> Result<usize, Errno> {
    let limit = length_of(destination.len())?.min(user_bytes_from(source.address()));
    if limit == 0 && !destination.is_empty() {
        return Err(Errno::EFAULT);
    }
    access_ok(source.address(), limit)?;
    // SAFETY: `destination` holds at least `limit` bytes; the range passed access_ok.
    let (copied, terminated, faulted) =
        unsafe { copy::raw_strncpy_from_user(destination.as_mut_ptr(), source.address(), limit) };
    if faulted {
        return Err(Errno::EFAULT);
    }
    if !terminated && limit as usize != destination.len() {
        // Ran into the end of the user half before the NUL.
        return Err(Errno::EFAULT);
    }
    Ok(copied as usize)
}

/// The size of the user string at `source` including its NUL, looking at no more than
/// `limit` bytes; `limit + 1` when there is no NUL within them (Linux's convention).
pub fn strnlen_user(source: UserPtr<u8>, limit: usize) -> Result<usize, Errno> {
    let wanted = u32::try_from(limit).unwrap_or(u32::MAX);
    let reachable = wanted.min(user_bytes_from(source.address()));
    if reachable == 0 && wanted != 0 {
        return Err(Errno::EFAULT);
    }
    access_ok(source.address(), reachable)?;
    // SAFETY: the range passed access_ok.
    let (length, terminated, faulted) =
        unsafe { copy::raw_strnlen_user(source.address(), reachable) };
    match (faulted, terminated) {
        (true, _) => Err(Errno::EFAULT),
        (false, true) => Ok(length as usize + 1),
        (false, false) if reachable < wanted => Err(Errno::EFAULT),
        (false, false) => Ok(limit + 1),
    }
}

/// Cleans the data cache and invalidates the instruction cache over `length` bytes of user
/// memory at `start`, as code written by the process needs before it runs.
pub fn flush_user_caches(start: UserPtr<u8>, length: u32) -> Result<(), Errno> {
    access_ok(start.address(), length)?;
    let end = start.address() + length;
    // SAFETY: the range passed access_ok.
    match unsafe { copy::raw_flush_user_caches(start.address(), end) } {
        false => Ok(()),
        true => Err(Errno::EFAULT),
    }
}
