//! `mmap`, `munmap` and `maps` for the running process.

use super::loader::{PROGRAM_END, user_attributes};
use super::regions::{PAGE, Region, RegionKind};
use super::{USER_STACK_PAGES, USER_STACK_TOP, with_current};
use crate::arch::mmu;
use crate::errno::Errno;
use crate::memory_map::MMAP_MIN_ADDR;
use crate::mm::{frames_allocate, frames_free, free_frames, linear};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use swpan_abi::{capability, map, protection};

/// Anonymous mappings go between the program area and the stack.
const MMAP_START: u32 = PROGRAM_END;
const MMAP_END: u32 = USER_STACK_TOP - USER_STACK_PAGES * PAGE;

/// Maps `length` bytes (rounded up to pages) of zeroed memory with `protection` in the
/// running process; at `address` with `map::FIXED` (refused with EEXIST if anything is
/// mapped there: nothing is ever replaced), anywhere free otherwise.
///
/// A fixed address goes above the program area, or below [`MMAP_MIN_ADDR`] (the NULL gap)
/// for a caller with CAP_SYS_RAWIO, as Linux's `mmap_min_addr` rule: EPERM without it.
///
/// Any combination of read, write and execute is granted, writable and executable together
/// included: user memory follows Linux's policy, not PaX's MPROTECT, and the loader maps a
/// W+X segment the same way (docs/user-mode.md). W^X binds the kernel's own mappings only.
///
/// The frames are allocated and zeroed before the process table is locked (zeroing is a
/// thousand stores per page, and the lock masks interrupts); only their insertion into the
/// translation tables and the region list happens under it.
pub fn mmap(address: u32, length: u32, protection_bits: u32, flags: u32) -> Result<u32, Errno> {
    let known_flags = map::PRIVATE | map::ANONYMOUS | map::FIXED;
    if flags & !known_flags != 0
        || flags & (map::PRIVATE | map::ANONYMOUS) != map::PRIVATE | map::ANONYMOUS
    {
        return Err(Errno::EINVAL);
    }
    if protection_bits & !(protection::READ | protection::WRITE | protection::EXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    let length = match length.checked_next_multiple_of(PAGE) {
        Some(0) | None => return Err(Errno::EINVAL),
        Some(length) => length,
    };
    if flags & map::FIXED != 0 {
        let end = address.checked_add(length).ok_or(Errno::EINVAL)?;
        if !address.is_multiple_of(PAGE) {
            return Err(Errno::EINVAL);
        }
        if (address as usize) < MMAP_MIN_ADDR {
            // Linux's cap_mmap_addr: the NULL gap is CAP_SYS_RAWIO's to map.
            if !with_current(|process| process.credentials.capable(capability::SYS_RAWIO)) {
                return Err(Errno::EPERM);
            }
            if end as usize > MMAP_MIN_ADDR {
                return Err(Errno::EINVAL);
            }
        } else if address < MMAP_START || end > MMAP_END {
            return Err(Errno::EINVAL);
        }
    } else if length > MMAP_END - MMAP_START {
        return Err(Errno::ENOMEM);
    }
    let frames = FreshFrames::allocate(length / PAGE, protection_bits & protection::EXEC != 0)?;
    let mapped_at = with_current(|process| {
        let start = if flags & map::FIXED != 0 {
            if !process.regions.is_free(address, address + length) {
                return Err(Errno::EEXIST);
            }
            address
        } else {
            process.regions.find_free(length, MMAP_START, MMAP_END).ok_or(Errno::ENOMEM)?
        };
        let space = process.space().ok_or(Errno::EINVAL)?;
        let attributes = user_attributes(protection_bits);
        let mut mapped = 0;
        let mut failure = None;
        for &frame in &frames.frames {
            if let Err(error) = space.map_page(start + mapped, frame, attributes) {
                failure = Some(error);
                break;
            }
            mapped += PAGE;
        }
        let region = Region {
            start,
            end: start + length,
            protection: protection_bits,
            kind: RegionKind::Anonymous,
        };
        if let Some(error) = failure.or_else(|| process.regions.insert(region).err()) {
            let space = process.space().expect("checked above");
            // The frames go back when `frames` drops, after the lock is released.
            for page in (start..start + mapped).step_by(PAGE as usize) {
                space.unmap_page(page);
            }
            return Err(error);
        }
        Ok(start)
    })?;
    frames.give_to_address_space();
    Ok(mapped_at)
}

/// Frames for a new mapping, prepared outside the process table lock; freed on drop unless
/// handed over to an address space.
struct FreshFrames {
    frames: Vec<u32>,
}

impl FreshFrames {
    /// `count` zeroed frames. For an executable mapping each one is also cleaned from the
    /// data cache and the instruction caches are invalidated: a frame can come back from a
    /// dead process whose code the instruction cache still holds, and the zeros went in
    /// through the data side.
    fn allocate(count: u32, executable: bool) -> Result<FreshFrames, Errno> {
        if count as usize > free_frames() {
            return Err(Errno::ENOMEM);
        }
        let mut frames = Vec::new();
        frames.try_reserve_exact(count as usize).map_err(|_| Errno::ENOMEM)?;
        let mut fresh = FreshFrames { frames };
        for _ in 0..count {
            let frame = frames_allocate(1, PAGE)?;
            fresh.frames.push(frame);
            if executable {
                let start = linear(frame) as u32;
                mmu::sync_instructions(start, start + PAGE);
            }
        }
        Ok(fresh)
    }

    /// The frames are mapped: the address space frees them from now on.
    fn give_to_address_space(mut self) {
        self.frames.clear();
    }
}

impl Drop for FreshFrames {
    fn drop(&mut self) {
        for &frame in &self.frames {
            frames_free(frame, 1);
        }
    }
}

/// Unmaps the anonymous memory in `[address, address + length)` of the running process.
pub fn munmap(address: u32, length: u32) -> Result<(), Errno> {
    if !address.is_multiple_of(PAGE) || length == 0 {
        return Err(Errno::EINVAL);
    }
    let end = address
        .checked_add(length)
        .and_then(|end| end.checked_next_multiple_of(PAGE))
        .ok_or(Errno::EINVAL)?;
    if end as usize > crate::memory_map::USER_END {
        return Err(Errno::EINVAL);
    }
    with_current(|process| {
        let removed = process.regions.remove_anonymous(address, end)?;
        let space = process.space().ok_or(Errno::EINVAL)?;
        for (start, end) in removed {
            for page in (start..end).step_by(PAGE as usize) {
                if let Some(frame) = space.unmap_page(page) {
                    frames_free(frame, 1);
                }
            }
        }
        Ok(())
    })
}

/// The running process's regions as text, one `/proc/self/maps`-style line each.
pub fn maps() -> Result<String, Errno> {
    with_current(|process| {
        let mut text = String::new();
        text.try_reserve(64 * (process.regions.iter().count() + 1)).map_err(|_| Errno::ENOMEM)?;
        for region in process.regions.iter() {
            let _ = writeln!(text, "{region}");
        }
        Ok(text)
    })
}
