//! Exclusive page-frame ownership (`xpfo=`): lkdtm's ACCESS_USERSPACE_LINEAR (the "ret2dir"
//! attack on a user page's linear-map alias) is stopped by a translation fault at the alias
//! with the defence on, QEMU's own exception log agreeing, and survives with `xpfo=off`.

use swpan_tests::{Boot, BootOptions, boot, boot_with, status};

/// The linear-map alias the crash type printed (`..., linear alias 0x8xxxxxxx`), checked to be
/// a kernel address of RAM, not the user page.
fn alias(run: &Boot) -> u32 {
    let line = run
        .lines()
        .into_iter()
        .find(|line| line.starts_with("lkdtm: user page 0x40000000 is frame "))
        .unwrap_or_else(|| panic!("no frame line:\n{run}"));
    let (_, alias) = line.split_once(", linear alias 0x").unwrap_or_else(|| panic!("{line}"));
    let alias = u32::from_str_radix(alias, 16).unwrap_or_else(|_| panic!("{line}"));
    assert!(
        (0x8000_0000..0x8800_0000).contains(&alias),
        "the alias is in RAM's linear map: {line}"
    );
    assert!(
        line.contains(&format!("is frame {alias:#010x},")),
        "RAM at its physical address: {line}"
    );
    alias
}

/// A summary line that reports a failure: `lkdtm: NAME: FAIL: ...`.
fn is_summary_failure(line: &str) -> bool {
    line.starts_with("lkdtm: ") && !line.starts_with("lkdtm: FAIL") && line.contains(": FAIL: ")
}

#[test]
fn access_userspace_linear_is_a_translation_fault_at_the_alias() {
    let log = std::env::temp_dir().join(format!("swpan-xpfo-{}.log", std::process::id()));
    let log_arg = log.to_str().unwrap().to_string();
    let run = boot_with(
        "lkdtm=ACCESS_USERSPACE_LINEAR",
        &BootOptions { run_options: &["--log", &log_arg], ..Default::default() },
    );
    let qemu_log = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    run.assert_status(status::SUCCESS);
    let alias = alias(&run);
    run.assert_line(&format!("lkdtm: attempting bad read at {alias:#010x}"));
    run.assert_line(&format!(
        "Unable to handle kernel paging request at virtual address {alias:08x} when read"
    ));
    run.assert_contains("DAC: 00000051");
    run.assert_lacks("lkdtm: FAIL");
    assert_eq!(
        run.lkdtm_summary("ACCESS_USERSPACE_LINEAR"),
        format!("blocked (page translation fault at {alias:#010x})")
    );
    // QEMU's own record: a data abort in the kernel, a page translation fault (DFSR FS 0b00111,
    // a read, domain 0) at the alias, a kernel address.
    assert!(qemu_log.contains("Taking exception 4 [Data Abort]"), "{qemu_log}");
    assert!(qemu_log.contains(&format!("DFSR 0x7 DFAR {alias:#x}")), "{qemu_log}");
}

#[test]
fn access_userspace_linear_survives_with_xpfo_off() {
    for command_line in [
        "xpfo=off lkdtm=ACCESS_USERSPACE_LINEAR",
        "xpfo=off pan=off pxn=off lkdtm=ACCESS_USERSPACE_LINEAR",
    ] {
        let run = boot(command_line);
        run.assert_status(status::FAILURE);
        let alias = alias(&run);
        run.assert_line("lkdtm: FAIL: survived bad read");
        run.assert_line(&format!("lkdtm: attempting bad write at {alias:#010x}"));
        run.assert_line("lkdtm: FAIL: survived bad write");
        assert_eq!(
            run.lkdtm_summary("ACCESS_USERSPACE_LINEAR"),
            "FAIL: survived bad read and bad write"
        );
    }
}

#[test]
fn pan_does_not_stop_the_linear_alias_and_xpfo_does_not_need_it() {
    // The alias is a kernel address: PAN has nothing to say about it, either way.
    let run = boot("pan=off pxn=off lkdtm=ACCESS_USERSPACE_LINEAR");
    run.assert_status(status::SUCCESS);
    let alias = alias(&run);
    assert_eq!(
        run.lkdtm_summary("ACCESS_USERSPACE_LINEAR"),
        format!("blocked (page translation fault at {alias:#010x})")
    );
}

#[test]
fn every_attack_is_blocked_with_the_defaults_and_xpfo_off_fails_only_the_linear_one() {
    let run = boot("lkdtm=all");
    run.assert_status(status::SUCCESS);
    run.assert_lacks("lkdtm: FAIL");
    assert!(!run.lines().into_iter().any(is_summary_failure), "{run}");
    assert!(
        run.lkdtm_summary("ACCESS_USERSPACE_LINEAR")
            .starts_with("blocked (page translation fault at 0x8")
    );
    let run = boot("xpfo=off lkdtm=all");
    run.assert_status(status::FAILURE);
    let failures: Vec<&str> =
        run.lines().into_iter().filter(|line| is_summary_failure(line)).collect();
    assert_eq!(
        failures,
        ["lkdtm: ACCESS_USERSPACE_LINEAR: FAIL: survived bad read and bad write"],
        "{run}"
    );
}
