//! The benchmarks: instruction counts identical from run to run, every required metric
//! present, the targets met (seccomp's among them, and those that ask to be ahead of Linux:
//! the null system call, memcpy, clear_user), and docs/benchmarks.md's tables and chart those of a fresh run.

use docgen::bench::{Metrics, chart, report, table, targets};
use swpan_tests::{generated_by, root};

#[test]
fn two_runs_count_the_same_instructions_and_the_docs_show_them() {
    let first = generated_by("bench");
    let second = generated_by("bench");
    assert_eq!(first, second, "two runs under -icount gave different counts");

    let metrics = Metrics::from_json(first.as_bytes()).expect("a valid bench.json");
    let judged = targets::evaluate(&metrics);
    assert!(
        judged.iter().filter(|target| target.rule.contains("seccomp")).count() == 2,
        "the seccomp figures are missing:\n{first}"
    );
    // Ahead of Linux on the same board (docgen::bench::linux): each of these is judged, and
    // every target must be met below.
    for rule in [
        "null_syscall_pan_on <= 140",
        "memcpy_8 <= 34",
        "memcpy_4096 <= 681",
        "memcpy_65536 <= 10281",
        "clear_user_4096 < 2085",
        "copy_from_user_4096 <= 1.02 x memcpy_4096",
    ] {
        assert!(judged.iter().any(|target| target.rule == rule), "no target {rule}");
    }
    for size in [8, 64, 4096, 65536] {
        let copies = metrics.copy(size).expect("every copy size");
        assert!(copies.clear_user.is_some(), "bench.json has no clear_user_{size}:\n{first}");
        assert!(copies.memcpy.is_some(), "bench.json has no memcpy_{size}:\n{first}");
    }
    assert!(metrics.write_4096.is_some(), "no write_4096:\n{first}");
    assert!(metrics.console_write_path_4096.is_some(), "no console_write_path_4096:\n{first}");
    for target in judged {
        assert_eq!(target.verdict, targets::Verdict::Met, "{}:\n{first}", target.rule);
    }

    let markdown = table::markdown(&report::build(&metrics));
    let page = std::fs::read_to_string(root().join("docs/benchmarks.md")).unwrap();
    let documented = docgen::splice::section(&page, "benchreport").unwrap_or_else(|error| {
        panic!("docs/benchmarks.md: {error}");
    });
    assert_eq!(documented, markdown, "docs/benchmarks.md is out of date: make bench-docs");

    let committed = std::fs::read_to_string(root().join("docs/benchmarks.svg")).unwrap();
    assert_eq!(committed, chart::chart(&metrics), "docs/benchmarks.svg is out of date");
}
