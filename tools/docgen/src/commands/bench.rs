//! `docgen bench table|markdown BENCH_JSON`, `docgen bench svg BENCH_JSON OUT.svg`: reads the
//! kernel's `bench.json` and prints a text report, prints Markdown tables, or writes a chart.
//! Exit status 0 on success (a missed target is reported, not an error), 2 for a bad command
//! line or a `bench.json` that cannot be read.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use docgen::bench::{Metrics, chart, report, table};

use super::{finish, help, print, read, usage, write};

/// How to call the group.
const USAGE: &str = "usage: docgen bench table BENCH_JSON
       docgen bench markdown BENCH_JSON
       docgen bench svg BENCH_JSON OUT.svg";

/// What the group does, for `--help`.
const ABOUT: &str = "Reports on the kernel's instruction-count benchmarks (target/bench.json).";

/// What was asked for.
enum Command {
    /// The plain-text report on stdout.
    Table { input: PathBuf },
    /// The Markdown tables on stdout.
    Markdown { input: PathBuf },
    /// The chart, written to a file.
    Svg { input: PathBuf, output: PathBuf },
}

/// Runs `docgen bench` with `arguments` (after the group's name).
pub fn main(arguments: &[OsString]) -> ExitCode {
    let Some((command, paths)) = arguments.split_first() else {
        return usage("expected a command", USAGE);
    };
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let command = match (command.to_str(), paths.as_slice()) {
        (Some("--help" | "-h"), []) => return help(USAGE, ABOUT),
        (Some("table"), [input]) => Command::Table { input: input.clone() },
        (Some("markdown"), [input]) => Command::Markdown { input: input.clone() },
        (Some("svg"), [input, output]) => {
            Command::Svg { input: input.clone(), output: output.clone() }
        }
        (Some("table" | "markdown"), _) => return usage("expected exactly one BENCH_JSON", USAGE),
        (Some("svg"), _) => return usage("expected BENCH_JSON and OUT.svg", USAGE),
        _ => return usage(&format!("unknown command {}", command.to_string_lossy()), USAGE),
    };
    finish(run(&command))
}

/// Carries out `command`, or says why it could not.
fn run(command: &Command) -> Result<(), String> {
    match command {
        Command::Table { input } => print(&table::text(&report::build(&load(input)?))),
        Command::Markdown { input } => print(&table::markdown(&report::build(&load(input)?))),
        Command::Svg { input, output } => write(output, &chart::chart(&load(input)?)),
    }
}

/// Reads and checks the `bench.json` at `path`.
fn load(path: &Path) -> Result<Metrics, String> {
    Metrics::from_json(&read(path)?).map_err(|error| format!("{}: {error}", path.display()))
}
