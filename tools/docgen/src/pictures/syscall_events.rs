//! One system call that copies user memory, as the sequence diagram tells it: who takes
//! part, what happens in which order, where the DACR changes and where the kernel reads it.
//!
//! The calls and returns follow the kernel's code path: `svc #0` enters the exception
//! vectors (`kernel/src/arch/vectors.s`), whose system call entry closes the window (writes
//! `DACR_KERNEL`) and calls the handler; a uaccess routine opens the window around its user
//! accesses and closes it by writing back what it read; the return to user mode writes
//! `DACR_USER` and ends with `rfe`. A boot without PAN (`pan=off`) runs exception vectors that
//! never write the DACR, and the report shows it.

use super::dacr_report::{DacrReport, Step};
use super::facts::{DACR_KERNEL, DACR_USER, DomainAccess, USER, access_of, dacr_text};

/// A participant of the system call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifeline {
    /// The user program making the call.
    UserProgram,
    /// The exception vectors and entry stubs (`kernel/src/arch/vectors.s`).
    ExceptionEntry,
    /// The system call handler (`kernel/src/syscall.rs`).
    Handler,
    /// A uaccess routine, with the window open around its user accesses.
    Window,
}

impl Lifeline {
    /// Every lifeline, left to right.
    pub const ALL: [Lifeline; 4] =
        [Lifeline::UserProgram, Lifeline::ExceptionEntry, Lifeline::Handler, Lifeline::Window];

    /// Its name, and the code it stands for.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Lifeline::UserProgram => ("user program", "USR mode"),
            Lifeline::ExceptionEntry => ("exception entry", "vectors.s"),
            Lifeline::Handler => ("system call handler", "syscall.rs"),
            Lifeline::Window => ("uaccess window", "copy_*_user"),
        }
    }
}

/// Two lines of text about an event: what happens, and the instructions or code doing it
/// (empty when there is nothing to show).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caption {
    /// What happens, in words.
    pub what: String,
    /// The code doing it, in monospace.
    pub code: String,
}

impl Caption {
    /// A caption from its two lines.
    fn new(what: &str, code: &str) -> Caption {
        Caption { what: what.to_owned(), code: code.to_owned() }
    }
}

/// One thing that happens, a row of the diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The kernel reads the DACR for a step of the report.
    Reading(Step),
    /// A call or a return from one lifeline to another.
    Message {
        /// The caller, or the lifeline returning.
        from: Lifeline,
        /// The callee, or the lifeline returned to.
        to: Lifeline,
        /// What the arrow says.
        caption: Caption,
        /// A return, against a call.
        returning: bool,
        /// The step whose value this arrow sets, if it changes the DACR.
        starts: Option<Step>,
    },
    /// Something a lifeline does on its own.
    Note {
        /// The lifeline.
        on: Lifeline,
        /// What the note says.
        caption: Caption,
        /// The step whose value this sets, if it changes the DACR.
        starts: Option<Step>,
    },
}

impl Event {
    /// The step whose DACR value this event sets.
    pub fn starts(&self) -> Option<Step> {
        match self {
            Event::Reading(_) => None,
            Event::Message { starts, .. } | Event::Note { starts, .. } => *starts,
        }
    }
}

