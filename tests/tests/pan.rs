//! Emulated PAN and PXN from the outside: the boot log, the self-tests under every
//! combination of `pan=` and `pxn=`, and a real oops checked against QEMU's own log.

use swpan_tests::{BootOptions, boot, boot_with, parse_ktap, status};

fn selftests_pass(command_line: &str) {
    let run = boot(command_line);
    run.assert_status(status::SUCCESS);
    let ktap = parse_ktap(&run.console).unwrap_or_else(|error| panic!("{error}\n{run}"));
    assert_eq!(ktap.results.len(), ktap.plan, "{run}");
    assert!(ktap.results.iter().all(|result| result.ok), "{run}");
    for suite in ["pan.", "uaccess.", "mmu."] {
        assert!(
            ktap.results.iter().any(|result| result.name.starts_with(suite)),
            "no {suite} cases:\n{run}"
        );
    }
}

#[test]
fn selftests_pass_with_pan_and_pxn() {
    selftests_pass("selftest");
}

#[test]
fn selftests_pass_with_pan_off() {
    selftests_pass("selftest pan=off");
}

#[test]
fn selftests_pass_with_pxn_off() {
    selftests_pass("selftest pxn=off");
}

#[test]
fn selftests_pass_with_both_off() {
    selftests_pass("selftest pan=off pxn=off");
}

#[test]
fn the_boot_log_says_which_protections_are_active() {
    let run = boot("");
    run.assert_line(
        "PAN: on (emulated): DACR 0x51 in kernel mode, the user domain opens only inside uaccess",
    );
    run.assert_line("PXN: on (hardware): PXNTABLE in every user page-table entry");
    run.assert_contains("MMU: on, ID_MMFR0 10201105 (VMSA 5, PXN supported)");
    let run = boot("pan=off pxn=off");
    run.assert_line("PAN: off: DACR 0x55, the user domain is Client in kernel mode too");
    run.assert_line("PXN: off");
}

#[test]
fn a_kernel_read_of_user_memory_oopses_like_linux() {
    let log = std::env::temp_dir().join(format!("swpan-oops-{}.log", std::process::id()));
    let log_arg = log.to_str().unwrap().to_string();
    let run = boot_with(
        "test=oops",
        &BootOptions { run_options: &["--log", &log_arg], ..Default::default() },
    );
    run.assert_status(status::FATAL);
    let lines = run.lines();
    let start = lines
        .iter()
        .position(|line| *line == "Unhandled fault: page domain fault (0x01b) at 0x00400000")
        .unwrap_or_else(|| panic!("no domain fault line:\n{run}"));
    assert_eq!(lines[start + 1], "Internal error: : 1b [#1] ARM", "{run}");
    assert_eq!(lines[start + 2], "CPU: 0 PID: 0 Comm: kernel Not tainted", "{run}");
    assert!(
        lines[start + 3].starts_with("PC is at swpan::jobs::test_hooks::run+0x"),
        "symbolized PC:\n{run}"
    );
    assert!(lines[start + 4].starts_with("LR is at "), "{run}");
    assert!(lines[start + 5].starts_with("pc : [<8"), "{run}");
    run.assert_contains("DAC: 00000051");
    let trace =
        lines.iter().position(|line| *line == "Call trace:").unwrap_or_else(|| panic!("{run}"));
    assert!(lines[trace + 1].starts_with(" swpan::jobs::test_hooks::run+0x"), "{run}");
    assert!(lines[trace + 2].starts_with(" kernel_main+0x"), "{run}");
    assert!(lines[trace + 3].starts_with(" _start+0x"), "the trace reaches _start:\n{run}");
    run.assert_line("Kernel panic - not syncing: Fatal exception");

    // QEMU's own record of the exception: the CPU really took a data abort with this DFSR.
    let qemu_log = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    assert!(qemu_log.contains("Taking exception 4 [Data Abort]"), "{qemu_log}");
    assert!(qemu_log.contains("DFSR 0x1b DFAR 0x400000"), "{qemu_log}");
}

#[test]
fn without_pan_the_same_read_succeeds() {
    let run = boot("test=oops pan=off");
    run.assert_status(status::SUCCESS);
    run.assert_line("swpan: read 0x0 from user memory: PAN did not stop it");
    run.assert_lacks("Unhandled fault");
}

#[test]
fn bad_protection_values_are_refused() {
    let run = boot("pan=maybe");
    run.assert_status(status::USAGE);
    run.assert_line(
        "swpan: bad command line: bad value 'maybe' for key 'pan': expected pan=on|off",
    );
    run.assert_contains("  pxn=on|off ");
}
