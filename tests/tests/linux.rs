//! docs/linux-side-by-side.md against the runs `make compare-linux` recorded in
//! target/linux/out: regenerated from them, it must be the committed page. Without those runs
//! (the target is optional: it downloads Debian's Linux), the test says so and passes.

use docgen::linux::{Runs, page};
use swpan_tests::root;

#[test]
fn the_side_by_side_page_is_the_one_the_recorded_runs_give() {
    let folder = root().join("target/linux/out");
    if !Runs::FILES.iter().all(|name| folder.join(name).is_file()) {
        eprintln!(
            "skipped: no recorded Linux run in {} (make compare-linux records one)",
            folder.display()
        );
        return;
    }
    let runs = Runs::from_folder(&folder).expect("the recorded runs are readable");
    let generated = page(&runs).unwrap_or_else(|error| panic!("{}: {error}", folder.display()));
    let committed = std::fs::read_to_string(root().join("docs/linux-side-by-side.md"))
        .expect("docs/linux-side-by-side.md");
    assert_eq!(
        committed,
        generated,
        "docs/linux-side-by-side.md does not match the runs in {}: make compare-linux",
        folder.display()
    );
}
