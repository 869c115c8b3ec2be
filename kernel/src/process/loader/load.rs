//! Mapping a planned image into an address space, and making its code visible to fetches.

use super::plan::{LoadError, LoadPlan};
use crate::arch::mmu;
use crate::errno::Errno;
use crate::mm::address_space::AddressSpace;
use crate::mm::descriptor::{AccessPermissions, Attributes};
use crate::mm::{frames_allocate, frames_free, linear};
use crate::process::regions::PAGE;
use swpan_abi::protection;

/// The attributes of a user page with `protection`.
pub fn user_attributes(protection_bits: u32) -> Attributes {
    let access =
        match (protection_bits & protection::READ != 0, protection_bits & protection::WRITE != 0) {
            (_, true) => AccessPermissions::ReadWrite,
            (true, false) => AccessPermissions::Read,
            (false, false) => AccessPermissions::NoAccess,
        };
    Attributes::user(access, protection_bits & protection::EXEC == 0)
}

/// Maps the segments of `plan` for `image` into `space`: fresh zeroed frames, the file
/// bytes copied in through the kernel's linear map while each frame is still the kernel's
/// (mapping it gives it to the space and takes it out of the linear map, `mm::ownership`),
/// and every page of an executable segment cleaned to the point of unification with the
/// instruction caches invalidated, since the code went in through the data side.
pub fn load(space: &mut AddressSpace, image: &[u8], plan: &LoadPlan) -> Result<(), Errno> {
    for segment in &plan.segments {
        let file = image
            .get(segment.file_offset as usize..(segment.file_offset + segment.file_size) as usize)
            .ok_or(Errno::ENOEXEC)?;
        let mut page = segment.start;
        while page < segment.end {
            let frame = frames_allocate(1, PAGE)?;
            // The part of the file that lands in this page.
            let page_end = page + PAGE;
            let copy_start = segment.virtual_address.max(page);
            let copy_end = (segment.virtual_address + segment.file_size).min(page_end);
            if copy_start < copy_end {
                let source = &file[(copy_start - segment.virtual_address) as usize
                    ..(copy_end - segment.virtual_address) as usize];
                // SAFETY: the frame is fresh and mapped by the linear map; the slice fits in
                // the page at that offset.
                unsafe {
                    core::ptr::copy_nonoverlapping(
                        source.as_ptr(),
                        linear(frame).add((copy_start - page) as usize),
                        source.len(),
                    )
                };
            }
            if segment.protection & protection::EXEC != 0 {
                // The whole page, not only the bytes copied: the zeros around them are new
                // too, and the frame may hold a dead process's code in the I-cache.
                let start = linear(frame) as u32;
                mmu::sync_instructions(start, start + PAGE);
            }
            if let Err(error) = space.map_page(page, frame, user_attributes(segment.protection)) {
                frames_free(frame, 1);
                return Err(error);
            }
            page = page_end;
        }
    }
    Ok(())
}

impl From<LoadError> for Errno {
    fn from(error: LoadError) -> Errno {
        match error {
            LoadError::OutOfMemory => Errno::ENOMEM,
            _ => Errno::ENOEXEC,
        }
    }
}
