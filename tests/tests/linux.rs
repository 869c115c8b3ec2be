//! docs/linux-side-by-side.md against the runs `make compare-linux` recorded in
//! target/linux/out: regenerated from them, it must be the committed page, and Linux's
//! kernel-side figures in them must be those measured by hand. Without those runs (the
//! target is optional: it downloads Debian's Linux), each test says so and passes.

use docgen::linux::{Runs, linux_kernel_side, page};
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

/// Linux's kernel-side figures as first measured by hand on the same kernel and board
/// (`../shared/reference/linux-on-qemu.md`): metric name (uaccess_bench.ko's) and count.
const HAND_MEASURED: [(&str, u64); 13] = [
    ("window_open_close", 8),
    ("get_user", 19),
    ("put_user", 19),
    ("raw_copy_from_user_8", 47),
    ("raw_copy_from_user_64", 59),
    ("raw_copy_from_user_4096", 694),
    ("raw_copy_from_user_65536", 10294),
    ("copy_from_user_4096", 891),
    ("memcpy_8", 34),
    ("memcpy_64", 46),
    ("memcpy_4096", 681),
    ("memcpy_65536", 10281),
    ("clear_user_4096", 2085),
];

/// How far uaccess_bench.ko may be from a hand measurement: the two reach the routine's
/// arguments differently (the module loads them through a pointer and saves a register for
/// the DACR), a few instructions; a page fault, a tick or a missed subtraction would be
/// hundreds.
const TOLERANCE: u64 = 6;

#[test]
fn the_recorded_kernel_side_figures_are_linux_s_as_measured_by_hand() {
    let console = root().join("target/linux/out/linux-bench.txt");
    let Ok(console) = std::fs::read_to_string(&console) else {
        eprintln!("skipped: no recorded Linux run (make compare-linux records one)");
        return;
    };
    let figures = linux_kernel_side(&console);
    for base in ["copy_from_user", "copy_to_user", "raw_copy_from_user", "raw_copy_to_user"]
        .into_iter()
        .chain(["memcpy", "clear_user"])
    {
        for size in [8, 64, 4096, 65536] {
            let name = format!("{base}_{size}");
            assert!(figures.contains_key(&name), "uaccess_bench.ko printed no {name}");
        }
    }
    for (name, expected) in HAND_MEASURED {
        let measured =
            *figures.get(name).unwrap_or_else(|| panic!("uaccess_bench.ko printed no {name}"));
        assert!(
            measured.abs_diff(expected) <= TOLERANCE,
            "{name}: uaccess_bench.ko counted {measured}, by hand {expected}"
        );
    }
}
