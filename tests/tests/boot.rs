//! Booting: the banner, the default job, both entry modes, and command lines good and bad.

use swpan_tests::{BootOptions, boot, boot_with, status};

#[test]
fn empty_command_line_boots_prints_the_banner_and_exits_0() {
    let run = boot("");
    run.assert_status(status::SUCCESS);
    let lines = run.lines();
    assert!(
        lines[0].starts_with("swpan 0.1.0: emulated PAN and PXN through the ARM DACR"),
        "{run}"
    );
    assert!(lines[1].starts_with("CPU: ARM Cortex-A15 r"), "{run}");
    assert!(lines[1].ends_with("entered in SVC_32"), "{run}");
    run.assert_line("Command line: ");
}

#[test]
fn a_board_without_el3_enters_in_hyp_mode_and_still_runs() {
    let run = boot_with("selftest", &BootOptions { run_options: &["--hyp"], ..Default::default() });
    run.assert_status(status::SUCCESS);
    run.assert_contains("entered in HYP_32");
    run.assert_contains("# selftest: ");
}

fn assert_usage_error(command_line: &str, message: &str) {
    let run = boot(command_line);
    run.assert_status(status::USAGE);
    run.assert_line(&format!("swpan: bad command line: {message}"));
    run.assert_line("valid keys:");
    // Every key the kernel accepts is listed, with its syntax.
    run.assert_contains("  selftest ");
    run.assert_contains("  loglevel=error|warn|info|debug ");
    run.assert_contains("  test=failing-selftest|");
}

#[test]
fn unknown_key_is_named_and_exits_2() {
    assert_usage_error("selftest bogus", "unknown key 'bogus'");
}

#[test]
fn bad_value_is_named_and_exits_2() {
    assert_usage_error(
        "loglevel=loud",
        "bad value 'loud' for key 'loglevel': expected loglevel=error|warn|info|debug",
    );
    assert_usage_error("loglevel", "key 'loglevel' needs a value: loglevel=error|warn|info|debug");
    assert_usage_error("selftest=yes", "key 'selftest' takes no value");
}

#[test]
fn repeated_key_exits_2() {
    assert_usage_error("loglevel=info loglevel=warn", "key 'loglevel' given twice");
}

#[test]
fn qemu_run_refuses_a_missing_kernel() {
    let output = std::process::Command::new(swpan_tests::root().join("qemu/run"))
        .arg("/nonexistent/kernel")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no such kernel"));
}

#[test]
fn qemu_run_kills_a_hung_kernel_at_its_timeout() {
    let run = boot_with("test=hang", &BootOptions { timeout: Some(2), ..Default::default() });
    run.assert_status(status::TIMEOUT);
    assert!(run.stderr.contains("qemu/run: QEMU killed after 2s (timeout)"), "{run}");
}
