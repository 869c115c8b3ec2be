//! Formatting into a fixed byte buffer, for the paths that must not allocate.

use core::fmt;

/// A `fmt::Write` over a byte slice that keeps what fits and drops the rest.
pub struct FmtBuffer<'a> {
    buffer: &'a mut [u8],
    length: usize,
}

impl<'a> FmtBuffer<'a> {
    /// An empty writer over `buffer`.
    pub fn new(buffer: &'a mut [u8]) -> FmtBuffer<'a> {
        FmtBuffer { buffer, length: 0 }
    }

    /// The text written so far (whole characters only).
    pub fn as_str(&self) -> &str {
        match core::str::from_utf8(&self.buffer[..self.length]) {
            Ok(text) => text,
            // Truncation can cut a character: keep the valid prefix.
            Err(error) => core::str::from_utf8(&self.buffer[..error.valid_up_to()]).unwrap_or(""),
        }
    }
}

impl fmt::Write for FmtBuffer<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let room = self.buffer.len() - self.length;
        let count = text.len().min(room);
        self.buffer[self.length..self.length + count].copy_from_slice(&text.as_bytes()[..count]);
        self.length += count;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    #[test]
    fn keeps_what_fits() {
        let mut bytes = [0u8; 8];
        let mut buffer = FmtBuffer::new(&mut bytes);
        write!(buffer, "page {} fault", 42).unwrap();
        assert_eq!(buffer.as_str(), "page 42 ");
        let mut bytes = [0u8; 3];
        let mut buffer = FmtBuffer::new(&mut bytes);
        write!(buffer, "aé").unwrap();
        assert_eq!(buffer.as_str(), "aé");
        let mut bytes = [0u8; 2];
        let mut buffer = FmtBuffer::new(&mut bytes);
        write!(buffer, "aé").unwrap();
        assert_eq!(buffer.as_str(), "a");
    }
}
