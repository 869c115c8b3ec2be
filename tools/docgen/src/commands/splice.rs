//! `docgen splice NAME FILE < GENERATED`: puts the text on standard input between FILE's
//! `<!-- NAME:begin -->` and `<!-- NAME:end -->` lines, in place, keeping everything else.
//! Exit status 0 with FILE rewritten; 2, with FILE untouched, for a bad command line, an
//! unreadable FILE or input, or markers missing, doubled or out of order.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use docgen::splice;

use super::{finish, help, read, usage, write};

/// How to call the group.
const USAGE: &str = "usage: docgen splice NAME FILE < GENERATED";

/// What the group does, for `--help`.
const ABOUT: &str =
    "Replaces the lines between FILE's <!-- NAME:begin --> and <!-- NAME:end --> with
standard input.";

/// Runs `docgen splice` with `arguments` (after the group's name).
pub fn main(arguments: &[OsString]) -> ExitCode {
    match arguments {
        [flag] if flag == "--help" || flag == "-h" => help(USAGE, ABOUT),
        [name, file] => match name.to_str() {
            Some(name) if !name.is_empty() => finish(run(name, Path::new(file))),
            _ => usage("NAME must be a non-empty UTF-8 word", USAGE),
        },
        _ => usage("expected NAME and FILE", USAGE),
    }
}

/// Splices standard input into the section `name` of `file`.
fn run(name: &str, file: &Path) -> Result<(), String> {
    let document = String::from_utf8(read(file)?)
        .map_err(|_| format!("{}: not UTF-8 text", file.display()))?;
    let mut generated = String::new();
    std::io::stdin()
        .read_to_string(&mut generated)
        .map_err(|error| format!("cannot read the generated text: {error}"))?;
    let spliced = splice::replace_section(&document, name, &generated)
        .map_err(|error| format!("{}: {error}", file.display()))?;
    write(file, &spliced)
}
