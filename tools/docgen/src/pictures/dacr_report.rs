//! Reading the kernel's report of the DACR during one system call out of a console capture.
//!
//! The tour prints it with the meaning of each value, the shell's `dacr` command without it
//! and without the return to user mode:
//!
//! ```text
//!   user mode                    DACR 0x55  (user domain Client)
//!   kernel, syscall entry        DACR 0x51  (user domain No access)
//!   kernel, inside the window    DACR 0x55  (user domain Client)
//!   kernel, window closed        DACR 0x51  (user domain No access)
//!   back in user mode            DACR 0x55  (user domain Client)
//! ```
//!
//! A report line is one of the five step labels, `DACR`, a hexadecimal value and, optionally,
//! its meaning in parentheses; spacing is free. The report is the first run of consecutive
//! report lines. A line that starts with a step label and `DACR` but is not a valid report
//! line, a meaning that contradicts the value, or a step out of order or repeated within the
//! run is an error naming the line. Steps the run leaves out are not reported.

use super::console::{hexadecimal_u32, numbered_lines};
use super::error::Error;
use super::facts::{USER, access_from_name, access_of, dacr_text};

/// A moment of a system call at which the kernel reads the DACR, in the order they happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// In the user program, before the system call.
    UserMode,
    /// Just after the exception entry, in the system call handler.
    SyscallEntry,
    /// Inside the uaccess window, between the opening and the closing.
    InsideWindow,
    /// After the window has closed again, still in the kernel.
    WindowClosed,
    /// Back in the user program, after the return from the exception.
    BackInUserMode,
}

impl Step {
    /// Every step, in the order they happen.
    pub const ALL: [Step; 5] = [
        Step::UserMode,
        Step::SyscallEntry,
        Step::InsideWindow,
        Step::WindowClosed,
        Step::BackInUserMode,
    ];

    /// The label the kernel prints for it.
    pub fn label(self) -> &'static str {
        match self {
            Step::UserMode => "user mode",
            Step::SyscallEntry => "kernel, syscall entry",
            Step::InsideWindow => "kernel, inside the window",
            Step::WindowClosed => "kernel, window closed",
            Step::BackInUserMode => "back in user mode",
        }
    }

    /// The step printed as `label` (its words separated by single spaces).
    fn from_label(label: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.label() == label)
    }
}

/// The DACR value the kernel reported for one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// The value.
    pub dacr: u32,
    /// The line of the capture it came from, counting from 1.
    pub line: usize,
}

/// The report: a reading for each step it gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DacrReport {
    /// The readings, indexed in the order of [`Step::ALL`].
    readings: [Option<Reading>; 5],
}

impl DacrReport {
    /// The reading of `step`, or `None` when the report leaves it out.
    pub fn reading(&self, step: Step) -> Option<Reading> {
        self.readings[step as usize]
    }
}

/// Finds the first DACR report in `console` and reads it.
pub fn find(console: &str) -> Result<DacrReport, Error> {
    let mut readings: [Option<Reading>; 5] = [None; 5];
    let mut last_step: Option<Step> = None;
    for (number, line) in numbered_lines(console) {
        let malformed = |problem: String| Error::MalformedDacrLine { line: number, problem };
        match report_line(line).map_err(malformed)? {
            Some((step, dacr)) => {
                if let Some(last_step) = last_step
                    && step <= last_step
                {
                    return Err(malformed(format!(
                        "`{}` comes after `{}`: the steps must follow the system call's order, \
                         each once",
                        step.label(),
                        last_step.label()
                    )));
                }
                readings[step as usize] = Some(Reading { dacr, line: number });
                last_step = Some(step);
            }
            None if last_step.is_some() => break,
            None => {}
        }
    }
    if last_step.is_none() {
        return Err(Error::NoDacrReport);
    }
    Ok(DacrReport { readings })
}

/// The step and value of a report line; `None` for a line that is not one; an error for a
/// line that starts like one but is not.
fn report_line(line: &str) -> Result<Option<(Step, u32)>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some(dacr_word) = words.iter().position(|word| *word == "DACR") else {
        return Ok(None);
    };
    let Some(step) = Step::from_label(&words[..dacr_word].join(" ")) else {
        return Ok(None);
    };
    let rest = &words[dacr_word + 1..];
    let Some((value, meaning)) = rest.split_first() else {
        return Err(format!("`{}` gives no value after DACR", step.label()));
    };
    let dacr =
        hexadecimal_u32(value).ok_or_else(|| format!("`{value}` is not a DACR value like 0x55"))?;
    if !meaning.is_empty() {
        check_meaning(dacr, &meaning.join(" "))?;
    }
    Ok(Some((step, dacr)))
}

