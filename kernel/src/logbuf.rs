//! The kernel log's ring buffer, the `%pK` pointer marks and the reading rules: pure, host-tested.
//!
//! Every kernel message is appended to a fixed ring of [`LOG_SIZE`] bytes (Linux's default
//! `CONFIG_LOG_BUF_SHIFT` of 14); when it is full the oldest bytes are overwritten, and a
//! reader starts at the first whole line still present.
//!
//! Kernel addresses printed through [`Kptr`] (Linux's `%pK`) are stored between two marker
//! bytes, [`KPTR_START`] and [`KPTR_END`]. The console drops the markers and shows the real
//! value; a reader of the log (`syslog`) gets a view rendered for it by [`Renderer`], which
//! drops the markers too and, when [`censors_pointers`] says so for that reader, turns the
//! marked digits into zeros. The ring keeps the text once; each reader's view is made at read
//! time, so the same oops report reads with its addresses for root and zeros for a user.

use core::fmt;

/// The ring's size in bytes (16 KiB, as Linux's default log buffer).
pub const LOG_SIZE: usize = 16 * 1024;

/// Opens a kernel pointer field in the stored text.
pub const KPTR_START: u8 = 0x01;
/// Closes a kernel pointer field in the stored text.
pub const KPTR_END: u8 = 0x02;

/// CAP_SYSLOG's bit number.
const CAP_SYSLOG: u32 = 34;

/// A kernel address to print with Linux's `%pK` rule: eight hex digits, marked in the log so
/// each reader sees it as its `kptr_restrict` allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kptr(pub u32);

impl fmt::Display for Kptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:08x}{}", KPTR_START as char, self.0, KPTR_END as char)
    }
}

/// True for the bytes that exist only in the stored log, never on a screen.
pub fn is_marker(byte: u8) -> bool {
    byte == KPTR_START || byte == KPTR_END
}

/// A ring of `N` bytes that keeps the newest `N` bytes written.
pub struct LogRing<const N: usize> {
    bytes: [u8; N],
    /// Bytes written since boot: the next byte's position (positions count from boot).
    written: u64,
}

impl<const N: usize> LogRing<N> {
    /// An empty ring.
    pub const fn new() -> Self {
        LogRing { bytes: [0; N], written: 0 }
    }

    /// Appends `text`, overwriting the oldest bytes when full.
    pub fn push(&mut self, text: &[u8]) {
        for &byte in text {
            self.bytes[(self.written % N as u64) as usize] = byte;
            self.written += 1;
        }
    }

    /// The position after the newest byte.
    pub fn end(&self) -> u64 {
        self.written
    }

    /// The position of the oldest byte still held.
    fn oldest(&self) -> u64 {
        self.written.saturating_sub(N as u64)
    }

    /// Where a reader starts: the oldest byte if nothing was overwritten yet, else the first
    /// byte after the first newline still held (no half line, no half pointer field).
    pub fn start(&self) -> u64 {
        let oldest = self.oldest();
        if oldest == 0 {
            return 0;
        }
        (oldest..self.written)
            .find(|&position| self.bytes[(position % N as u64) as usize] == b'\n')
            .map_or(self.written, |newline| newline + 1)
    }

    /// Where a reader with room for `limit` bytes starts: the oldest line start from which the
    /// rest of the log, markers left out, fits (Linux's READ_ALL returns the newest records
    /// that fit). `end()` when not even the last line fits.
    pub fn start_for(&self, limit: usize) -> u64 {
        let at = |position: u64| self.bytes[(position % N as u64) as usize];
        let first = self.start();
        let mut shown = 0usize;
        let mut start = self.written;
        let mut position = self.written;
        while position > first {
            position -= 1;
            if !is_marker(at(position)) {
                shown += 1;
            }
            if shown > limit {
                break;
            }
            if position == first || at(position - 1) == b'\n' {
                start = position;
            }
        }
        start
    }

    /// Copies the stored bytes from `position` on into `out`; returns how many. A position
    /// already overwritten is moved up to the oldest byte held.
    pub fn read(&self, position: u64, out: &mut [u8]) -> usize {
        let from = position.max(self.oldest());
        let count = out.len().min(self.written.saturating_sub(from) as usize);
        for (offset, slot) in out[..count].iter_mut().enumerate() {
            *slot = self.bytes[((from + offset as u64) % N as u64) as usize];
        }
        count
    }
}

impl<const N: usize> Default for LogRing<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Turns stored log bytes into one reader's view, a piece at a time: markers dropped, marked
/// digits zeroed when `censor`.
#[derive(Clone, Copy, Debug)]
pub struct Renderer {
    censor: bool,
    in_pointer: bool,
}

impl Renderer {
    /// A renderer for one read; `censor` from [`censors_pointers`].
    pub const fn new(censor: bool) -> Self {
        Renderer { censor, in_pointer: false }
    }

    /// Renders `input` into `out` (at least as long); returns the bytes written.
    pub fn render(&mut self, input: &[u8], out: &mut [u8]) -> usize {
        let mut length = 0;
        for &byte in input {
            match byte {
                KPTR_START => self.in_pointer = true,
                KPTR_END => self.in_pointer = false,
                _ => {
                    out[length] = if self.in_pointer && self.censor { b'0' } else { byte };
                    length += 1;
                }
            }
        }
        length
    }
}

