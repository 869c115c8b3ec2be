//! The benchmarks: instruction counts identical from run to run, every required metric
//! present, the targets met, and docs/benchmarks.md's tables and chart those of a fresh run.

use swpan_tests::{generated_by, root};

#[test]
fn two_runs_count_the_same_instructions_and_the_docs_show_them() {
    let first = generated_by("bench");
    let second = generated_by("bench");
    assert_eq!(first, second, "two runs under -icount gave different counts");

    let metrics = benchreport::Metrics::from_json(first.as_bytes()).expect("a valid bench.json");
    for target in benchreport::targets::evaluate(&metrics) {
        assert_eq!(target.verdict, benchreport::targets::Verdict::Met, "{}:\n{first}", target.rule);
    }

    let markdown = benchreport::table::markdown(&benchreport::report::build(&metrics));
    let page = std::fs::read_to_string(root().join("docs/benchmarks.md")).unwrap();
    let begin = "<!-- benchreport:begin -->\n";
    let start = page.find(begin).expect("the begin marker") + begin.len();
    let end = page.find("<!-- benchreport:end -->").expect("the end marker");
    assert_eq!(&page[start..end], markdown, "docs/benchmarks.md is out of date: make bench-docs");

    let chart = std::fs::read_to_string(root().join("docs/benchmarks.svg")).unwrap();
    assert_eq!(chart, benchreport::svg::chart(&metrics), "docs/benchmarks.svg is out of date");
}
