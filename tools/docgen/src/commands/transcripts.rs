//! `docgen transcripts check [FILE...]` and `docgen transcripts update [FILE...]`: checks or
//! regenerates the console excerpts of the documentation (README.md and docs/ when no file is
//! named).
//!
//! Run from the project root. `KERNEL` names the kernel ELF (default
//! `target/armv7a-none-eabi/release/kernel`). Exit status: 0 all excerpts true (or
//! rewritten), 1 stale excerpts (each reported), 2 bad usage, an unreadable file, a malformed
//! marker or a command that failed during `update`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use docgen::transcripts;

use super::{failure, finish, print, usage};

/// How to call the group.
const USAGE: &str = "usage: docgen transcripts check|update [FILE...]";

/// The exit status of stale excerpts.
const STALE_STATUS: u8 = 1;

/// Runs `docgen transcripts` with `arguments` (after the group's name).
pub fn main(arguments: &[OsString]) -> ExitCode {
    let Some((command, files)) = arguments.split_first() else {
        return usage("expected a command", USAGE);
    };
    let root = PathBuf::from(".");
    let kernel = std::env::var_os("KERNEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/armv7a-none-eabi/release/kernel"));
    let kernel = std::fs::canonicalize(&kernel).unwrap_or(kernel);
    let files: Vec<PathBuf> = if files.is_empty() {
        transcripts::default_files(&root)
    } else {
        files.iter().map(PathBuf::from).collect()
    };
    match command.to_str() {
        Some("check") => match transcripts::check(&root, &kernel, &files) {
            Ok(stale) if stale.is_empty() => {
                finish(print("docgen: every excerpt matches a fresh run\n"))
            }
            Ok(stale) => {
                let mut report = String::new();
                for excerpt in &stale {
                    report.push_str(&format!(
                        "{}: stale: {}\n  {}\n",
                        excerpt.place, excerpt.command, excerpt.difference
                    ));
                }
                report.push_str(&format!(
                    "docgen: {} stale excerpts: run `make docs`\n",
                    stale.len()
                ));
                match print(&report) {
                    Ok(()) => ExitCode::from(STALE_STATUS),
                    Err(message) => failure(&message),
                }
            }
            Err(error) => failure(&error),
        },
        Some("update") => match transcripts::update(&root, &kernel, &files) {
            Ok(changed) => finish(print(&format!("docgen: {changed} excerpts rewritten\n"))),
            Err(error) => failure(&error),
        },
        _ => usage(&format!("unknown command '{}'", command.to_string_lossy()), USAGE),
    }
}
