//! A new program's argument and environment strings, and the top of its stack as Linux's ELF
//! ABI lays it out: pure, host-tested.
//!
//! `execve` and `spawn` collect the strings here (copied in through uaccess by
//! `process::exec`), counted against [`ARG_MAX`]; the loader then writes [`StackImage`] at the
//! top of the new user stack. From the stack pointer up (each entry a word):
//!
//! ```text
//! sp ->  argc
//!        argv[0] .. argv[argc-1]   pointers into the strings below
//!        NULL
//!        envp[0] .. envp[n-1]
//!        NULL
//!        auxv: (type, value) pairs ... (AT_RANDOM, &random), (AT_NULL, 0)
//!        (padding to 8 bytes)
//!        16 random bytes           AT_RANDOM points here
//!        the strings, each NUL-terminated: argv's, then envp's
//! top -> (end of the user half)
//! ```

use crate::errno::Errno;
use alloc::vec::Vec;
use swpan_abi::exec::auxv;

pub use swpan_abi::exec::ARG_MAX;

/// Bytes each string costs beyond its own: the pointer to it.
const POINTER: usize = 4;

/// The strings of a new program's argv and envp, argv's first.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Arguments {
    strings: Vec<u8>,
    argument_count: usize,
    environment_count: usize,
}

impl Arguments {
    /// No strings.
    pub const fn new() -> Arguments {
        Arguments { strings: Vec::new(), argument_count: 0, environment_count: 0 }
    }

    /// argv from kernel strings (the command line's `init=`, `spawn`'s fast path); no envp.
    pub fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Arguments, Errno> {
        let mut arguments = Arguments::new();
        for word in words {
            arguments.push(word.as_bytes(), false)?;
        }
        Ok(arguments)
    }

    /// The bytes counted against [`ARG_MAX`]: the strings with their NULs and one pointer
    /// each.
    pub fn size(&self) -> usize {
        self.strings.len() + POINTER * (self.argument_count + self.environment_count)
    }

    /// argc.
    pub fn argument_count(&self) -> usize {
        self.argument_count
    }

    /// The number of environment strings.
    pub fn environment_count(&self) -> usize {
        self.environment_count
    }

    /// The most bytes (its NUL included) the next string may have before E2BIG.
    pub fn room(&self) -> usize {
        ARG_MAX.saturating_sub(self.size() + POINTER)
    }

    /// Appends a string of `length` bytes, its NUL included, that `fill` writes; to argv, or
    /// to envp when `environment`. Argument strings must all come before environment ones.
    /// E2BIG past [`ARG_MAX`], ENOMEM when the heap has no room; on any error (`fill`'s
    /// included) nothing is appended.
    pub fn append_with(
        &mut self,
        length: usize,
        environment: bool,
        fill: impl FnOnce(&mut [u8]) -> Result<(), Errno>,
    ) -> Result<(), Errno> {
        assert!(
            environment || self.environment_count == 0,
            "argv strings come before envp strings"
        );
        if length == 0 || length > self.room() {
            return Err(Errno::E2BIG);
        }
        self.strings.try_reserve(length).map_err(|_| Errno::ENOMEM)?;
        let start = self.strings.len();
        self.strings.resize(start + length, 0);
        let filled = fill(&mut self.strings[start..]);
        if filled.is_err() || self.strings.last() != Some(&0) {
            self.strings.truncate(start);
            return Err(filled.err().unwrap_or(Errno::EFAULT));
        }
        if environment {
            self.environment_count += 1;
        } else {
            self.argument_count += 1;
        }
        Ok(())
    }

    /// Appends `text` (which must hold no NUL) and its NUL.
    pub fn push(&mut self, text: &[u8], environment: bool) -> Result<(), Errno> {
        if text.contains(&0) {
            return Err(Errno::EINVAL);
        }
        self.append_with(text.len() + 1, environment, |slot| {
            slot[..text.len()].copy_from_slice(text);
            Ok(())
        })
    }

    /// Each string without its NUL: argv's, then envp's.
    pub fn strings(&self) -> impl Iterator<Item = &[u8]> {
        self.strings.split_inclusive(|&byte| byte == 0).map(|string| &string[..string.len() - 1])
    }

    /// argv[0], the program's name as its invoker gave it.
    pub fn first(&self) -> Option<&[u8]> {
        (self.argument_count > 0).then(|| self.strings().next()).flatten()
    }

    /// The top of the new program's stack, ending at `top`: the layout above, with the
    /// auxiliary vector `entries` (AT_RANDOM and AT_NULL are added) and the 16 `random`
    /// bytes. ENOMEM when the heap has no room for the image.
    pub fn stack_image(
        &self,
        top: u32,
        entries: &[(u32, u32)],
        random: &[u8; 16],
    ) -> Result<StackImage, Errno> {
        let strings_start = top - self.strings.len() as u32;
        let random_address = (strings_start - random.len() as u32) & !3;
        let words =
            1 + self.argument_count + 1 + self.environment_count + 1 + 2 * (entries.len() + 2);
        let start = (random_address - (POINTER * words) as u32) & !7;
        let mut bytes = Vec::new();
        bytes.try_reserve_exact((top - start) as usize).map_err(|_| Errno::ENOMEM)?;
        bytes.resize((top - start) as usize, 0);

        let mut pointers = Vec::new();
        pointers.try_reserve_exact(words).map_err(|_| Errno::ENOMEM)?;
        pointers.push(self.argument_count as u32);
        let mut offset = 0u32;
        for (index, string) in self.strings().enumerate() {
            if index == self.argument_count {
                pointers.push(0);
            }
            pointers.push(strings_start + offset);
            offset += string.len() as u32 + 1;
        }
        if self.environment_count == 0 {
            pointers.push(0);
        }
        pointers.push(0);
        for &(kind, value) in entries.iter().chain(&[(auxv::AT_RANDOM, random_address)]) {
            pointers.extend_from_slice(&[kind, value]);
        }
        pointers.extend_from_slice(&[auxv::AT_NULL, 0]);
        debug_assert_eq!(pointers.len(), words);

        for (slot, word) in bytes.chunks_exact_mut(POINTER).zip(&pointers) {
            slot.copy_from_slice(&word.to_le_bytes());
        }
        let at = |address: u32| (address - start) as usize;
        bytes[at(random_address)..][..random.len()].copy_from_slice(random);
        bytes[at(strings_start)..].copy_from_slice(&self.strings);
        Ok(StackImage { bytes, start })
    }
}

