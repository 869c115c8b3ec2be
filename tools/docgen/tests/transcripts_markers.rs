//! The marker format, the selection, and the checks that nothing escapes them.

use docgen::transcripts::{self, Document, Spec};
use std::path::Path;

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

#[test]
fn a_marker_and_its_block_are_found() {
    let text = "# Title\n\n<!-- transcript\nrun: echo hello\nfrom: ^he\n-->\n```console\nhello\n```\n\nmore\n";
    let document = Document::parse(Path::new("x.md"), text).unwrap();
    assert_eq!(document.excerpts.len(), 1);
    let excerpt = &document.excerpts[0];
    assert_eq!(excerpt.marker_line, 3);
    assert_eq!(excerpt.spec.run, "echo hello");
    assert_eq!(excerpt.lines, vec!["hello".to_string()]);
    // Rewriting with the same lines gives the same text back; with others, only the block.
    assert_eq!(document.with_blocks(&[lines("hello")]), text);
    assert_eq!(
        document.with_blocks(&[lines("a\nb")]),
        text.replace("```console\nhello\n```", "```console\na\nb\n```")
    );
}

#[test]
fn a_one_line_marker_works() {
    let text = "<!-- transcript run: echo hi -->\n```console\nhi\n```\n";
    let document = Document::parse(Path::new("x.md"), text).unwrap();
    assert_eq!(document.excerpts[0].spec.run, "echo hi");
}

#[test]
fn nothing_escapes_the_check() {
    let unmarked = "text\n```console\n$ ls\n```\n";
    let error = Document::parse(Path::new("x.md"), unmarked).unwrap_err();
    assert!(error.contains("line 2: a console block without"), "{error}");

    let no_block = "<!-- transcript\nrun: true\n-->\n\n```console\n```\n";
    let error = Document::parse(Path::new("x.md"), no_block).unwrap_err();
    assert!(error.contains("not followed by a ```console block"), "{error}");

    let unclosed = "<!-- transcript\nrun: true\n-->\n```console\nx\n";
    assert!(Document::parse(Path::new("x.md"), unclosed).unwrap_err().contains("never closed"));

    // A console fence inside another block is just text.
    let quoted = "````markdown\n```console\n```\n````\n";
    assert!(Document::parse(Path::new("x.md"), quoted).is_ok());
}

#[test]
fn bad_markers_are_refused_with_the_reason() {
    for (body, expected) in [
        ("from: x", "no 'run:' key"),
        ("run: a\nrun: b", "given twice"),
        ("run: a\nwhat: b", "unknown key 'what'"),
        ("run: a\nstatus: x", "not a number"),
        ("run: a\nhead: -1", "not a number"),
        ("run: a\nnonsense", "is not 'key: value'"),
    ] {
        let lines: Vec<&str> = body.lines().collect();
        let error = Spec::parse(&lines).unwrap_err();
        assert!(error.contains(expected), "{body}: {error}");
    }
}

#[test]
fn the_selection_keeps_what_the_marker_says() {
    let output = lines("boot\nlkdtm: start A\nfault\n---[ end trace ]---\nlkdtm: start B\nok\n");
    let spec = |body: &str| Spec::parse(&body.lines().collect::<Vec<_>>()).unwrap();

    let from_to = spec("run: x\nfrom: ^lkdtm: start\nto: end trace");
    assert_eq!(
        from_to.select(&output).unwrap(),
        lines("lkdtm: start A\nfault\n---[ end trace ]---")
    );

    let grep = spec("run: x\ngrep: ^lkdtm\ngrep: ok");
    assert_eq!(grep.select(&output).unwrap(), lines("lkdtm: start A\nlkdtm: start B\nok"));

    let head = spec("run: x\nfrom: fault\nhead: 2\nshow: $ make run");
    assert_eq!(head.select(&output).unwrap(), lines("$ make run\nfault\n---[ end trace ]---"));

    let ends = spec("run: x\nhead: 1\ntail: 2");
    assert_eq!(ends.select(&output).unwrap(), lines("boot\n...\nlkdtm: start B\nok"));
    let short = spec("run: x\nfrom: fault\nto: end\nhead: 1\ntail: 1");
    assert_eq!(short.select(&output).unwrap(), lines("fault\n---[ end trace ]---"));

    // `to` is looked for after the first line, so both may match the same kind of line.
    let same = spec("run: x\nfrom: ^lkdtm\nto: ^lkdtm");
    assert_eq!(same.select(&output).unwrap().len(), 4);

    assert!(spec("run: x\nfrom: nowhere").select(&output).unwrap_err().contains("from: nowhere"));
    assert!(
        spec("run: x\nfrom: boot\nto: nowhere")
            .select(&output)
            .unwrap_err()
            .contains("to: nowhere")
    );
    assert!(spec("run: x\ngrep: nowhere").select(&output).unwrap_err().contains("keeps no line"));
}

#[test]
fn commands_run_from_the_root_with_the_kernel_set_and_their_status_checked() {
    let root = std::env::temp_dir();
    let kernel = Path::new("/some/kernel");
    let spec = |body: &str| Spec::parse(&body.lines().collect::<Vec<_>>()).unwrap();
    assert_eq!(
        transcripts::run::one(&root, kernel, &spec("run: echo $KERNEL; printf 'a\\r\\n'")).unwrap(),
        lines("/some/kernel\na")
    );
    let failing = transcripts::run::one(&root, kernel, &spec("run: echo out; exit 3")).unwrap_err();
    assert!(failing.contains("exited with status 3, the marker expects 0"), "{failing}");
    assert!(transcripts::run::one(&root, kernel, &spec("run: echo x; exit 3\nstatus: 3")).is_ok());
    // A failure inside a pipeline counts (pipefail).
    let piped = transcripts::run::one(&root, kernel, &spec("run: false | cat")).unwrap_err();
    assert!(piped.contains("status 1"), "{piped}");
}

#[test]
fn check_reports_stale_excerpts_and_update_fixes_them() {
    let directory = std::env::temp_dir().join(format!("transcripts-test-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let file = directory.join("page.md");
    std::fs::write(&file, "<!-- transcript run: echo fresh -->\n```console\nstale\n```\n").unwrap();
    let kernel = Path::new("/kernel");
    let stale = transcripts::check(&directory, kernel, std::slice::from_ref(&file)).unwrap();
    assert_eq!(stale.len(), 1);
    assert!(stale[0].difference.contains("documented: stale"), "{}", stale[0].difference);
    assert_eq!(transcripts::update(&directory, kernel, std::slice::from_ref(&file)).unwrap(), 1);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "<!-- transcript run: echo fresh -->\n```console\nfresh\n```\n"
    );
    assert!(
        transcripts::check(&directory, kernel, std::slice::from_ref(&file)).unwrap().is_empty()
    );
    let _ = std::fs::remove_dir_all(&directory);
}