/// The reader a permission check is about: its effective capabilities and its ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reader {
    /// The effective capability set.
    pub effective: u64,
    /// Real and effective uid.
    pub uid: (u32, u32),
    /// Real and effective gid.
    pub gid: (u32, u32),
}

impl Reader {
    fn has_syslog(&self) -> bool {
        self.effective & (1 << CAP_SYSLOG) != 0
    }
}

/// Whether `reader` may read the log (SYSLOG_ACTION_READ_ALL, SIZE_BUFFER): with
/// `dmesg_restrict` set only a holder of CAP_SYSLOG, else anyone (`check_syslog_permissions`,
/// kernel/printk/printk.c).
pub fn may_read(dmesg_restrict: bool, reader: &Reader) -> bool {
    !dmesg_restrict || reader.has_syslog()
}

/// Whether `%pK` fields show as zeros to `reader` (lib/vsprintf.c): never with
/// `kptr_restrict` 0; with 1 unless it holds CAP_SYSLOG and its effective ids are its real
/// ones; always with 2.
pub fn censors_pointers(kptr_restrict: u8, reader: &Reader) -> bool {
    match kptr_restrict {
        0 => false,
        1 => !(reader.has_syslog() && reader.uid.0 == reader.uid.1 && reader.gid.0 == reader.gid.1),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::vec::Vec;

    fn read_all<const N: usize>(ring: &LogRing<N>, censor: bool) -> Vec<u8> {
        let mut raw = [0u8; 64];
        let mut rendered = [0u8; 64];
        let mut renderer = Renderer::new(censor);
        let mut position = ring.start();
        let mut all = Vec::new();
        while position < ring.end() {
            // Small pieces, as the system call reads, so a field spans two of them.
            let count = ring.read(position, &mut raw[..3]);
            let length = renderer.render(&raw[..count], &mut rendered);
            all.extend_from_slice(&rendered[..length]);
            position += count as u64;
        }
        all
    }

    const ROOT: Reader = Reader { effective: (1 << 41) - 1, uid: (0, 0), gid: (0, 0) };
    const USER: Reader = Reader { effective: 0, uid: (1000, 1000), gid: (1000, 1000) };

    #[test]
    fn keeps_everything_until_full() {
        let mut ring = LogRing::<32>::new();
        ring.push(b"one\ntwo\n");
        assert_eq!(ring.start(), 0);
        assert_eq!(read_all(&ring, false), b"one\ntwo\n");
    }

    #[test]
    fn drops_the_oldest_whole_lines() {
        let mut ring = LogRing::<16>::new();
        ring.push(b"first line\nsecond\nthird\n");
        // 24 bytes into 16: "ne\nsecond\nthird\n" is held; the partial line is skipped.
        assert_eq!(read_all(&ring, false), b"second\nthird\n");
        ring.push(b"x\n");
        assert_eq!(read_all(&ring, false), b"second\nthird\nx\n");
        ring.push(b"yyyy\n");
        assert_eq!(read_all(&ring, false), b"third\nx\nyyyy\n");
    }

    #[test]
    fn a_short_reader_gets_the_newest_whole_lines() {
        let mut ring = LogRing::<64>::new();
        ring.push(format!("aa\nbb {}\ncc\n", Kptr(1)).as_bytes());
        assert_eq!(ring.start_for(100), 0);
        assert_eq!(ring.start_for(3), ring.end() - 3);
        // "bb 00000001\ncc\n" is 15 bytes shown (the markers take no room).
        assert_eq!(ring.start_for(15), 3);
        assert_eq!(ring.start_for(14), ring.end() - 3);
        assert_eq!(ring.start_for(2), ring.end());
    }

    #[test]
    fn a_ring_with_no_newline_left_reads_empty() {
        let mut ring = LogRing::<4>::new();
        ring.push(b"abcdefgh");
        assert_eq!(read_all(&ring, false), b"");
    }

    #[test]
    fn pointers_are_real_or_zeros_per_reader() {
        let mut ring = LogRing::<128>::new();
        ring.push(format!("pc : [<{}>] psr: {:08x}\n", Kptr(0xc000_1234), 0x1d3).as_bytes());
        assert_eq!(read_all(&ring, false), b"pc : [<c0001234>] psr: 000001d3\n");
        assert_eq!(read_all(&ring, true), b"pc : [<00000000>] psr: 000001d3\n");
    }

    #[test]
    fn dmesg_restrict_needs_cap_syslog() {
        assert!(may_read(true, &ROOT));
        assert!(!may_read(true, &USER));
        assert!(may_read(false, &USER));
        let syslog_only = Reader { effective: 1 << 34, ..USER };
        assert!(may_read(true, &syslog_only));
        let all_but_syslog = Reader { effective: ROOT.effective & !(1 << 34), ..ROOT };
        assert!(!may_read(true, &all_but_syslog));
    }

    #[test]
    fn kptr_restrict_levels() {
        assert!(!censors_pointers(0, &USER));
        assert!(!censors_pointers(1, &ROOT));
        assert!(censors_pointers(1, &USER));
        assert!(censors_pointers(2, &ROOT));
        // CAP_SYSLOG with an effective uid other than the real one: zeros, as Linux.
        let setuid = Reader { uid: (1000, 0), ..ROOT };
        assert!(censors_pointers(1, &setuid));
    }
}
