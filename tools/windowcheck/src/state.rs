//! The abstract state the analysis carries along each path: what each register is known to
//! hold, and where the DACR stands (window closed, open, as an exception found it...).
//!
//! Every part is a small lattice with a join, so that paths meeting at an instruction merge
//! into one state and the fixed point is reached in a few passes.

use std::fmt;

/// The most distinct constants a register may hold before it counts as unknown: enough for
/// the boot code's "0x51 or 0x55", few enough to keep the fixed point quick.
pub const MAXIMUM_CONSTANTS: usize = 8;

/// In what state the DACR was when an `mrc` read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seen {
    /// Window closed: the kernel value.
    Closed,
    /// Inside a window: the user domain is Client.
    Open,
    /// In an exception entry, before it changed anything: whatever the interrupted code had.
    Interrupted,
}

/// A value that came from an `mrc` of the DACR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DacrValue {
    /// The `mrc` that read it: two reads are two different values.
    pub read_at: u32,
    /// The DACR's state at the read.
    pub seen: Seen,
    /// Whether the user domain's Client bit was ORed in since (the window-open value).
    pub user_bit: bool,
}

/// What a register is known to hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Nothing known.
    Unknown,
    /// One of these constants (sorted, at most [`MAXIMUM_CONSTANTS`]).
    Constants(Vec<u32>),
    /// A DACR value read by an `mrc`.
    Dacr(DacrValue),
    /// The word at `[sp, #FRAME_DACR]`: the DACR saved in the trap frame.
    FrameDacr,
    /// An address derived from the stack pointer the function was entered with.
    Stack,
}

impl Value {
    /// A single known constant.
    pub fn constant(value: u32) -> Value {
        Value::Constants(vec![value])
    }

    /// The set of constants, built from any list; too many is unknown.
    pub fn constants(mut values: Vec<u32>) -> Value {
        values.sort_unstable();
        values.dedup();
        if values.is_empty() || values.len() > MAXIMUM_CONSTANTS {
            Value::Unknown
        } else {
            Value::Constants(values)
        }
    }

    /// The least value that covers both.
    pub fn join(&self, other: &Value) -> Value {
        match (self, other) {
            _ if self == other => self.clone(),
            (Value::Constants(left), Value::Constants(right)) => {
                Value::constants(left.iter().chain(right).copied().collect())
            }
            _ => Value::Unknown,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unknown => formatter.write_str("an unknown value"),
            Value::Constants(values) => {
                let shown: Vec<String> = values.iter().map(|value| format!("{value:#x}")).collect();
                write!(formatter, "{}", shown.join(" or "))
            }
            Value::Dacr(value) => {
                let bit = if value.user_bit { " with the user domain opened" } else { "" };
                write!(formatter, "the DACR read at {:#010x}{bit}", value.read_at)
            }
            Value::FrameDacr => formatter.write_str("the DACR saved in the trap frame"),
            Value::Stack => formatter.write_str("a stack address"),
        }
    }
}

/// What closes a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closer {
    /// Writing back the DACR as read before the open (`mrc`, `orr` the Client bit, `mcr`).
    Saved(DacrValue),
    /// Writing DACR_KERNEL, or a DACR value read with the window closed: the window was opened
    /// by writing the constant DACR_USER.
    Kernel,
}

/// A window that is open on this path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenWindow {
    /// The `mcr` that opened it.
    pub opened_at: u32,
    /// What closes it.
    pub closer: Closer,
}

/// Where the DACR stands on a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dacr {
    /// A kernel value: the window is closed (the state every function is entered in).
    Closed,
    /// One or more windows are open, the innermost last.
    Open(Vec<OpenWindow>),
    /// An exception entry that has not written the DACR yet: it may be inside a window.
    Interrupted,
    /// An exception return path that has restored the interrupted DACR (or written
    /// DACR_USER) for its exception return.
    Restored,
    /// Paths in different states met, or an unprovable value was written.
    Unknown,
}

impl Dacr {
    /// The least state that covers both; the flag says whether two different known states
    /// met (which is itself a violation: the window state depends on the path).
    pub fn join(&self, other: &Dacr) -> (Dacr, bool) {
        match (self, other) {
            _ if self == other => (self.clone(), false),
            // "As interrupted" may already be the kernel value: it covers a closed window, as
            // when an entry stub closes the window on one path only.
            (Dacr::Interrupted, Dacr::Closed) | (Dacr::Closed, Dacr::Interrupted) => {
                (Dacr::Interrupted, false)
            }
            (Dacr::Unknown, _) | (_, Dacr::Unknown) => (Dacr::Unknown, false),
            _ => (Dacr::Unknown, true),
        }
    }

    /// The innermost open window, if any.
    pub fn innermost(&self) -> Option<&OpenWindow> {
        match self {
            Dacr::Open(windows) => windows.last(),
            _ => None,
        }
    }
}

impl fmt::Display for Dacr {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dacr::Closed => formatter.write_str("the window closed"),
            Dacr::Open(windows) => match windows.last() {
                Some(window) => {
                    write!(formatter, "the window opened at {:#010x}", window.opened_at)
                }
                None => formatter.write_str("the window open"),
            },
            Dacr::Interrupted => formatter.write_str("the DACR as interrupted"),
            Dacr::Restored => formatter.write_str("the DACR restored for the exception return"),
            Dacr::Unknown => formatter.write_str("the DACR unknown"),
        }
    }
}

/// Everything known at one point of one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// r0 to r14 (r15 is the instruction's own address plus 8, never stored).
    pub registers: [Value; 15],
    /// The DACR.
    pub dacr: Dacr,
    /// Exception entries: the last DACR write on this path stored exactly DACR_KERNEL.
    pub kernel_written: bool,
    /// Exception entries: the interrupted DACR was stored at `[sp, #FRAME_DACR]`.
    pub frame_saved: bool,
    /// Exception entries: the path has already called its handler.
    pub called: bool,
}

impl State {
    /// The state at a function's first instruction: nothing known but the stack pointer.
    pub fn entry(dacr: Dacr) -> State {
        let mut registers: [Value; 15] = std::array::from_fn(|_| Value::Unknown);
        registers[13] = Value::Stack;
        State { registers, dacr, kernel_written: false, frame_saved: false, called: false }
    }

    /// The least state that covers both, and whether two different DACR states met.
    pub fn join(&self, other: &State) -> (State, bool) {
        let registers =
            std::array::from_fn(|index| self.registers[index].join(&other.registers[index]));
        let (dacr, conflict) = self.dacr.join(&other.dacr);
        let state = State {
            registers,
            dacr,
            // A fact about exception entries holds after a merge only if it held on both paths.
            kernel_written: self.kernel_written && other.kernel_written,
            frame_saved: self.frame_saved && other.frame_saved,
            called: self.called && other.called,
        };
        (state, conflict)
    }
}
