//! Every console excerpt in README.md and docs/ is what its command prints today: a changed
//! kernel output fails here until `make docs` regenerates the excerpts.

use docgen::transcripts;
use swpan_tests::{kernel, root};

#[test]
fn every_console_excerpt_matches_a_fresh_run() {
    let root = root();
    let files = transcripts::default_files(&root);
    let stale =
        transcripts::check(&root, &kernel(), &files).unwrap_or_else(|error| panic!("{error}"));
    let report: Vec<String> = stale
        .iter()
        .map(|excerpt| format!("{}: {}\n  {}", excerpt.place, excerpt.command, excerpt.difference))
        .collect();
    assert!(stale.is_empty(), "stale excerpts (run `make docs`):\n{}", report.join("\n"));
}