/// The bytes at the top of a new user stack, from the initial stack pointer up.
#[derive(Debug)]
pub struct StackImage {
    /// The bytes, from `start` to the top of the stack.
    pub bytes: Vec<u8>,
    /// The initial stack pointer: where argc is; 8-byte aligned.
    pub start: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    const TOP: u32 = 0x8000_0000;

    fn word(image: &StackImage, address: u32) -> u32 {
        let offset = (address - image.start) as usize;
        u32::from_le_bytes(image.bytes[offset..offset + 4].try_into().unwrap())
    }

    fn string(image: &StackImage, address: u32) -> String {
        let offset = (address - image.start) as usize;
        let end = image.bytes[offset..].iter().position(|&byte| byte == 0).unwrap();
        String::from_utf8(image.bytes[offset..offset + end].to_vec()).unwrap()
    }

    #[test]
    fn the_image_is_linux_s_initial_stack() {
        let mut arguments = Arguments::from_words(["sh", "-c", "status"]).unwrap();
        arguments.push(b"HOME=/", true).unwrap();
        let random = [0xA5; 16];
        let image = arguments
            .stack_image(TOP, &[(auxv::AT_PAGESZ, 4096), (auxv::AT_UID, 7)], &random)
            .unwrap();
        assert_eq!(image.start % 8, 0);
        assert_eq!(image.start as usize + image.bytes.len(), TOP as usize);
        let sp = image.start;
        assert_eq!(word(&image, sp), 3, "argc");
        let argv: alloc::vec::Vec<String> =
            (0..3).map(|index| string(&image, word(&image, sp + 4 + 4 * index))).collect();
        assert_eq!(argv, ["sh", "-c", "status"]);
        assert_eq!(word(&image, sp + 16), 0, "argv ends with NULL");
        assert_eq!(string(&image, word(&image, sp + 20)), "HOME=/");
        assert_eq!(word(&image, sp + 24), 0, "envp ends with NULL");
        let auxv: alloc::vec::Vec<(u32, u32)> = (0..4)
            .map(|pair| (word(&image, sp + 28 + 8 * pair), word(&image, sp + 32 + 8 * pair)))
            .collect();
        assert_eq!(auxv[..2], [(auxv::AT_PAGESZ, 4096), (auxv::AT_UID, 7)]);
        assert_eq!(auxv[2].0, auxv::AT_RANDOM);
        assert_eq!(auxv[3], (auxv::AT_NULL, 0));
        let offset = (auxv[2].1 - image.start) as usize;
        assert_eq!(image.bytes[offset..offset + 16], random);
        assert!(auxv[2].1 + 16 <= word(&image, sp + 4), "the random bytes sit below the strings");
        assert!(sp + 28 + 32 <= auxv[2].1, "the vectors sit below the random bytes");
    }

    #[test]
    fn empty_vectors_are_two_nulls() {
        let image = Arguments::new().stack_image(TOP, &[], &[0; 16]).unwrap();
        let sp = image.start;
        assert_eq!([word(&image, sp), word(&image, sp + 4), word(&image, sp + 8)], [0, 0, 0]);
        assert_eq!(word(&image, sp + 12), auxv::AT_RANDOM);
        assert_eq!(word(&image, sp + 20), auxv::AT_NULL);
    }

    #[test]
    fn arg_max_counts_strings_nuls_and_pointers() {
        let mut arguments = Arguments::new();
        // One string that takes exactly what is left: ARG_MAX - 4 bytes with its NUL.
        assert_eq!(arguments.room(), ARG_MAX - 4);
        assert_eq!(arguments.append_with(ARG_MAX - 3, false, |_| Ok(())), Err(Errno::E2BIG));
        arguments.append_with(ARG_MAX - 4, false, |_| Ok(())).unwrap();
        assert_eq!(arguments.size(), ARG_MAX);
        assert_eq!(arguments.push(b"", true), Err(Errno::E2BIG), "even an empty string costs 5");
        assert_eq!(arguments.environment_count(), 0);
    }

    #[test]
    fn a_failed_fill_appends_nothing() {
        let mut arguments = Arguments::from_words(["a"]).unwrap();
        assert_eq!(arguments.append_with(4, false, |_| Err(Errno::EFAULT)), Err(Errno::EFAULT));
        // A fill that leaves no NUL at the end (the string changed under the copy).
        assert_eq!(
            arguments.append_with(3, false, |slot| {
                slot.copy_from_slice(b"abc");
                Ok(())
            }),
            Err(Errno::EFAULT)
        );
        assert_eq!(arguments.strings().collect::<alloc::vec::Vec<_>>(), [b"a"]);
        assert_eq!(arguments.argument_count(), 1);
        assert_eq!(arguments.push(b"a\0b", false), Err(Errno::EINVAL));
        assert_eq!(arguments.first(), Some(&b"a"[..]));
    }
}
