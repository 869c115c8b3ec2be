//! The in-kernel self-tests, run on the emulated CPU and read back as KTAP.

use swpan_tests::{boot, parse_ktap, status};

#[test]
fn every_selftest_passes_and_the_ktap_is_well_formed() {
    let run = boot("selftest");
    run.assert_status(status::SUCCESS);
    let ktap = parse_ktap(&run.console).unwrap_or_else(|error| panic!("{error}\n{run}"));
    assert!(ktap.plan >= 4, "{run}");
    assert_eq!(ktap.results.len(), ktap.plan, "one result per planned test:\n{run}");
    for (index, result) in ktap.results.iter().enumerate() {
        assert_eq!(result.number, index + 1, "results are numbered in order:\n{run}");
        assert!(result.ok, "{} failed:\n{run}", result.name);
        assert_eq!(result.directive, None);
    }
    assert_eq!(ktap.bail_out, None);
    let summary = format!("selftest: {} passed, 0 failed", ktap.plan);
    assert!(ktap.diagnostics.contains(&summary), "{run}");
    // The exception suite is there by name.
    for name in [
        "exceptions.undefined_instruction_resumes",
        "exceptions.registers_survive_an_exception",
        "exceptions.alignment_fault_is_decoded",
        "exceptions.breakpoint_is_a_prefetch_abort",
    ] {
        assert!(ktap.results.iter().any(|result| result.name == name), "{name} missing:\n{run}");
    }
}

#[test]
fn a_failing_selftest_fails_the_run() {
    let run = boot("selftest test=failing-selftest");
    run.assert_status(status::FAILURE);
    let ktap = parse_ktap(&run.console).unwrap();
    let last = ktap.results.last().unwrap();
    assert_eq!(last.name, "selftest.fails_on_purpose");
    assert!(!last.ok);
    assert_eq!(ktap.results.iter().filter(|result| !result.ok).count(), 1, "{run}");
    assert!(
        ktap.diagnostics
            .iter()
            .any(|line| line == "selftest.fails_on_purpose: 1 + 1: got 2, expected 3"),
        "{run}"
    );
    assert!(
        ktap.diagnostics.contains(&format!("selftest: {} passed, 1 failed", ktap.plan - 1)),
        "{run}"
    );
}
