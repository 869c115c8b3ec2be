//! A small user address space for the self-tests, active while the fixture lives.

use crate::mm::address_space::{self, AddressSpace};
use crate::mm::descriptor::{AccessPermissions, Attributes};
use crate::mm::{self, linear};

/// A read-write user page, filled with `0x00, 0x01, ...` (byte i holds i % 251).
pub const READ_WRITE: u32 = 0x0040_0000;
/// A read-only user page right after it, filled the same way.
pub const READ_ONLY: u32 = 0x0040_1000;
/// Never mapped: the page after the read-only one.
pub const UNMAPPED: u32 = 0x0040_2000;
/// A user page holding `bx lr`, readable, writable and executable (by user mode).
pub const EXECUTABLE: u32 = 0x0040_3000;

/// The ARM encoding of `bx lr`.
pub const BX_LR: u32 = 0xE12F_FF1E;

/// The pattern byte at offset `index` of the filled pages.
pub fn pattern(index: usize) -> u8 {
    (index % 251) as u8
}

/// The user pages above, mapped and active; dropping it leaves the user half empty.
pub struct UserPages {
    /// The address space (for table checks).
    pub space: AddressSpace,
}

impl UserPages {
    /// Maps the pages and makes the space active.
    pub fn new() -> UserPages {
        let mut space = AddressSpace::new().expect("a self-test address space");
        let pages = [
            (READ_WRITE, AccessPermissions::ReadWrite, true),
            (READ_ONLY, AccessPermissions::Read, true),
            (EXECUTABLE, AccessPermissions::ReadWrite, false),
        ];
        for (address, access, execute_never) in pages {
            let frame = mm::frames_allocate(1, 4096).expect("a self-test frame");
            let bytes = linear(frame);
            for index in 0..4096 {
                // SAFETY: the frame was just allocated and is mapped by the linear map.
                unsafe { bytes.add(index).write(pattern(index)) };
            }
            if address == EXECUTABLE {
                // SAFETY: as above; the first word is aligned.
                unsafe { (bytes as *mut u32).write(BX_LR) };
                crate::arch::mmu::sync_instructions(frame, frame + 4);
            }
            space
                .map_page(address, frame, Attributes::user(access, execute_never))
                .expect("mapping a self-test page");
        }
        // SAFETY: the space lives in the fixture, which deactivates it on drop.
        unsafe { space.activate() };
        UserPages { space }
    }
}

impl Drop for UserPages {
    fn drop(&mut self) {
        address_space::deactivate();
    }
}
