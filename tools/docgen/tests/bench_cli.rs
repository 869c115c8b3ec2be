//! `docgen bench`: its three commands succeed on good input (a missed target is
//! still exit status 0), and every kind of bad input or bad command line ends with a message
//! naming the problem and exit status 2, never a panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{assert_fails_with, fixture_path as fixture};

/// A scratch path for this test binary, unique per `name`.
fn scratch(name: &str) -> PathBuf {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-cli");
    std::fs::create_dir_all(&directory).expect("the scratch directory");
    directory.join(name)
}

/// Runs `docgen bench` with `arguments`.
fn docgen_bench<S: AsRef<std::ffi::OsStr>>(arguments: &[S]) -> Output {
    common::docgen("bench", arguments, "")
}

/// Runs `docgen bench table` on a file holding `bytes`, written under `name`.
fn table_of(name: &str, bytes: &[u8]) -> Output {
    let path = scratch(name);
    std::fs::write(&path, bytes).expect("the input is written");
    docgen_bench(&[Path::new("table"), &path])
}

/// The full fixture with its last closing brace replaced by `tail`.
fn fixture_ending_with(tail: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(fixture("bench.json")).expect("the fixture");
    let body = text.trim_end().strip_suffix('}').expect("an object");
    format!("{body}{tail}").into_bytes()
}

#[test]
fn table_prints_the_report_and_exits_zero() {
    let output = docgen_bench(&[Path::new("table"), &fixture("bench.json")]);
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty());
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(stdout.contains("\n  window_open_close             6  "), "{stdout}");
    assert!(stdout.ends_with("\n8 of 8 targets met.\n"), "{stdout}");
}

