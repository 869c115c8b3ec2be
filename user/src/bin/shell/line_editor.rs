//! The shell's line editor: reads the console key by key and echoes the line as a terminal's
//! prompt does.
//!
//! Keys: printable ASCII is inserted at the cursor; Enter (`\r` or `\n`) ends the line;
//! Backspace and DEL erase before the cursor, Delete (and Ctrl-D inside a line) under it;
//! Left and Right move the cursor, Home, End, Ctrl-A and Ctrl-E to either end; Up and Down
//! walk the earlier lines; Ctrl-C abandons the line (echoed `^C`), Ctrl-U clears it, Ctrl-D on
//! an empty line ends the input. The special keys arrive as escape sequences (ECMA-48's CSI,
//! `ESC [` with parameters, and SS3, `ESC O`): each is read whole, and the ones the editor has
//! no use for are ignored. The echo uses only backspace, space and the text itself, so it
//! looks right on any terminal and reads plainly in a log of piped input.

use swpan_user::syscall;

/// The longest line the shell takes; further characters are not taken.
const LINE_CAPACITY: usize = 128;

/// How many earlier lines Up can recall.
const HISTORY_DEPTH: usize = 16;

/// What reading a line gave.
pub enum Input<'a> {
    /// A line ended with Enter (`\r` or `\n`), without its end.
    Line(&'a str),
    /// Ctrl-C: the line was abandoned.
    Interrupted,
    /// Ctrl-D (ASCII EOT) on an empty line.
    EndOfTransmission,
}

/// One key, decoded from a byte or from a terminal's escape sequence.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    /// A printable ASCII character.
    Character(u8),
    Enter,
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    Up,
    Down,
    /// Ctrl-C.
    Interrupt,
    /// Ctrl-U.
    ClearLine,
    /// Ctrl-D.
    EndOfTransmission,
}

/// Where the decoder is inside an escape sequence (ECMA-48: ESC, then CSI `ESC [` with
/// parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F and one final byte 0x40-0x7E, or
/// SS3 `ESC O` with one final byte).
#[derive(Clone, Copy)]
enum Sequence {
    /// Not in a sequence.
    None,
    /// After ESC.
    Escape,
    /// After `ESC [`: the first numeric parameter so far (`ESC [ 3 ~` is Delete), and whether
    /// it has ended (a `;` or an intermediate byte came).
    Csi { first: u16, first_ended: bool },
    /// After `ESC O`.
    Ss3,
}

/// Turns console bytes into keys; a byte that completes no key gives `None`.
struct KeyDecoder {
    sequence: Sequence,
}

impl KeyDecoder {
    const ESCAPE: u8 = 0x1B;

    fn key(&mut self, byte: u8) -> Option<Key> {
        match self.sequence {
            Sequence::None => self.plain(byte),
            Sequence::Escape => {
                self.sequence = match byte {
                    b'[' => Sequence::Csi { first: 0, first_ended: false },
                    b'O' => Sequence::Ss3,
                    Self::ESCAPE => Sequence::Escape,
                    // ESC and a character (Alt+key): nothing the shell uses.
                    _ => Sequence::None,
                };
                None
            }
            Sequence::Csi { first, first_ended } => match byte {
                b'0'..=b'9' if !first_ended => {
                    let digit = u16::from(byte - b'0');
                    let first = first.saturating_mul(10).saturating_add(digit);
                    self.sequence = Sequence::Csi { first, first_ended };
                    None
                }
                0x20..=0x3F => {
                    self.sequence = Sequence::Csi { first, first_ended: true };
                    None
                }
                0x40..=0x7E => {
                    self.sequence = Sequence::None;
                    match (byte, first) {
                        (b'~', 1 | 7) => Some(Key::Home),
                        (b'~', 3) => Some(Key::Delete),
                        (b'~', 4 | 8) => Some(Key::End),
                        (b'~', _) => None,
                        (final_byte, _) => Self::cursor_key(final_byte),
                    }
                }
                // A control character cuts the sequence short and counts on its own.
                _ => {
                    self.sequence = Sequence::None;
                    self.plain(byte)
                }
            },
            Sequence::Ss3 => {
                self.sequence = Sequence::None;
                Self::cursor_key(byte)
            }
        }
    }

