//! `docgen linux page DIR`: prints `docs/linux-side-by-side.md` from the runs
//! `qemu/compare-linux` records in DIR (`target/linux/out`). Exit status 0 with the page on
//! stdout; 2 for a bad command line, a run that cannot be read or lacks what the page needs.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use docgen::linux::{self, Runs};

use super::{finish, help, print, usage};

/// How to call the group.
const USAGE: &str = "usage: docgen linux page DIR";

/// What the group does, for `--help`.
const ABOUT: &str = "Prints docs/linux-side-by-side.md from the runs in DIR: swpan-bench.json,
swpan-lkdtm.txt, linux-bench.txt, linux-attacks.txt and linux-config.txt (qemu/compare-linux).";

/// Runs `docgen linux` with `arguments` (after the group's name).
pub fn main(arguments: &[OsString]) -> ExitCode {
    match arguments {
        [flag] if matches!(flag.to_str(), Some("--help" | "-h")) => help(USAGE, ABOUT),
        [command, folder] if command.to_str() == Some("page") => finish(page(Path::new(folder))),
        [command, ..] if command.to_str() == Some("page") => usage("expected one folder", USAGE),
        [] => usage("expected a command", USAGE),
        [command, ..] => usage(&format!("unknown command {}", command.to_string_lossy()), USAGE),
    }
}

/// Prints the page made from the runs in `folder`.
fn page(folder: &Path) -> Result<(), String> {
    let page = linux::page(&Runs::from_folder(folder)?).map_err(|error| error.to_string())?;
    print(&page)
}
