//! The guided tour (`make run`): exit status and the lines that carry its point.

use swpan_tests::{boot, root, status};

#[test]
fn the_protected_tour_blocks_both_attacks() {
    let run = boot("tour");
    run.assert_status(status::SUCCESS);
    for step in 1..=5 {
        run.assert_contains(&format!("== Step {step}: "));
    }
    run.assert_contains("  0x00010000-0x7fffffff  user memory (TTBR0)        domain 1 USER     kernel mode: No access");
    run.assert_contains("  kernel, syscall entry        DACR 0x51  (user domain No access)");
    run.assert_contains("  kernel, inside the window    DACR 0x55  (user domain Client)");
    run.assert_line("written by user code into its own page, then copied out by the kernel");
    run.assert_line("lkdtm: ACCESS_USERSPACE: blocked (page domain fault at 0x40000000)");
    run.assert_line("lkdtm: EXEC_USERSPACE: blocked (page domain fault at 0x40000000)");
    run.assert_line("swpan tour: every attack ended as the protections say it must.");
}

#[test]
fn the_unprotected_tour_shows_the_attacks_succeeding() {
    let run = boot("tour pan=off pxn=off");
    run.assert_status(status::SUCCESS);
    run.assert_contains("domain 1 USER     kernel mode: Client");
    run.assert_line("lkdtm: ACCESS_USERSPACE: FAIL: survived bad read and bad write");
    run.assert_line("lkdtm: EXEC_USERSPACE: FAIL: func returned");
    run.assert_contains("  EXEC_USERSPACE     none             succeeds  FAIL: func returned");
}

#[test]
fn make_run_tours_three_boots_and_tabulates_them() {
    let kernel = swpan_tests::kernel();
    let output = std::process::Command::new(root().join("qemu/tour")).arg(kernel).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    for boot in [
        "Boot 1 of 3: PAN and PXN on",
        "Boot 2 of 3: pan=off (PXN only)",
        "Boot 3 of 3: pan=off pxn=off",
    ] {
        assert!(text.contains(boot), "{boot}:\n{text}");
    }
    let table: Vec<&str> = text.lines().skip_while(|line| !line.contains("side by side")).collect();
    assert!(
        table.iter().any(|line| line
            .starts_with("ACCESS_USERSPACE   blocked (page domain fault at 0x40000000)")
            && line.contains("FAIL: survived bad read and bad write")),
        "{text}"
    );
    assert!(
        table.iter().any(|line| line
            .starts_with("EXEC_USERSPACE     blocked (page domain fault at 0x40000000)")
            && line.contains("blocked (page permission fault at 0x40000000)")
            && line.ends_with("FAIL: func returned")),
        "{text}"
    );
}