    fn plain(&mut self, byte: u8) -> Option<Key> {
        match byte {
            Self::ESCAPE => {
                self.sequence = Sequence::Escape;
                None
            }
            b'\r' | b'\n' => Some(Key::Enter),
            0x08 | 0x7F => Some(Key::Backspace),
            0x01 => Some(Key::Home),
            0x03 => Some(Key::Interrupt),
            0x04 => Some(Key::EndOfTransmission),
            0x05 => Some(Key::End),
            0x15 => Some(Key::ClearLine),
            0x20..=0x7E => Some(Key::Character(byte)),
            _ => None,
        }
    }

    /// The key of a CSI or SS3 sequence ending in `final_byte` (its parameters, modifiers
    /// such as Shift or Ctrl, do not change it).
    fn cursor_key(final_byte: u8) -> Option<Key> {
        match final_byte {
            b'A' => Some(Key::Up),
            b'B' => Some(Key::Down),
            b'C' => Some(Key::Right),
            b'D' => Some(Key::Left),
            b'H' => Some(Key::Home),
            b'F' => Some(Key::End),
            _ => None,
        }
    }
}

/// A line of text and a cursor in it.
#[derive(Clone, Copy)]
struct Line {
    bytes: [u8; LINE_CAPACITY],
    length: usize,
}

impl Line {
    const EMPTY: Line = Line { bytes: [0; LINE_CAPACITY], length: 0 };

    fn text(&self) -> &[u8] {
        &self.bytes[..self.length]
    }
}

/// The earlier lines, newest last, the oldest forgotten once there are `HISTORY_DEPTH`.
struct History {
    lines: [Line; HISTORY_DEPTH],
    count: usize,
}

impl History {
    fn add(&mut self, line: &Line) {
        if line.text().iter().all(u8::is_ascii_whitespace)
            || self.recall(0).is_some_and(|newest| newest.text() == line.text())
        {
            return;
        }
        if self.count == HISTORY_DEPTH {
            self.lines.rotate_left(1);
            self.count -= 1;
        }
        self.lines[self.count] = *line;
        self.count += 1;
    }

    /// The line `age` entries back from the newest (0: the newest).
    fn recall(&self, age: usize) -> Option<&Line> {
        (age < self.count).then(|| &self.lines[self.count - 1 - age])
    }
}

/// Reads lines from the console, echoing and editing them as a terminal's prompt does.
pub struct LineEditor {
    decoder: KeyDecoder,
    line: Line,
    cursor: usize,
    history: History,
    /// Which history entry is shown (0: the newest), while Up and Down walk the history.
    recalled: Option<usize>,
    /// The line being typed before Up was pressed, shown again by Down past the newest entry.
    draft: Line,
    echo: Echo,
}

impl LineEditor {
    pub fn new() -> LineEditor {
        LineEditor {
            decoder: KeyDecoder { sequence: Sequence::None },
            line: Line::EMPTY,
            cursor: 0,
            history: History { lines: [Line::EMPTY; HISTORY_DEPTH], count: 0 },
            recalled: None,
            draft: Line::EMPTY,
            echo: Echo::new(),
        }
    }

