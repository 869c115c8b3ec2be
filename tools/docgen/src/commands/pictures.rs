//! `docgen pictures address-map CONSOLE.txt OUT.svg`, `docgen pictures linear-map
//! XPFO_ON.txt XPFO_OFF.txt OUT.svg`, `docgen pictures syscall-sequence CONSOLE.txt OUT.svg`,
//! `docgen pictures descriptors OUT.svg`, `docgen pictures exception-path TRAP_RS VECTORS_S
//! OUT.svg`: draws one of the documentation's pictures from console captures of the kernel,
//! from the kernel's own encoders, or from its sources. Exit status 0 with the picture written; 2, with a message on stderr, for a bad
//! command line, a capture that cannot be read or drawn, or a picture that cannot be written.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use docgen::pictures::{
    Error, address_map_svg, descriptors_svg, exception_path_svg, linear_map_svg,
    syscall_sequence_svg,
};

use super::{finish, help, read, usage, write};

/// How to call the group.
const USAGE: &str = "usage: docgen pictures address-map CONSOLE.txt OUT.svg
       docgen pictures linear-map XPFO_ON.txt XPFO_OFF.txt OUT.svg
       docgen pictures syscall-sequence CONSOLE.txt OUT.svg
       docgen pictures descriptors OUT.svg
       docgen pictures exception-path TRAP_RS VECTORS_S OUT.svg";

/// What the group does, for `--help`.
const ABOUT: &str =
    "Draws swpan's address space (from ptdump output), the kernel's linear map of RAM
with and without exclusive page-frame ownership (from the ptdump output of an xpfo=on and an
xpfo=off boot) or a system call crossing the uaccess window (from the kernel's DACR report) as
SVG, from console captures; the short-descriptor bit layouts, from the kernel's own
encoders; or an exception's path with software PAN, from kernel/src/trap.rs and
kernel/src/arch/vectors.s.";

/// A picture and how to draw it from a capture.
type Drawing = fn(&str) -> Result<String, Error>;

/// Runs `docgen pictures` with `arguments` (after the group's name).
pub fn main(arguments: &[OsString]) -> ExitCode {
    let Some((command, paths)) = arguments.split_first() else {
        return usage("expected a command", USAGE);
    };
    let drawing: Drawing = match command.to_str() {
        Some("--help" | "-h") if paths.is_empty() => return help(USAGE, ABOUT),
        Some("--help" | "-h") => return usage("--help takes no arguments", USAGE),
        Some("address-map") => address_map_svg,
        Some("linear-map") => return linear_map(paths),
        Some("exception-path") => return exception_path(paths),
        Some("descriptors") => {
            let [output] = paths else {
                return usage("expected OUT.svg", USAGE);
            };
            return finish(write(Path::new(output), &descriptors_svg()));
        }
        Some("syscall-sequence") => syscall_sequence_svg,
        _ => return usage(&format!("unknown command {}", command.to_string_lossy()), USAGE),
    };
    let [input, output] = paths else {
        return usage("expected CONSOLE.txt and OUT.svg", USAGE);
    };
    finish(run(drawing, Path::new(input), Path::new(output)))
}

/// Reads the capture at `input`, draws it and writes the picture to `output`.
fn run(drawing: Drawing, input: &Path, output: &Path) -> Result<(), String> {
    // A serial capture may hold stray bytes (line noise, a terminal's escapes); they can only
    // make the lines they are on unreadable, which the drawing reports if those lines matter.
    let console = String::from_utf8_lossy(&read(input)?).into_owned();
    let picture = drawing(&console).map_err(|error| format!("{}: {error}", input.display()))?;
    write(output, &picture)
}

/// `linear-map XPFO_ON.txt XPFO_OFF.txt OUT.svg`: reads both captures and draws them side by
/// side.
fn linear_map(paths: &[OsString]) -> ExitCode {
    let [with_defence, without_defence, output] = paths else {
        return usage("expected XPFO_ON.txt, XPFO_OFF.txt and OUT.svg", USAGE);
    };
    let capture = |input: &OsString| -> Result<String, String> {
        Ok(String::from_utf8_lossy(&read(Path::new(input))?).into_owned())
    };
    finish((|| {
        let on = capture(with_defence)?;
        let off = capture(without_defence)?;
        let picture = linear_map_svg(&on, &off).map_err(|error| {
            format!(
                "{} and {}: {error}",
                Path::new(with_defence).display(),
                Path::new(without_defence).display()
            )
        })?;
        write(Path::new(output), &picture)
    })())
}

/// `exception-path TRAP_RS VECTORS_S OUT.svg`: reads both sources and draws the path.
fn exception_path(paths: &[OsString]) -> ExitCode {
    let [trap_rs, vectors_s, output] = paths else {
        return usage("expected TRAP_RS, VECTORS_S and OUT.svg", USAGE);
    };
    let source = |input: &OsString| -> Result<String, String> {
        Ok(String::from_utf8_lossy(&read(Path::new(input))?).into_owned())
    };
    finish((|| {
        let picture = exception_path_svg(&source(trap_rs)?, &source(vectors_s)?)
            .map_err(|error| error.to_string())?;
        write(Path::new(output), &picture)
    })())
}
