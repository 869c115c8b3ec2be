//! `benchreport table|markdown BENCH_JSON`, `benchreport svg BENCH_JSON OUT.svg`: reads the
//! kernel's `bench.json` and prints a text report, prints Markdown tables, or writes a chart.
//! Exit status 0 on success (a missed target is reported, not an error), 2 for a bad command
//! line or a `bench.json` that cannot be read.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use benchreport::{Metrics, report, svg, table};

/// The exit status of a bad command line, an unreadable input or an unwritable output.
const FAILURE_STATUS: u8 = 2;

/// How to call the tool.
const USAGE: &str = "usage: benchreport table BENCH_JSON
       benchreport markdown BENCH_JSON
       benchreport svg BENCH_JSON OUT.svg";

/// What the tool does, for `--help`.
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

fn main() -> ExitCode {
    let arguments: Vec<OsString> = std::env::args_os().skip(1).collect();
    let Some((command, paths)) = arguments.split_first() else {
        return usage("expected a command");
    };
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let command = match (command.to_str(), paths.as_slice()) {
        (Some("--help" | "-h"), []) => {
            let help = format!("{USAGE}\n{ABOUT}\n");
            return print(&help).map_or_else(|message| failure(&message), |()| ExitCode::SUCCESS);
        }
        (Some("table"), [input]) => Command::Table { input: input.clone() },
        (Some("markdown"), [input]) => Command::Markdown { input: input.clone() },
        (Some("svg"), [input, output]) => {
            Command::Svg { input: input.clone(), output: output.clone() }
        }
        (Some("table" | "markdown"), _) => return usage("expected exactly one BENCH_JSON"),
        (Some("svg"), _) => return usage("expected BENCH_JSON and OUT.svg"),
        _ => return usage(&format!("unknown command {}", command.to_string_lossy())),
    };
    match run(&command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => failure(&message),
    }
}

/// Carries out `command`, or says why it could not.
fn run(command: &Command) -> Result<(), String> {
    match command {
        Command::Table { input } => print(&table::text(&report::build(&load(input)?))),
        Command::Markdown { input } => print(&table::markdown(&report::build(&load(input)?))),
        Command::Svg { input, output } => {
            let chart = svg::chart(&load(input)?);
            std::fs::write(output, chart)
                .map_err(|error| format!("cannot write {}: {error}", output.display()))
        }
    }
}

/// Reads and checks the `bench.json` at `path`.
fn load(path: &Path) -> Result<Metrics, String> {
    let bytes =
        std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    Metrics::from_json(&bytes).map_err(|error| format!("{}: {error}", path.display()))
}

/// Writes `text` to stdout, reporting a closed or failing stdout instead of panicking.
fn print(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| format!("cannot write the report: {error}"))
}

/// Reports a bad command line.
fn usage(message: &str) -> ExitCode {
    eprintln!("benchreport: {message}");
    eprintln!("{USAGE}");
    ExitCode::from(FAILURE_STATUS)
}

/// Reports input that cannot be read or output that cannot be written.
fn failure(message: &str) -> ExitCode {
    eprintln!("benchreport: {message}");
    ExitCode::from(FAILURE_STATUS)
}
