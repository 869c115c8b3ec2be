//! `docgen GROUP COMMAND ...`: generates, checks or splices a part of the docs that comes from
//! a run. Each group keeps its own exit statuses: 0 success, 1 stale console excerpts
//! (`transcripts check`), 2 a bad command line, unreadable input or unwritable output.

mod commands;

use std::ffi::OsString;
use std::process::ExitCode;

/// How to call the tool, every group.
const USAGE: &str = "usage: docgen bench table|markdown BENCH_JSON
       docgen bench svg BENCH_JSON OUT.svg
       docgen pictures address-map|syscall-sequence CONSOLE.txt OUT.svg
       docgen transcripts check|update [FILE...]
       docgen matrix lkdtm CONSOLE.txt CONSOLE.txt CONSOLE.txt CONSOLE.txt
       docgen matrix bad-pointers CONSOLE.txt
       docgen linux page DIR
       docgen splice NAME FILE < GENERATED";

/// What the tool does, for `--help`.
const ABOUT: &str =
    "Generates the parts of swpan's docs that come from a run: the benchmark tables and
chart, the pictures, the console excerpts, the matrices and the page beside Linux, and splices generated text
between a page's <!-- NAME:begin --> and <!-- NAME:end --> lines.";

fn main() -> ExitCode {
    let arguments: Vec<OsString> = std::env::args_os().skip(1).collect();
    let Some((group, rest)) = arguments.split_first() else {
        return commands::usage("expected a group of commands", USAGE);
    };
    match group.to_str() {
        Some("--help" | "-h") if rest.is_empty() => commands::help(USAGE, ABOUT),
        Some("bench") => commands::bench::main(rest),
        Some("pictures") => commands::pictures::main(rest),
        Some("transcripts") => commands::transcripts::main(rest),
        Some("matrix") => commands::matrix::main(rest),
        Some("linux") => commands::linux::main(rest),
        Some("splice") => commands::splice::main(rest),
        _ => commands::usage(&format!("unknown group {}", group.to_string_lossy()), USAGE),
    }
}
