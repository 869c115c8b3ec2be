//! The groups of `docgen`'s command line, and what they share: how a failure is reported.

pub mod bench;
pub mod linux;
pub mod matrix;
pub mod pictures;
pub mod splice;
pub mod transcripts;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The exit status of a bad command line, an unreadable input or an unwritable output.
pub const FAILURE_STATUS: u8 = 2;

/// Reports a bad command line, with the usage of the group.
pub fn usage(message: &str, usage: &str) -> ExitCode {
    eprintln!("docgen: {message}");
    eprintln!("{usage}");
    ExitCode::from(FAILURE_STATUS)
}

/// Reports input that cannot be read or output that cannot be written.
pub fn failure(message: &str) -> ExitCode {
    eprintln!("docgen: {message}");
    ExitCode::from(FAILURE_STATUS)
}

/// Prints the usage and what the group does, for `--help`.
pub fn help(usage: &str, about: &str) -> ExitCode {
    finish(print(&format!("{usage}\n{about}\n")))
}

/// Exit status 0, or the failure's.
pub fn finish(result: Result<(), String>) -> ExitCode {
    result.map_or_else(|message| failure(&message), |()| ExitCode::SUCCESS)
}

/// Writes `text` to stdout, reporting a closed or failing stdout instead of panicking.
pub fn print(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| format!("cannot write the report: {error}"))
}

/// The bytes of the file at `path`.
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))
}

/// Writes `text` to the file at `path`.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))
}
