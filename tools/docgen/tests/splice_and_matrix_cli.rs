//! `docgen splice` and `docgen matrix`: the splice rewrites only its section and leaves the
//! file alone on any error; the matrix pages come from the captures; bad command lines are
//! refused with exit status 2.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::assert_fails_with;

/// A scratch path for this test binary, unique per `name`, holding `text`.
fn scratch(name: &str, text: &str) -> PathBuf {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("splice-matrix-cli");
    std::fs::create_dir_all(&directory).expect("the scratch directory");
    let path = directory.join(name);
    std::fs::write(&path, text).expect("the scratch file is written");
    path
}

/// Runs `docgen ARGUMENTS...` with `input` on its standard input.
fn docgen<S: AsRef<std::ffi::OsStr>>(arguments: &[S], input: &str) -> Output {
    common::docgen("", arguments, input)
}

const PAGE: &str = "# Page\n<!-- figures:begin -->\nold\n<!-- figures:end -->\ntail\n";

#[test]
fn splice_rewrites_only_the_section() {
    let page = scratch("page.md", PAGE);
    let run = docgen(&[Path::new("splice"), Path::new("figures"), &page], "new 1\nnew 2\n");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.stdout.is_empty() && run.stderr.is_empty());
    let spliced = std::fs::read_to_string(&page).expect("the page");
    assert_eq!(spliced, PAGE.replace("old\n", "new 1\nnew 2\n"));
}

#[test]
fn splice_leaves_the_file_alone_when_it_cannot_splice() {
    let page = scratch("unmarked.md", "# Page\nno markers\n");
    let run = docgen(&[Path::new("splice"), Path::new("figures"), &page], "new\n");
    assert_fails_with(&run, "no line `<!-- figures:begin -->`");
    assert_eq!(std::fs::read_to_string(&page).expect("the page"), "# Page\nno markers\n");
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-page.md");
    assert_fails_with(&docgen(&[Path::new("splice"), Path::new("x"), &missing], ""), "cannot read");
    for arguments in [&["splice"][..], &["splice", "figures"], &["splice", "", "page.md"]] {
        let run = docgen(arguments, "");
        assert_fails_with(&run, "");
        assert!(String::from_utf8_lossy(&run.stderr).contains("usage: docgen splice"));
    }
}

#[test]
fn matrix_pages_come_from_the_captures() {
    let on =
        scratch("on.txt", "lkdtm: EXEC_USERSPACE: blocked (page domain fault at 0x40000000)\r\n");
    let off = scratch("off.txt", "lkdtm: EXEC_USERSPACE: FAIL: func returned\r\n");
    let run = docgen(&[Path::new("matrix"), Path::new("lkdtm"), &on, &on, &on, &off, &on], "");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let page = String::from_utf8(run.stdout).expect("UTF-8");
    assert!(page.starts_with("# The lkdtm perms family: outcome matrix\n"), "{page}");
    assert!(page.ends_with(
        "| EXEC_USERSPACE | blocked: page domain fault | blocked: page domain fault | \
         blocked: page domain fault | FAIL: func returned | blocked: page domain fault |\n"
    ));

    let badptr = scratch("badptr.txt", "| system call | NULL |\r\n| --- | --- |\r\n");
    let run = docgen(&[Path::new("matrix"), Path::new("bad-pointers"), &badptr], "");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        String::from_utf8_lossy(&run.stdout)
            .ends_with("\n\n| system call | NULL |\n| --- | --- |\n")
    );
    assert_fails_with(
        &docgen(&[Path::new("matrix"), Path::new("bad-pointers"), &on], ""),
        "no table lines",
    );
}

#[test]
fn bad_command_lines_are_refused() {
    let cases: [(&[&str], &str); 5] = [
        (&[], "expected a group of commands"),
        (&["draw"], "unknown group draw"),
        (&["matrix", "lkdtm", "a.txt"], "expected 5 captures"),
        (&["matrix", "bad-pointers"], "expected one capture"),
        (&["transcripts", "verify"], "unknown command 'verify'"),
    ];
    for (arguments, expected) in cases {
        let run = docgen(arguments, "");
        assert_fails_with(&run, expected);
        assert!(String::from_utf8_lossy(&run.stderr).contains("usage: docgen"), "{arguments:?}");
    }
}
