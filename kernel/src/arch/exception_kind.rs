//! The eight ways into the kernel, as the exception vectors name them.

use core::fmt;

/// The eight ways into the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExceptionKind {
    /// Vector 0x00 entered by a branch (a reset restarts at `_start`, not here).
    ResetVector,
    /// An UNDEFINED instruction.
    UndefinedInstruction,
    /// An SVC instruction.
    SupervisorCall,
    /// An instruction fetch abort.
    PrefetchAbort,
    /// A data access abort.
    DataAbort,
    /// Vector 0x14, used only by HYP mode.
    UnusedVector,
    /// An interrupt.
    Irq,
    /// A fast interrupt (never enabled).
    Fiq,
}

impl fmt::Display for ExceptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExceptionKind::ResetVector => "branch through the reset vector",
            ExceptionKind::UndefinedInstruction => "undefined instruction",
            ExceptionKind::SupervisorCall => "supervisor call",
            ExceptionKind::PrefetchAbort => "prefetch abort",
            ExceptionKind::DataAbort => "data abort",
            ExceptionKind::UnusedVector => "unused vector 0x14",
            ExceptionKind::Irq => "IRQ",
            ExceptionKind::Fiq => "FIQ",
        })
    }
}
