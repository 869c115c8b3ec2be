//! `transcripts check [FILE...]` and `transcripts update [FILE...]`: checks or regenerates the
//! console excerpts of the documentation (README.md and docs/ when no file is named).
//!
//! Run from the project root. `KERNEL` names the kernel ELF (default
//! `target/armv7a-none-eabi/release/kernel`). Exit status: 0 all excerpts true (or
//! rewritten), 1 stale excerpts (each reported), 2 bad usage, an unreadable file, a malformed
//! marker or a command that failed during `update`.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: transcripts check|update [FILE...]";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, files)) = arguments.split_first() else {
        eprintln!("transcripts: expected a command\n{USAGE}");
        return ExitCode::from(2);
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
    match command.as_str() {
        "check" => match transcripts::check(&root, &kernel, &files) {
            Ok(stale) if stale.is_empty() => {
                println!("transcripts: every excerpt matches a fresh run");
                ExitCode::SUCCESS
            }
            Ok(stale) => {
                for excerpt in &stale {
                    println!(
                        "{}: stale: {}\n  {}",
                        excerpt.place, excerpt.command, excerpt.difference
                    );
                }
                println!("transcripts: {} stale excerpts: run `make docs`", stale.len());
                ExitCode::from(1)
            }
            Err(error) => {
                eprintln!("transcripts: {error}");
                ExitCode::from(2)
            }
        },
        "update" => match transcripts::update(&root, &kernel, &files) {
            Ok(changed) => {
                println!("transcripts: {changed} excerpts rewritten");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("transcripts: {error}");
                ExitCode::from(2)
            }
        },
        other => {
            eprintln!("transcripts: unknown command '{other}'\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
