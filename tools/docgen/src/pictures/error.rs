//! Why a picture could not be drawn: what is missing from a console capture, which of its
//! lines is wrong and how, or what a kernel source no longer holds.

use std::fmt;

/// Why a console capture could not be turned into a picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The capture holds no ptdump output: no `---[ title ]---` heading followed by at least
    /// one address range.
    NoPtdump,
    /// A line of the ptdump output is not a valid ptdump line, or contradicts the lines
    /// before it.
    MalformedPtdumpLine {
        /// The line's number in the capture, counting from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// The capture holds no report of the DACR during a system call: no line such as
    /// `user mode  DACR 0x55`.
    NoDacrReport,
    /// A line of the DACR report is not a valid report line, or breaks the order of the
    /// steps.
    MalformedDacrLine {
        /// The line's number in the capture, counting from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// A kernel source the exception-path picture reads no longer holds what it draws.
    Source {
        /// What is missing or out of order.
        problem: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoPtdump => formatter.write_str(
                "no ptdump output in the console capture \
                 (a `---[ title ]---` heading followed by lines like \
                 `0x80000000-0x80032fff  204K  k:RO u:--  x  .  dom 0 KERNEL  WBWA  global  page`)",
            ),
            Error::MalformedPtdumpLine { line, problem } => {
                write!(formatter, "line {line}: malformed ptdump line: {problem}")
            }
            Error::NoDacrReport => formatter.write_str(
                "no report of the DACR during a system call in the console capture \
                 (lines like `user mode  DACR 0x55  (user domain Client)`)",
            ),
            Error::MalformedDacrLine { line, problem } => {
                write!(formatter, "line {line}: malformed DACR report line: {problem}")
            }
            Error::Source { problem } => write!(formatter, "kernel source: {problem}"),
        }
    }
}

impl std::error::Error for Error {}