/// Checks that `meaning`, the text after the value, is `(user domain STATE)` and that the
/// value gives the user domain that state.
fn check_meaning(dacr: u32, meaning: &str) -> Result<(), String> {
    let state = meaning
        .strip_prefix("(user domain ")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(access_from_name)
        .ok_or_else(|| {
            format!(
                "`{meaning}` is not a meaning like (user domain Client) or \
                 (user domain No access)"
            )
        })?;
    let decoded = access_of(dacr, USER);
    if state != decoded {
        return Err(format!(
            "the line says the user domain is {}, but {} gives it {} (bits [3:2])",
            state.name(),
            dacr_text(dacr),
            decoded.name()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOUR: &str = "tour[1]: the DACR during one system call, as the kernel saw it:\r
  user mode                    DACR 0x55  (user domain Client)\r
  kernel, syscall entry        DACR 0x51  (user domain No access)\r
  kernel, inside the window    DACR 0x55  (user domain Client)\r
  kernel, window closed        DACR 0x51  (user domain No access)\r
  back in user mode            DACR 0x55  (user domain Client)\r
tour[1]: mmap gave a page at 0x40000000; write() of it from there:\r
";

    fn values(report: &DacrReport) -> Vec<Option<(u32, usize)>> {
        Step::ALL
            .iter()
            .map(|&step| report.reading(step).map(|reading| (reading.dacr, reading.line)))
            .collect()
    }

    #[test]
    fn the_tour_report_gives_every_step() {
        let report = find(TOUR).expect("a report");
        assert_eq!(
            values(&report),
            [Some((0x55, 2)), Some((0x51, 3)), Some((0x55, 4)), Some((0x51, 5)), Some((0x55, 6))]
        );
    }

    #[test]
    fn the_shell_report_has_no_meanings_and_no_return_step() {
        let shell = "PAN: on (emulated): DACR 0x51 in kernel mode, the user domain opens only inside uaccess
swpan$ dacr
PAN on, PXN on
user mode                  DACR 0x55
kernel, syscall entry      DACR 0x51
kernel, inside the window  DACR 0x55
kernel, window closed      DACR 0x51
swpan$ poweroff
";
        let report = find(shell).expect("a report");
        assert_eq!(
            values(&report),
            [Some((0x55, 4)), Some((0x51, 5)), Some((0x55, 6)), Some((0x51, 7)), None]
        );
    }

    #[test]
    fn only_the_first_run_counts() {
        let twice = format!(
            "{TOUR}{}",
            TOUR.replace("0x51  (user domain No access)", "0x55  (user domain Client)")
        );
        let report = find(&twice).expect("a report");
        assert_eq!(report.reading(Step::SyscallEntry).map(|reading| reading.dacr), Some(0x51));
    }

    #[test]
    fn bad_report_lines_are_errors_on_their_line() {
        let cases = [
            ("user mode DACR", "gives no value"),
            ("user mode DACR 55", "not a DACR value"),
            ("user mode DACR 0x55 user domain Client", "not a meaning"),
            ("user mode DACR 0x55 (user domain Open)", "not a meaning"),
            ("user mode DACR 0x51 (user domain Client)", "gives it No access"),
        ];
        for (line, expected) in cases {
            let console = format!("boot\n{line}\n");
            let Err(Error::MalformedDacrLine { line: 2, problem }) = find(&console) else {
                panic!("{line}: not reported on line 2");
            };
            assert!(problem.contains(expected), "{line}: {problem}");
        }
    }

    #[test]
    fn steps_out_of_order_are_errors() {
        let console = "kernel, syscall entry DACR 0x51\nuser mode DACR 0x55\n";
        let Err(Error::MalformedDacrLine { line: 2, problem }) = find(console) else {
            panic!("the order is not checked");
        };
        assert!(problem.contains("must follow the system call's order"), "{problem}");
    }

    #[test]
    fn other_lines_naming_the_dacr_are_not_a_report() {
        let console = "PAN: on (emulated): DACR 0x51 in kernel mode\n\
                       Control: 00c5187d  Table: 8005006a  DAC: 00000051\n\
                       the DACR in kernel mode: 0x51\n";
        assert_eq!(find(console), Err(Error::NoDacrReport));
    }
}
