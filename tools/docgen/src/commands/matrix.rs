//! `docgen matrix lkdtm CONSOLE.txt x4`, `docgen matrix bad-pointers CONSOLE.txt`: prints the
//! page of outcomes from the console captures of its boots (`qemu/matrix` and
//! `qemu/pointer-matrix` make them). Exit status 0 with the page on stdout; 2 for a bad
//! command line, a capture that cannot be read, or a bad-pointer capture without a table.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use docgen::matrix::{self, CONFIGURATIONS};

use super::{finish, help, print, read, usage};

/// How to call the group.
const USAGE: &str =
    "usage: docgen matrix lkdtm CONSOLE.txt CONSOLE.txt CONSOLE.txt CONSOLE.txt CONSOLE.txt
       docgen matrix bad-pointers CONSOLE.txt";

/// What the group does, for `--help`.
const ABOUT: &str =
    "Prints docs/lkdtm-matrix.md from the captures of lkdtm=all under pan=on pxn=on,
pan=on pxn=off, pan=off pxn=on, pan=off pxn=off and xpfo=off (in that order), or
docs/bad-pointers.md from the capture of init=badptr.";

/// Runs `docgen matrix` with `arguments` (after the group's name).
pub fn main(arguments: &[OsString]) -> ExitCode {
    let Some((command, paths)) = arguments.split_first() else {
        return usage("expected a command", USAGE);
    };
    match (command.to_str(), paths) {
        (Some("--help" | "-h"), []) => help(USAGE, ABOUT),
        (Some("lkdtm"), [_, _, _, _, _]) => finish(lkdtm(paths)),
        (Some("lkdtm"), _) => usage(
            &format!("expected {} captures, one per configuration", CONFIGURATIONS.len()),
            USAGE,
        ),
        (Some("bad-pointers"), [path]) => finish(bad_pointers(Path::new(path))),
        (Some("bad-pointers"), _) => usage("expected one capture", USAGE),
        _ => usage(&format!("unknown command {}", command.to_string_lossy()), USAGE),
    }
}

/// Prints the lkdtm page from the five captures at `paths`.
fn lkdtm(paths: &[OsString]) -> Result<(), String> {
    let captures: Vec<String> =
        paths.iter().map(|path| capture(Path::new(path))).collect::<Result<_, _>>()?;
    let captures: [String; CONFIGURATIONS.len()] =
        captures.try_into().map_err(|_| "expected five captures".to_owned())?;
    print(&matrix::lkdtm_page(&captures))
}

/// Prints the bad-pointer page from the capture at `path`.
fn bad_pointers(path: &Path) -> Result<(), String> {
    let page = matrix::bad_pointers_page(&capture(path)?)
        .ok_or_else(|| format!("{}: no table lines (`| ...`) in the capture", path.display()))?;
    print(&page)
}

/// The text of the capture at `path` (stray bytes from the serial port made readable).
fn capture(path: &Path) -> Result<String, String> {
    Ok(String::from_utf8_lossy(&read(path)?).into_owned())
}
