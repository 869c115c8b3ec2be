//! docs/lkdtm-matrix.md must match a fresh run of qemu/matrix: the documented outcomes of
//! every crash type under every combination of `pan=` and `pxn=`, and with `xpfo=off`, cannot
//! rot.

use swpan_tests::{generated_by, root};

#[test]
fn the_documented_matrix_matches_a_fresh_run() {
    let fresh = generated_by("matrix");
    let documented = std::fs::read_to_string(root().join("docs/lkdtm-matrix.md")).unwrap();
    assert_eq!(documented, fresh, "docs/lkdtm-matrix.md is out of date: run `make matrix`");
    // And the matrix says what the protections promise.
    let row = |name: &str| {
        fresh.lines().find(|line| line.starts_with(&format!("| {name} |"))).unwrap().to_string()
    };
    assert_eq!(
        row("ACCESS_USERSPACE"),
        "| ACCESS_USERSPACE | blocked: page domain fault | blocked: page domain fault | FAIL: survived bad read and bad write | FAIL: survived bad read and bad write | blocked: page domain fault |"
    );
    assert_eq!(
        row("ACCESS_USERSPACE_LINEAR"),
        "| ACCESS_USERSPACE_LINEAR | blocked: page translation fault | blocked: page translation fault | blocked: page translation fault | blocked: page translation fault | FAIL: survived bad read and bad write |"
    );
    assert_eq!(
        row("EXEC_USERSPACE"),
        "| EXEC_USERSPACE | blocked: page domain fault | blocked: page domain fault | blocked: page permission fault | FAIL: func returned | blocked: page domain fault |"
    );
    assert_eq!(
        fresh
            .lines()
            .filter(|line| line.starts_with("| ") && !line.starts_with("| crash type"))
            .count(),
        14
    );
}