#[test]
fn a_missed_target_is_reported_with_exit_status_zero() {
    let output = docgen_bench(&[Path::new("table"), &fixture("bench-missed.json")]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(stdout.matches("  missed  ").count(), 4, "{stdout}");
    assert!(stdout.contains("\n3 of 8 targets met; missed: "));
}

#[test]
fn markdown_prints_the_tables_the_same_every_time() {
    let first = docgen_bench(&[Path::new("markdown"), &fixture("bench.json")]);
    let second = docgen_bench(&[Path::new("markdown"), &fixture("bench.json")]);
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(first.stdout, second.stdout);
    let stdout = String::from_utf8(first.stdout).expect("UTF-8");
    assert!(
        stdout.contains("\n### Targets\n\n| target | measured | limit | verdict | reference |\n")
    );
}

#[test]
fn svg_writes_the_same_chart_every_time() {
    let first = scratch("first.svg");
    let second = scratch("second.svg");
    for path in [&first, &second] {
        let output = docgen_bench(&[Path::new("svg"), &fixture("bench.json"), path]);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(output.stdout.is_empty());
    }
    let chart = std::fs::read(&first).expect("the chart was written");
    assert!(chart.starts_with(b"<svg "));
    assert_eq!(chart, std::fs::read(&second).expect("the chart was written"));
}

#[test]
fn help_prints_the_usage() {
    let output = docgen_bench(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("docgen bench svg BENCH_JSON OUT.svg")
    );
}

#[test]
fn a_bad_command_line_is_a_usage_error() {
    let bench = fixture("bench.json");
    let bench = bench.to_str().expect("a UTF-8 path");
    let cases: [(&[&str], &str); 7] = [
        (&[], "expected a command"),
        (&["plot", bench], "unknown command plot"),
        (&["table"], "expected exactly one BENCH_JSON"),
        (&["table", bench, bench], "expected exactly one BENCH_JSON"),
        (&["markdown"], "expected exactly one BENCH_JSON"),
        (&["svg", bench], "expected BENCH_JSON and OUT.svg"),
        (&["svg", bench, "a.svg", "b.svg"], "expected BENCH_JSON and OUT.svg"),
    ];
    for (arguments, expected) in cases {
        let output = docgen_bench(arguments);
        assert_fails_with(&output, expected);
        assert!(String::from_utf8_lossy(&output.stderr).contains("usage: docgen bench table"));
    }
}

#[test]
fn an_unreadable_file_is_named() {
    let missing = scratch("does-not-exist.json");
    for command in ["table", "markdown"] {
        let output = docgen_bench(&[Path::new(command), &missing]);
        assert_fails_with(&output, &format!("cannot read {}", missing.display()));
    }
    let output = docgen_bench(&[Path::new("svg"), &missing, &scratch("unused.svg")]);
    assert_fails_with(&output, "cannot read");
    assert!(!scratch("unused.svg").exists());
}

#[test]
fn input_that_is_not_json_is_rejected() {
    assert_fails_with(&table_of("empty.json", b""), "not valid JSON: EOF while parsing");
    assert_fails_with(&table_of("text.json", b"window_open_close = 6\n"), "not valid JSON");
    assert_fails_with(&table_of("truncated.json", br#"{"get_user": 2"#), "not valid JSON");
    assert_fails_with(&table_of("trailing.json", &fixture_ending_with("} {}")), "not valid JSON");
    assert_fails_with(&table_of("latin1.json", b"{\"caf\xe9\": 1}"), "not valid JSON");
}

#[test]
fn json_that_is_not_an_object_is_rejected() {
    for (name, text) in [
        ("array.json", "[6, 21]"),
        ("number.json", "6"),
        ("string.json", r#""bench""#),
        ("null.json", "null"),
    ] {
        assert_fails_with(
            &table_of(name, text.as_bytes()),
            "expected a JSON object mapping metric names to instruction counts",
        );
    }
}

#[test]
fn every_value_must_be_a_non_negative_integer() {
    let cases = [
        ("negative.json", r#", "get_user_twice": -1}"#, "metric `get_user_twice`: -1 is"),
        ("fraction.json", r#", "half": 1.5}"#, "metric `half`: 1.5 is"),
        ("float.json", r#", "whole_float": 6.0}"#, "metric `whole_float`: 6.0 is"),
        ("huge.json", r#", "huge": 18446744073709551616}"#, "metric `huge`: "),
        ("exponent.json", r#", "exponent": 1e3}"#, "metric `exponent`: 1000.0 is"),
        ("quoted-string.json", r#", "quoted": "6"}"#, "metric `quoted`: a string is"),
        ("null-value.json", r#", "nothing": null}"#, "metric `nothing`: null is"),
        ("bool.json", r#", "flag": true}"#, "metric `flag`: true is"),
        ("nested.json", r#", "nested": {"a": 1}}"#, "metric `nested`: an object is"),
        ("list.json", r#", "list": [1]}"#, "metric `list`: an array is"),
    ];
    for (name, tail, expected) in cases {
        let output = table_of(name, &fixture_ending_with(tail));
        assert_fails_with(&output, expected);
        assert_fails_with(&output, "not a non-negative integer");
    }
    // A required metric with a bad value is named the same way.
    let output = table_of("required.json", br#"{"window_open_close": -6}"#);
    assert_fails_with(&output, "metric `window_open_close`: -6 is not a non-negative integer");
}

#[test]
fn a_metric_given_twice_is_rejected() {
    let output = table_of("twice.json", &fixture_ending_with(r#", "get_user": 22}"#));
    assert_fails_with(&output, "metric `get_user` appears twice");
}

#[test]
fn missing_required_metrics_are_all_named() {
    let output = table_of("one-missing.json", br#"{"window_open_close": 6}"#);
    assert_fails_with(
        &output,
        "missing required metrics: get_user, put_user, copy_from_user_4096, memcpy_4096, \
         copy_from_user_65536, memcpy_65536, null_syscall_pan_on, null_syscall_pan_off, \
         boot_to_user",
    );
    let text = std::fs::read_to_string(fixture("bench-minimal.json")).expect("the fixture");
    let without_boot = text.replace(",\n  \"boot_to_user\": 1843207", "");
    assert_ne!(text, without_boot);
    let output = table_of("boot-missing.json", without_boot.as_bytes());
    assert_fails_with(&output, "missing required metric: boot_to_user");
    let output = docgen_bench(&[
        Path::new("svg"),
        &scratch("boot-missing.json"),
        &scratch("boot-missing.svg"),
    ]);
    assert_fails_with(&output, "missing required metric: boot_to_user");
}

#[test]
fn an_unwritable_chart_is_named() {
    let output = scratch("no-such-directory/chart.svg");
    let result = docgen_bench(&[Path::new("svg"), &fixture("bench.json"), &output]);
    assert_fails_with(&result, &format!("cannot write {}", output.display()));
}

#[cfg(unix)]
#[test]
fn a_path_that_is_not_utf8_is_still_a_path() {
    use std::os::unix::ffi::OsStrExt;
    let path = scratch("").join(std::ffi::OsStr::from_bytes(b"bench-\xff.json"));
    std::fs::copy(fixture("bench.json"), &path).expect("the copy");
    let output = docgen_bench(&[Path::new("table").as_os_str(), path.as_os_str()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}
