//! `docgen pictures`: both commands write the picture the library draws and exit 0;
//! every bad command line, unreadable or undrawable capture and unwritable picture ends with
//! a message on stderr naming the problem and exit status 2, never a panic, and no picture.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{assert_fails_with, fixture, fixture_path};
use docgen::pictures::{address_map_svg, linear_map_svg, syscall_sequence_svg};

/// A scratch path for this test binary, unique per `name`, with no file there yet.
fn scratch(name: &str) -> PathBuf {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pictures-cli");
    std::fs::create_dir_all(&directory).expect("the scratch directory");
    let path = directory.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Runs `docgen pictures` with `arguments`.
fn docgen_pictures<S: AsRef<std::ffi::OsStr>>(arguments: &[S]) -> Output {
    common::docgen("pictures", arguments, "")
}

/// Runs `command` on a capture holding `console`, written under `name`; returns the output
/// and where the picture would go.
fn draw_text(command: &str, name: &str, console: &[u8]) -> (Output, PathBuf) {
    let input = scratch(&format!("{name}.txt"));
    std::fs::write(&input, console).expect("the capture is written");
    let output = scratch(&format!("{name}.svg"));
    (docgen_pictures(&[Path::new(command), &input, &output]), output)
}

#[test]
fn address_map_writes_the_picture_and_exits_zero() {
    let output = scratch("map.svg");
    let run =
        docgen_pictures(&[Path::new("address-map"), &fixture_path("ptdump-sample.txt"), &output]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.stdout.is_empty() && run.stderr.is_empty());
    let written = std::fs::read_to_string(&output).expect("the picture is written");
    assert_eq!(Ok(written), address_map_svg(&fixture("ptdump-sample.txt")));
}

#[test]
fn syscall_sequence_writes_the_picture_and_exits_zero() {
    let output = scratch("sequence.svg");
    let run = docgen_pictures(&[
        Path::new("syscall-sequence"),
        &fixture_path("tour-sample.txt"),
        &output,
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.stdout.is_empty() && run.stderr.is_empty());
    let written = std::fs::read_to_string(&output).expect("the picture is written");
    assert_eq!(Ok(written), syscall_sequence_svg(&fixture("tour-sample.txt")));
}

#[test]
fn linear_map_reads_two_captures_and_exits_zero() {
    let output = scratch("linear.svg");
    let run = docgen_pictures(&[
        Path::new("linear-map"),
        &fixture_path("ptdump-xpfo-on.txt"),
        &fixture_path("ptdump-xpfo-off.txt"),
        &output,
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.stdout.is_empty() && run.stderr.is_empty());
    let written = std::fs::read_to_string(&output).expect("the picture is written");
    assert_eq!(
        Ok(written),
        linear_map_svg(&fixture("ptdump-xpfo-on.txt"), &fixture("ptdump-xpfo-off.txt"))
    );
}

#[test]
fn linear_map_refuses_a_missing_capture_or_one_without_ptdump() {
    let on = fixture_path("ptdump-xpfo-on.txt");
    let output = scratch("linear-refused.svg");
    assert_fails_with(
        &docgen_pictures(&[Path::new("linear-map"), &on, &output]),
        "expected XPFO_ON.txt, XPFO_OFF.txt and OUT.svg",
    );
    let empty = scratch("empty-capture.txt");
    std::fs::write(&empty, "no ptdump here\n").expect("the capture is written");
    assert_fails_with(
        &docgen_pictures(&[Path::new("linear-map"), &on, &empty, &output]),
        "no ptdump output",
    );
    assert!(!output.exists(), "no picture is written");
}

#[test]
fn help_prints_the_usage() {
    let run = docgen_pictures(&["--help"]);
    assert_eq!(run.status.code(), Some(0));
    let stdout = String::from_utf8(run.stdout).expect("UTF-8");
    assert!(
        stdout.starts_with("usage: docgen pictures address-map CONSOLE.txt OUT.svg\n"),
        "{stdout}"
    );
}

#[test]
fn a_bad_command_line_is_refused_with_the_usage() {
    let input = fixture_path("tour-sample.txt");
    let input = input.to_str().expect("a UTF-8 path");
    let cases: [(&[&str], &str); 6] = [
        (&[], "expected a command"),
        (&["draw", input, "out.svg"], "unknown command draw"),
        (&["address-map"], "expected CONSOLE.txt and OUT.svg"),
        (&["syscall-sequence", input], "expected CONSOLE.txt and OUT.svg"),
        (&["address-map", input, "a.svg", "b.svg"], "expected CONSOLE.txt and OUT.svg"),
        (&["--help", "extra"], "--help takes no arguments"),
    ];
    for (arguments, expected) in cases {
        let run = docgen_pictures(arguments);
        assert_fails_with(&run, expected);
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("usage: docgen pictures"),
            "{arguments:?}"
        );
    }
}

#[test]
fn an_unreadable_capture_is_refused() {
    let output = scratch("unreadable.svg");
    let missing = scratch("missing.txt");
    for command in ["address-map", "syscall-sequence"] {
        let run = docgen_pictures(&[Path::new(command), &missing, &output]);
        assert_fails_with(&run, "cannot read");
        assert_fails_with(&run, "missing.txt");
        let directory =
            docgen_pictures(&[Path::new(command), Path::new(env!("CARGO_MANIFEST_DIR")), &output]);
        assert_fails_with(&directory, "cannot read");
        assert!(!output.exists());
    }
}

#[test]
fn a_capture_with_nothing_to_draw_is_refused() {
    let (run, output) = draw_text(
        "address-map",
        "no-ptdump",
        fixture("tour-sample.txt").replace("---[", "").as_bytes(),
    );
    assert_fails_with(&run, "no ptdump output");
    assert!(!output.exists());
    let (run, output) =
        draw_text("syscall-sequence", "no-report", fixture("ptdump-sample.txt").as_bytes());
    assert_fails_with(&run, "no report of the DACR");
    assert!(!output.exists());
    for command in ["address-map", "syscall-sequence"] {
        let (run, output) = draw_text(command, &format!("empty-{command}"), b"");
        assert_fails_with(&run, "no ");
        assert!(!output.exists());
    }
}

#[test]
fn a_malformed_line_is_refused_with_its_number() {
    let capture = fixture("ptdump-sample.txt").replace("k:RW u:RW", "k:RW u:WX");
    let (run, output) = draw_text("address-map", "bad-ptdump", capture.as_bytes());
    assert_fails_with(
        &run,
        "bad-ptdump.txt: line 12: malformed ptdump line: `u:WX` is not a user access",
    );
    assert!(!output.exists());

    let capture = fixture("tour-sample.txt")
        .replace("back in user mode            DACR 0x55", "back in user mode DACR 55");
    let (run, output) = draw_text("syscall-sequence", "bad-report", capture.as_bytes());
    assert_fails_with(
        &run,
        "bad-report.txt: line 25: malformed DACR report line: `55` is not a DACR value",
    );
    assert!(!output.exists());
}

#[test]
fn stray_bytes_elsewhere_in_the_capture_do_not_matter() {
    let mut capture = b"\xff\xfe noise from the serial port\r\n".to_vec();
    capture.extend_from_slice(fixture("ptdump-sample.txt").as_bytes());
    let (run, output) = draw_text("address-map", "noisy", &capture);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let written = std::fs::read_to_string(output).expect("the picture is written");
    assert_eq!(Ok(written), address_map_svg(&fixture("ptdump-sample.txt")));
}

#[test]
fn an_unwritable_picture_is_refused() {
    let output = scratch("no-such-directory").join("map.svg");
    let run =
        docgen_pictures(&[Path::new("address-map"), &fixture_path("ptdump-sample.txt"), &output]);
    assert_fails_with(&run, "cannot write");
    assert_fails_with(&run, "map.svg");
}
