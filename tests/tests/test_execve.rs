//! `/bin/test_execve`, the port of Linux's capability exec selftest, booted as the first
//! process and read back as KTAP; and `/bin/validate_cap`, its exec target, on its own.

use swpan_tests::{boot, parse_ktap, status};

/// Linux's test_execve plans 12 cases as uid 0 and 9 as uid 1 (set-id cases included, as a
/// real root runs them); the port has every one of them.
const LINUX_CASES: usize = 12 + 9;

#[test]
fn every_case_of_linux_s_test_execve_passes() {
    let run = boot("init=test_execve");
    let ktap = parse_ktap(&run.console).unwrap_or_else(|error| panic!("{error}\n{run}"));
    assert!(
        ktap.plan >= LINUX_CASES,
        "plan 1..{}, expected at least {LINUX_CASES}\n{run}",
        ktap.plan
    );
    assert_eq!(ktap.results.len(), ktap.plan, "the plan is not complete\n{run}");
    for (index, result) in ktap.results.iter().enumerate() {
        assert_eq!(result.number, index + 1, "result numbers in order\n{run}");
        assert!(result.ok, "not ok {} {}\n{run}", result.number, result.name);
        assert_eq!(result.directive, None, "{} has a directive\n{run}", result.name);
    }
    assert_eq!(ktap.bail_out, None, "{run}");
    // The set-id cases ran: swpan's first process is real root.
    for name in [
        "Root +ia, suidroot => eipa",
        "Root +ia, suidnonroot => ip",
        "Root, gid != 0, +ia, sgidroot => eip",
        "Non-root +ia, sgidroot => i",
    ] {
        assert!(ktap.results.iter().any(|result| result.name == name), "no case {name:?}\n{run}");
    }
    run.assert_line("init: test_execve exited with status 0");
    run.assert_status(status::SUCCESS);
}

#[test]
fn test_execve_skips_without_root() {
    // Linux falls back to a user namespace; swpan has none, so a plain user skips.
    let run = boot("init=capsh -- --user=nobody -- -c test_execve");
    run.assert_line("1..0 # SKIP must be root");
    run.assert_line("init: test_execve exited with status 4");
    run.assert_status(status::FAILURE);
}

#[test]
fn validate_cap_fails_on_a_mismatch_and_names_the_set() {
    // Root running a plain program holds the capability in E and P, not in I or A.
    let run = boot("init=validate_cap -- 1 1 0 0");
    run.assert_line("# validate_cap: Capabilities after execve were correct");
    run.assert_status(status::SUCCESS);
    for (arguments, message) in [
        ("0 1 0 0", "Wrong effective state (AT_SECURE is not set)"),
        ("1 0 0 0", "Wrong permitted state (AT_SECURE is not set)"),
        ("1 1 1 0", "Wrong inheritable state (AT_SECURE is not set)"),
        ("1 1 0 1", "Wrong ambient state (AT_SECURE is not set)"),
        ("1 1 0", "wrong argc"),
        ("1 1 0 2", "wrong argv[4]"),
    ] {
        let run = boot(&format!("init=validate_cap -- {arguments}"));
        run.assert_line(&format!("# validate_cap: {message}"));
        run.assert_line("init: validate_cap exited with status 1");
        run.assert_status(status::FAILURE);
    }
}