/// The events of one system call that copies user memory, in order; `pan` says whether the
/// exception entry and return write the DACR.
pub fn events(pan: bool) -> Vec<Event> {
    let (entry, exit) = if pan {
        (
            Caption::new(
                "closes the window",
                &format!("mov #{}; mcr; isb", dacr_text(DACR_KERNEL)),
            ),
            Caption::new(
                "returns to user mode",
                &format!("mov #{}; mcr; rfe", dacr_text(DACR_USER)),
            ),
        )
    } else {
        (
            Caption::new("leaves the DACR alone", "pan=off vectors"),
            Caption::new("returns to user mode", "rfe"),
        )
    };
    let message = |from, to, caption, returning, starts| Event::Message {
        from,
        to,
        caption,
        returning,
        starts,
    };
    vec![
        Event::Reading(Step::UserMode),
        message(
            Lifeline::UserProgram,
            Lifeline::ExceptionEntry,
            Caption::new("system call", "svc #0"),
            false,
            None,
        ),
        Event::Note {
            on: Lifeline::ExceptionEntry,
            caption: entry,
            starts: Some(Step::SyscallEntry),
        },
        Event::Reading(Step::SyscallEntry),
        message(
            Lifeline::ExceptionEntry,
            Lifeline::Handler,
            Caption::new("calls the handler", "handle_supervisor_call"),
            false,
            None,
        ),
        message(
            Lifeline::Handler,
            Lifeline::Window,
            Caption::new("opens the window", "mrc; orr #4; mcr; isb"),
            false,
            Some(Step::InsideWindow),
        ),
        Event::Reading(Step::InsideWindow),
        Event::Note {
            on: Lifeline::Window,
            caption: Caption::new("copies user memory", "ldm / stm: allowed"),
            starts: None,
        },
        message(
            Lifeline::Window,
            Lifeline::Handler,
            Caption::new("closes the window", "mcr (saved DACR); isb"),
            true,
            Some(Step::WindowClosed),
        ),
        Event::Reading(Step::WindowClosed),
        message(
            Lifeline::Handler,
            Lifeline::ExceptionEntry,
            Caption::new("returns", ""),
            true,
            None,
        ),
        message(
            Lifeline::ExceptionEntry,
            Lifeline::UserProgram,
            exit,
            true,
            Some(Step::BackInUserMode),
        ),
        Event::Reading(Step::BackInUserMode),
    ]
}

/// Where the lifeline that runs at `step` is.
pub fn lifeline_of(step: Step) -> Lifeline {
    match step {
        Step::UserMode | Step::BackInUserMode => Lifeline::UserProgram,
        Step::SyscallEntry => Lifeline::ExceptionEntry,
        Step::InsideWindow => Lifeline::Window,
        Step::WindowClosed => Lifeline::Handler,
    }
}

/// Whether the boot ran with PAN, as the report shows it: the user domain is No access in
/// kernel mode outside the window. With neither kernel step reported, the kernel's default.
pub fn ran_with_pan(report: &DacrReport) -> bool {
    [Step::SyscallEntry, Step::WindowClosed]
        .into_iter()
        .find_map(|step| report.reading(step))
        .is_none_or(|reading| access_of(reading.dacr, USER) == DomainAccess::NoAccess)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps read and the steps set, in the order the events give them.
    fn steps(events: &[Event]) -> (Vec<Step>, Vec<Step>) {
        let read = events
            .iter()
            .filter_map(|event| match event {
                Event::Reading(step) => Some(*step),
                _ => None,
            })
            .collect();
        let set = events.iter().filter_map(Event::starts).collect();
        (read, set)
    }

    #[test]
    fn every_step_is_read_once_in_order_after_the_event_that_sets_it() {
        for pan in [true, false] {
            let events = events(pan);
            let (read, set) = steps(&events);
            assert_eq!(read, Step::ALL);
            assert_eq!(set, Step::ALL[1..]);
            for step in &Step::ALL[1..] {
                let setting = events.iter().position(|event| event.starts() == Some(*step));
                let reading = events.iter().position(|event| *event == Event::Reading(*step));
                assert!(setting < reading, "{step:?}");
            }
        }
    }

    #[test]
    fn each_reading_is_on_the_lifeline_that_runs_then() {
        assert_eq!(lifeline_of(Step::UserMode), Lifeline::UserProgram);
        assert_eq!(lifeline_of(Step::InsideWindow), Lifeline::Window);
        assert_eq!(lifeline_of(Step::BackInUserMode), Lifeline::UserProgram);
    }

    #[test]
    fn the_entry_captions_follow_the_boot() {
        let caption = |pan| {
            events(pan).into_iter().find_map(|event| match event {
                Event::Note { on: Lifeline::ExceptionEntry, caption, .. } => Some(caption),
                _ => None,
            })
        };
        assert_eq!(caption(true), Some(Caption::new("closes the window", "mov #0x51; mcr; isb")));
        assert_eq!(caption(false), Some(Caption::new("leaves the DACR alone", "pan=off vectors")));
    }
}
