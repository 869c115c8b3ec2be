//! Reading a console capture: its numbered lines, whatever line ends the serial port produced,
//! and the hexadecimal numbers the kernel prints.

/// The lines of `console`, each with its number counting from 1, without its line end: `\n`,
/// `\r\n`, or a QEMU serial capture's `\r\r\n` all end a line the same way.
pub fn numbered_lines(console: &str) -> impl Iterator<Item = (usize, &str)> {
    console.lines().enumerate().map(|(index, line)| (index + 1, line.trim_end_matches('\r')))
}

/// The hexadecimal number of a `0x`-prefixed token of one to eight hex digits, as the kernel
/// prints addresses and register values; `None` for anything else (no sign, no spaces).
pub fn hexadecimal_u32(token: &str) -> Option<u32> {
    let digits = token.strip_prefix("0x")?;
    let valid = (1..=8).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_hexdigit());
    if valid { u32::from_str_radix(digits, 16).ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_end_is_removed_and_lines_count_from_one() {
        let lines: Vec<_> = numbered_lines("a\r\nb\nc\r\r\nd").collect();
        assert_eq!(lines, [(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
    }

    #[test]
    fn only_plain_prefixed_hexadecimal_is_a_number() {
        assert_eq!(hexadecimal_u32("0xffff0fff"), Some(0xffff_0fff));
        assert_eq!(hexadecimal_u32("0x5"), Some(5));
        for bad in ["ffff", "0x", "0x+5", "0x123456789", "0x12g4", "0X12"] {
            assert_eq!(hexadecimal_u32(bad), None, "{bad}");
        }
    }
}
