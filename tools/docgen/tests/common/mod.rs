//! What the tests share: the fixtures, the texts of a picture in drawing order, a check of
//! the XML's shape, the comparison with the expected pictures, and the check of a command's
//! failure.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The path of a fixture in `tests/fixtures`.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The text of a fixture in `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).expect("the fixture is readable")
}

/// The contents of every `<text>` element, in document (drawing) order, unescaped.
pub fn texts(svg: &str) -> Vec<String> {
    svg.match_indices("<text ")
        .map(|(start, _)| {
            let open_end = svg[start..].find('>').expect("a closed tag") + start + 1;
            let close = svg[open_end..].find("</text>").expect("a closed text") + open_end;
            svg[open_end..close]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

/// The position of the first text equal to `wanted`, panicking with the texts if none is.
#[track_caller]
pub fn position(texts: &[String], wanted: &str) -> usize {
    texts
        .iter()
        .position(|text| text == wanted)
        .unwrap_or_else(|| panic!("no text {wanted:?} among {texts:#?}"))
}

/// Checks that every tag is closed in order and the text has no stray `<` or `&`: enough
/// XML to catch a broken writer.
pub fn assert_well_formed(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" "), "{svg}");
    assert!(svg.ends_with("</svg>\n"));
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        assert!(!text.contains('>'), "stray markup in {text:?}");
        for (index, _) in text.match_indices('&') {
            let entity = &text[index..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| entity.starts_with(e)),
                "a bare & in {text:?}"
            );
        }
        let end = rest[start..].find('>').expect("every tag ends") + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "a tag inside a tag: {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name), "closing {name}");
        } else if !tag.ends_with('/') {
            open.push(tag.split_whitespace().next().expect("a name"));
        }
        rest = &rest[end + 1..];
    }
    assert!(rest.trim().is_empty(), "text after the root: {rest:?}");
    assert!(open.is_empty(), "unclosed: {open:?}");
}

/// Checks a failure: exit status 2, nothing on stdout, `expected` in the message on stderr,
/// and no panic.
#[track_caller]
pub fn assert_fails_with(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "stdout: {}", String::from_utf8_lossy(&output.stdout));
    assert!(stderr.starts_with("docgen: "), "{stderr}");
    assert!(stderr.contains(expected), "expected {expected:?} in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Checks `svg` against the expected picture `tests/fixtures/NAME`; with `UPDATE=1` in the
/// environment, writes it there instead (after a change to the drawing, to be reviewed).
#[track_caller]
pub fn assert_matches_expected(svg: &str, name: &str) {
    let path = fixture_path(name);
    if std::env::var_os("UPDATE").is_some_and(|value| value == "1") {
        std::fs::write(&path, svg).expect("the expected picture is written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("{}: {error} (UPDATE=1 writes it)", path.display());
    });
    assert!(
        svg == expected,
        "the picture differs from {}; if the change is meant, rerun with UPDATE=1 and review",
        path.display()
    );
}

/// Runs the `docgen` binary with `group` (such as `bench`) and `arguments`, with `input` on its
/// standard input.
pub fn docgen<S: AsRef<OsStr>>(group: &str, arguments: &[S], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_docgen"))
        .args(Some(group).filter(|group| !group.is_empty()))
        .args(arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("the input is written");
    child.wait_with_output().expect("the binary ends")
}
