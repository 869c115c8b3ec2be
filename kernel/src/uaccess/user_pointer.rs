//! Typed user pointers and the range check that runs before any window opens.
//!
//! A user address is data the kernel must never dereference directly: [`UserPtr`] holds one
//! without being a Rust pointer, so the only way to reach the memory behind it is the uaccess
//! API. Pure logic, unit-tested on the host.

use crate::errno::Errno;
use crate::memory_map::USER_END;
use core::fmt;
use core::marker::PhantomData;

/// The address of a `T` in the current process's memory.
#[repr(transparent)]
pub struct UserPtr<T> {
    address: u32,
    _points_to: PhantomData<*mut T>,
}

impl<T> UserPtr<T> {
    /// A user pointer from a raw value (a system call argument).
    pub const fn new(address: u32) -> UserPtr<T> {
        UserPtr { address, _points_to: PhantomData }
    }

    /// The address.
    pub const fn address(self) -> u32 {
        self.address
    }

    /// The address `bytes` further on, if it does not wrap.
    pub fn byte_add(self, bytes: u32) -> Option<UserPtr<T>> {
        self.address.checked_add(bytes).map(UserPtr::new)
    }

    /// The same address seen as a pointer to another type.
    pub const fn cast<U>(self) -> UserPtr<U> {
        UserPtr::new(self.address)
    }
}

// Derives would require `T: Clone`; a user pointer is an address whatever it points to.
impl<T> Clone for UserPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for UserPtr<T> {}

impl<T> PartialEq for UserPtr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.address == other.address
    }
}

impl<T> Eq for UserPtr<T> {}

impl<T> fmt::Debug for UserPtr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserPtr({:#010x})", self.address)
    }
}

/// Checks that `[address, address + length)` lies in the user half: it must start below the
/// kernel half (even when empty), must not wrap past 2^32 and must end at or below the start
/// of the kernel half. Runs before any window opens,
/// so no uaccess routine can be pointed at kernel memory. (Whether the pages are mapped is the
/// MMU's business: an unmapped page faults inside the window and the fixup returns EFAULT.)
pub const fn access_ok(address: u32, length: u32) -> Result<(), Errno> {
    match address.checked_add(length) {
        Some(end) if (address as usize) < USER_END && end as usize <= USER_END => Ok(()),
        _ => Err(Errno::EFAULT),
    }
}

/// The most bytes a string read from `address` may span without leaving the user half, for
/// the string routines whose length is not known in advance (0 for a kernel address).
pub const fn user_bytes_from(address: u32) -> u32 {
    (USER_END as u32).saturating_sub(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_inside_the_user_half_pass() {
        assert_eq!(access_ok(0x0001_0000, 4096), Ok(()));
        assert_eq!(access_ok(0, 0), Ok(()));
        // NULL is in range: the unmapped first 64 KiB fault and the fixup returns EFAULT.
        assert_eq!(access_ok(0, 4), Ok(()));
        assert_eq!(access_ok(0x7FFF_F000, 0x1000), Ok(()));
        assert_eq!(access_ok(0x7FFF_FFFF, 1), Ok(()));
    }

    #[test]
    fn ranges_reaching_the_kernel_half_fail() {
        assert_eq!(access_ok(0x7FFF_FFFF, 2), Err(Errno::EFAULT));
        assert_eq!(access_ok(0x7FFF_F000, 0x1001), Err(Errno::EFAULT));
        assert_eq!(access_ok(0x8000_0000, 0), Err(Errno::EFAULT));
        assert_eq!(access_ok(0x8000_0000, 4), Err(Errno::EFAULT));
        assert_eq!(access_ok(0xF809_0000, 4), Err(Errno::EFAULT));
    }

    #[test]
    fn wrapping_ranges_fail() {
        assert_eq!(access_ok(0x0001_0000, u32::MAX), Err(Errno::EFAULT));
        assert_eq!(access_ok(0xFFFF_FFFF, 1), Err(Errno::EFAULT));
        assert_eq!(access_ok(1, u32::MAX), Err(Errno::EFAULT));
    }

    #[test]
    fn string_limits() {
        assert_eq!(user_bytes_from(0x7FFF_FFF0), 16);
        assert_eq!(user_bytes_from(0x8000_0000), 0);
        assert_eq!(user_bytes_from(0xFFFF_FFFF), 0);
        assert_eq!(user_bytes_from(0), 0x8000_0000);
    }

    #[test]
    fn pointers() {
        let pointer = UserPtr::<u32>::new(0x1000);
        assert_eq!(pointer.byte_add(4).map(|p| p.address()), Some(0x1004));
        assert_eq!(UserPtr::<u8>::new(u32::MAX).byte_add(1), None);
        assert_eq!(pointer.cast::<u8>().address(), 0x1000);
    }
}