    /// Reads keys until the line ends; `None` on a read error.
    pub fn read(&mut self) -> Option<Input<'_>> {
        self.line.length = 0;
        self.cursor = 0;
        self.recalled = None;
        loop {
            let mut byte = [0u8; 1];
            match syscall::read(0, &mut byte) {
                Ok(1) => {}
                _ => return None,
            }
            let Some(key) = self.decoder.key(byte[0]) else { continue };
            match key {
                Key::Enter => {
                    self.echo.push(b"\n");
                    self.echo.flush();
                    self.history.add(&self.line);
                    return Some(Input::Line(core::str::from_utf8(self.line.text()).unwrap_or("")));
                }
                Key::Interrupt => {
                    self.echo.push(b"^C\n");
                    self.echo.flush();
                    return Some(Input::Interrupted);
                }
                Key::EndOfTransmission if self.line.length == 0 => {
                    return Some(Input::EndOfTransmission);
                }
                key => self.edit(key),
            }
            self.echo.flush();
        }
    }

    fn edit(&mut self, key: Key) {
        let length = self.line.length;
        match key {
            Key::Character(byte) if length < LINE_CAPACITY => {
                self.line.bytes.copy_within(self.cursor..length, self.cursor + 1);
                self.line.bytes[self.cursor] = byte;
                self.line.length += 1;
                self.cursor += 1;
                self.redraw_tail(0);
            }
            Key::Backspace if self.cursor > 0 => {
                self.echo.repeat(0x08, 1);
                self.cursor -= 1;
                self.remove_at_cursor();
            }
            Key::Delete | Key::EndOfTransmission if self.cursor < length => self.remove_at_cursor(),
            Key::Left if self.cursor > 0 => {
                self.echo.repeat(0x08, 1);
                self.cursor -= 1;
            }
            Key::Right if self.cursor < length => {
                self.echo.push(&self.line.bytes[self.cursor..self.cursor + 1]);
                self.cursor += 1;
            }
            Key::Home => {
                self.echo.repeat(0x08, self.cursor);
                self.cursor = 0;
            }
            Key::End => {
                self.echo.push(&self.line.bytes[self.cursor..length]);
                self.cursor = length;
            }
            Key::ClearLine => self.replace_line(Line::EMPTY),
            Key::Up => {
                let age = self.recalled.map_or(0, |age| age + 1);
                if let Some(&older) = self.history.recall(age) {
                    if self.recalled.is_none() {
                        self.draft = self.line;
                    }
                    self.recalled = Some(age);
                    self.replace_line(older);
                }
            }
            Key::Down => match self.recalled {
                Some(0) => {
                    self.recalled = None;
                    self.replace_line(self.draft);
                }
                Some(age) => {
                    self.recalled = Some(age - 1);
                    if let Some(&newer) = self.history.recall(age - 1) {
                        self.replace_line(newer);
                    }
                }
                None => {}
            },
            _ => {}
        }
    }

    /// Removes the character under the cursor and redraws what follows it.
    fn remove_at_cursor(&mut self) {
        self.line.bytes.copy_within(self.cursor + 1..self.line.length, self.cursor);
        self.line.length -= 1;
        self.redraw_tail(1);
    }

    /// Echoes the line from one before the cursor (the character just typed) or from the
    /// cursor, blanks `erased` cells after it, and moves back to the cursor. At the end of the
    /// line this is the bare echo of a typed character, or `\x08 \x08` for a backspace.
    fn redraw_tail(&mut self, erased: usize) {
        let start = if erased == 0 { self.cursor - 1 } else { self.cursor };
        self.echo.push(&self.line.bytes[start..self.line.length]);
        self.echo.repeat(b' ', erased);
        self.echo.repeat(0x08, self.line.length - self.cursor + erased);
    }

    /// Shows `line` in place of the current one, with the cursor at its end.
    fn replace_line(&mut self, line: Line) {
        self.echo.repeat(0x08, self.cursor);
        self.echo.push(line.text());
        let leftover = self.line.length.saturating_sub(line.length);
        self.echo.repeat(b' ', leftover);
        self.echo.repeat(0x08, leftover);
        self.line = line;
        self.cursor = line.length;
    }
}

/// The echo of one key, written in one go.
struct Echo {
    bytes: [u8; 256],
    length: usize,
}

impl Echo {
    fn new() -> Echo {
        Echo { bytes: [0; 256], length: 0 }
    }

    fn push(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.repeat(byte, 1);
        }
    }

    fn repeat(&mut self, byte: u8, count: usize) {
        for _ in 0..count {
            if self.length == self.bytes.len() {
                self.flush();
            }
            self.bytes[self.length] = byte;
            self.length += 1;
        }
    }

    fn flush(&mut self) {
        let mut written = 0;
        while written < self.length {
            match syscall::write(1, &self.bytes[written..self.length]) {
                Ok(0) | Err(_) => break,
                Ok(count) => written += count,
            }
        }
        self.length = 0;
    }
}
