//! `docpictures address-map CONSOLE.txt OUT.svg`, `docpictures syscall-sequence CONSOLE.txt
//! OUT.svg`: draws one of the documentation's pictures from a console capture of the kernel.
//! Exit status 0 with the picture written; 2, with a message on stderr, for a bad command
//! line, a capture that cannot be read or drawn, or a picture that cannot be written.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use docpictures::{Error, address_map_svg, syscall_sequence_svg};

/// The exit status of every failure.
const FAILURE_STATUS: u8 = 2;

/// How to call the tool.
const USAGE: &str = "usage: docpictures address-map CONSOLE.txt OUT.svg
       docpictures syscall-sequence CONSOLE.txt OUT.svg";

/// What the tool does, for `--help`.
const ABOUT: &str = "Draws swpan's address space (from ptdump output) or a system call crossing the
uaccess window (from the kernel's DACR report) as SVG, from a console capture.";

/// A picture and how to draw it from a capture.
type Drawing = fn(&str) -> Result<String, Error>;

fn main() -> ExitCode {
    let arguments: Vec<OsString> = std::env::args_os().skip(1).collect();
    let Some((command, paths)) = arguments.split_first() else {
        return usage("expected a command");
    };
    let drawing: Drawing = match command.to_str() {
        Some("--help" | "-h") if paths.is_empty() => {
            println!("{USAGE}\n{ABOUT}");
            return ExitCode::SUCCESS;
        }
        Some("--help" | "-h") => return usage("--help takes no arguments"),
        Some("address-map") => address_map_svg,
        Some("syscall-sequence") => syscall_sequence_svg,
        _ => return usage(&format!("unknown command {}", command.to_string_lossy())),
    };
    let [input, output] = paths else {
        return usage("expected CONSOLE.txt and OUT.svg");
    };
    match run(drawing, Path::new(input), &PathBuf::from(output)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("docpictures: {message}");
            ExitCode::from(FAILURE_STATUS)
        }
    }
}

/// Reads the capture at `input`, draws it and writes the picture to `output`.
fn run(drawing: Drawing, input: &Path, output: &Path) -> Result<(), String> {
    let bytes = std::fs::read(input)
        .map_err(|error| format!("cannot read {}: {error}", input.display()))?;
    // A serial capture may hold stray bytes (line noise, a terminal's escapes); they can only
    // make the lines they are on unreadable, which the drawing reports if those lines matter.
    let console = String::from_utf8_lossy(&bytes);
    let picture = drawing(&console).map_err(|error| format!("{}: {error}", input.display()))?;
    std::fs::write(output, picture)
        .map_err(|error| format!("cannot write {}: {error}", output.display()))
}

/// Reports a bad command line.
fn usage(message: &str) -> ExitCode {
    eprintln!("docpictures: {message}");
    eprintln!("{USAGE}");
    ExitCode::from(FAILURE_STATUS)
}
