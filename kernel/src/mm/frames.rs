//! Physical page frames: a bitmap allocator over RAM.
//!
//! The bitmap logic is pure and unit-tested on the host; the kernel's single instance covers
//! all of RAM, with the frames of the kernel image marked used from the start.

use crate::errno::Errno;

/// Bytes in a frame.
pub const FRAME_SIZE: u32 = 4096;

/// A bitmap of `WORDS * 32` frames starting at a physical base; a set bit is a used frame.
pub struct FrameBitmap<const WORDS: usize> {
    used: [u32; WORDS],
    base: u32,
    free_frames: usize,
    /// Where the next search starts (next fit keeps allocation cheap).
    hint: usize,
}

/// Why a free was refused: freeing what is not allocated is a kernel bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreeError {
    /// The range is not inside the bitmap or not frame aligned.
    OutOfRange,
    /// A frame in the range was already free.
    DoubleFree(u32),
}

impl<const WORDS: usize> FrameBitmap<WORDS> {
    /// Frames the bitmap covers.
    pub const FRAMES: usize = WORDS * 32;

    /// A bitmap whose frames start at `base` (frame aligned), all used.
    pub const fn new(base: u32) -> Self {
        FrameBitmap { used: [u32::MAX; WORDS], base, free_frames: 0, hint: 0 }
    }

    /// Frames currently free.
    pub fn free_frames(&self) -> usize {
        self.free_frames
    }

    fn index_of(&self, address: u32) -> Option<usize> {
        let offset = address.checked_sub(self.base)?;
        if offset % FRAME_SIZE != 0 {
            return None;
        }
        let index = (offset / FRAME_SIZE) as usize;
        (index < Self::FRAMES).then_some(index)
    }

    fn is_used(&self, index: usize) -> bool {
        self.used[index / 32] & (1 << (index % 32)) != 0
    }

    fn set(&mut self, index: usize, used: bool) {
        if used {
            self.used[index / 32] |= 1 << (index % 32);
        } else {
            self.used[index / 32] &= !(1 << (index % 32));
        }
    }

    /// Marks the frames in `[start, end)` free (for start-up: the RAM after the kernel).
    pub fn release_range(&mut self, start: u32, end: u32) {
        let mut address = start;
        while address < end {
            if let Some(index) = self.index_of(address)
                && self.is_used(index)
            {
                self.set(index, false);
                self.free_frames += 1;
            }
            address = match address.checked_add(FRAME_SIZE) {
                Some(next) => next,
                None => break,
            };
        }
    }

    /// Allocates `count` contiguous frames whose first frame's address is a multiple of
    /// `align` bytes (a power of two, at least a frame). Returns the physical address.
    pub fn allocate(&mut self, count: usize, align: u32) -> Result<u32, Errno> {
        if count == 0 || count > self.free_frames || !align.is_power_of_two() {
            return Err(Errno::ENOMEM);
        }
        let align_frames = (align / FRAME_SIZE).max(1) as usize;
        let base_frame = (self.base / FRAME_SIZE) as usize;
        // The first index at or after `index` where (base_frame + index) is aligned.
        let phase = (align_frames - base_frame % align_frames) % align_frames;
        let aligned = |index: usize| {
            if index <= phase {
                phase
            } else {
                phase + (index - phase).next_multiple_of(align_frames)
            }
        };
        // Next fit: from the hint to the end, then from the start up to the hint.
        for (from, to) in [(self.hint, Self::FRAMES), (0, self.hint)] {
            let mut index = aligned(from);
            while index < to && index + count <= Self::FRAMES {
                match (index..index + count).find(|&candidate| self.is_used(candidate)) {
                    Some(used) => index = aligned(used + 1),
                    None => {
                        for frame in index..index + count {
                            self.set(frame, true);
                        }
                        self.free_frames -= count;
                        self.hint = index + count;
                        return Ok(self.base + (index as u32) * FRAME_SIZE);
                    }
                }
            }
        }
        Err(Errno::ENOMEM)
    }

    /// Frees `count` frames starting at `address`.
    pub fn free(&mut self, address: u32, count: usize) -> Result<(), FreeError> {
        let first = self.index_of(address).ok_or(FreeError::OutOfRange)?;
        if first + count > Self::FRAMES {
            return Err(FreeError::OutOfRange);
        }
        if let Some(free) = (first..first + count).find(|&index| !self.is_used(index)) {
            return Err(FreeError::DoubleFree(self.base + free as u32 * FRAME_SIZE));
        }
        for index in first..first + count {
            self.set(index, false);
        }
        self.free_frames += count;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;

    const BASE: u32 = 0x8000_0000;

    fn bitmap() -> FrameBitmap<4> {
        let mut bitmap = FrameBitmap::<4>::new(BASE);
        bitmap.release_range(BASE + 2 * FRAME_SIZE, BASE + 128 * FRAME_SIZE);
        bitmap
    }

    #[test]
    fn released_frames_are_allocated_once() {
        let mut frames = bitmap();
        assert_eq!(frames.free_frames(), 126);
        let mut seen = std::collections::BTreeSet::new();
        while let Ok(address) = frames.allocate(1, FRAME_SIZE) {
            assert!((BASE + 2 * FRAME_SIZE..BASE + 128 * FRAME_SIZE).contains(&address));
            assert!(seen.insert(address), "{address:#x} given twice");
        }
        assert_eq!(seen.len(), 126);
        assert_eq!(frames.free_frames(), 0);
        assert_eq!(frames.allocate(1, FRAME_SIZE), Err(Errno::ENOMEM));
    }

    #[test]
    fn contiguous_and_aligned() {
        let mut frames = bitmap();
        let table = frames.allocate(2, 8192).unwrap();
        assert_eq!(table % 8192, 0);
        let big = frames.allocate(4, 16384).unwrap();
        assert_eq!(big % 16384, 0);
        assert!(big >= table + 2 * FRAME_SIZE || big + 4 * FRAME_SIZE <= table);
        assert_eq!(frames.free_frames(), 120);
    }

    #[test]
    fn free_and_reuse_and_refuse_double_free() {
        let mut frames = bitmap();
        let first = frames.allocate(3, FRAME_SIZE).unwrap();
        frames.free(first, 3).unwrap();
        assert_eq!(frames.free(first, 1), Err(FreeError::DoubleFree(first)));
        assert_eq!(frames.free(BASE + 1, 1), Err(FreeError::OutOfRange));
        assert_eq!(frames.free(BASE + 200 * FRAME_SIZE, 1), Err(FreeError::OutOfRange));
        // After the hint runs off the end, the search wraps around to reuse the freed frames.
        let mut count = 0;
        while frames.allocate(1, FRAME_SIZE).is_ok() {
            count += 1;
        }
        assert_eq!(count, 126);
    }

    #[test]
    fn refuses_impossible_requests() {
        let mut frames = bitmap();
        assert_eq!(frames.allocate(0, FRAME_SIZE), Err(Errno::ENOMEM));
        assert_eq!(frames.allocate(127, FRAME_SIZE), Err(Errno::ENOMEM));
        assert_eq!(frames.allocate(1, 3 * FRAME_SIZE), Err(Errno::ENOMEM));
        // Frames 0 and 1 are used, so nothing 128-frame aligned of length 2 fits.
        assert_eq!(frames.allocate(2, 128 * FRAME_SIZE), Err(Errno::ENOMEM));
    }
}
