//! The guided tour (`make run`): exit status and the lines that carry its point.

use swpan_tests::{Boot, boot, root, status};

/// The linear-map alias the tour's ret2dir step went for (`..., linear alias 0x8xxxxxxx`),
/// checked to be in the kernel's half, where PAN does not reach.
fn ret2dir_alias(run: &Boot) -> String {
    let line = run
        .lines()
        .into_iter()
        .find(|line| line.starts_with("lkdtm: user page 0x40000000 is frame "))
        .unwrap_or_else(|| panic!("no ret2dir frame line:\n{run}"));
    let (_, alias) = line.split_once(", linear alias ").unwrap_or_else(|| panic!("{line}"));
    let value = u32::from_str_radix(alias.trim_start_matches("0x"), 16).unwrap();
    assert!(value >= 0x8000_0000, "the alias is a kernel address: {line}");
    alias.to_owned()
}

#[test]
fn the_protected_tour_blocks_every_attack() {
    let run = boot("tour");
    run.assert_status(status::SUCCESS);
    for step in 1..=6 {
        run.assert_contains(&format!("== Step {step}: "));
    }
    run.assert_contains("(PAN on, PXN on, XPFO on)");
    run.assert_contains("  0x00010000-0x7fffffff  user memory (TTBR0)        domain 1 USER     kernel mode: No access");
    run.assert_contains("  kernel, syscall entry        DACR 0x51  (user domain No access)");
    run.assert_contains("  kernel, inside the window    DACR 0x55  (user domain Client)");
    run.assert_line("written by user code into its own page, then copied out by the kernel");
    run.assert_line("lkdtm: ACCESS_USERSPACE: blocked (page domain fault at 0x40000000)");
    run.assert_line("lkdtm: EXEC_USERSPACE: blocked (page domain fault at 0x40000000)");
    let alias = ret2dir_alias(&run);
    run.assert_contains("== Step 5: lkdtm ACCESS_USERSPACE_LINEAR: ");
    run.assert_contains("xpfo=off leaves it there.");
    run.assert_line(&format!(
        "lkdtm: ACCESS_USERSPACE_LINEAR: blocked (page translation fault at {alias})"
    ));
    run.assert_line(&format!(
        "  ACCESS_USERSPACE_LINEAR  XPFO (ownership) blocked   blocked (page translation fault at {alias})"
    ));
    run.assert_line("swpan tour: every attack ended as the protections say it must.");
}

#[test]
fn without_pan_xpfo_still_blocks_ret2dir() {
    let run = boot("tour pan=off");
    run.assert_status(status::SUCCESS);
    run.assert_line("lkdtm: ACCESS_USERSPACE: FAIL: survived bad read and bad write");
    let alias = ret2dir_alias(&run);
    run.assert_line(&format!(
        "lkdtm: ACCESS_USERSPACE_LINEAR: blocked (page translation fault at {alias})"
    ));
}

#[test]
fn the_unprotected_tour_shows_the_attacks_succeeding() {
    let run = boot("tour pan=off pxn=off xpfo=off");
    run.assert_status(status::SUCCESS);
    run.assert_contains("(PAN off, PXN off, XPFO off)");
    run.assert_contains("domain 1 USER     kernel mode: Client");
    run.assert_line("lkdtm: ACCESS_USERSPACE: FAIL: survived bad read and bad write");
    run.assert_line("lkdtm: EXEC_USERSPACE: FAIL: func returned");
    run.assert_line("lkdtm: ACCESS_USERSPACE_LINEAR: FAIL: survived bad read and bad write");
    run.assert_contains(
        "  EXEC_USERSPACE           none             succeeds  FAIL: func returned",
    );
    run.assert_line(
        "  ACCESS_USERSPACE_LINEAR  none             succeeds  FAIL: survived bad read and bad write",
    );
    run.assert_line("swpan tour: every attack ended as the protections say it must.");
}

#[test]
fn make_run_tours_three_boots_and_tabulates_them() {
    let kernel = swpan_tests::kernel();
    let output = std::process::Command::new(root().join("qemu/tour")).arg(kernel).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    for boot in [
        "Boot 1 of 3: PAN, PXN and XPFO on",
        "Boot 2 of 3: pan=off (PXN and XPFO)",
        "Boot 3 of 3: pan=off pxn=off xpfo=off",
    ] {
        assert!(text.contains(boot), "{boot}:\n{text}");
    }
    let table: Vec<&str> = text.lines().skip_while(|line| !line.contains("side by side")).collect();
    assert!(
        table.iter().any(|line| line
            .starts_with("ACCESS_USERSPACE         blocked (page domain fault at 0x40000000)")
            && line.contains("FAIL: survived bad read and bad write")),
        "{text}"
    );
    assert!(
        table.iter().any(|line| line
            .starts_with("EXEC_USERSPACE           blocked (page domain fault at 0x40000000)")
            && line.contains("blocked (page permission fault at 0x40000000)")
            && line.ends_with("FAIL: func returned")),
        "{text}"
    );
    // ret2dir: blocked at the alias in both boots with XPFO, whatever pan= says; it succeeds
    // only in the boot with xpfo=off.
    assert!(
        table.iter().any(|line| line
            .starts_with("ACCESS_USERSPACE_LINEAR  blocked (page translation fault at 0x8")
            && line.matches("blocked (page translation fault at 0x8").count() == 2
            && line.ends_with("FAIL: survived bad read and bad write")),
        "{text}"
    );
    assert!(text.contains("with xpfo=off it succeeds."), "{text}");
    // The student's escalation: a fake table in user memory, so only PAN stops it.
    assert!(
        table.iter().any(|line| line
            .starts_with("escalate (fake ops)      blocked (page domain fault at 0x7ff")
            && line.matches("FAIL: the student became root").count() == 2),
        "{text}"
    );
    assert!(text.contains("so it succeeds in both boots without PAN."), "{text}");
}

#[test]
fn without_the_vulnerable_driver_the_tour_has_no_escalation_step() {
    let run = boot("tour");
    run.assert_contains("== Step 6: summary.");
    run.assert_lacks("escalate (fake ops)");
}

#[test]
fn the_protected_tour_blocks_the_escalation_at_the_fake_table() {
    let run = boot("tour vulnerable=ops kptr_restrict=0");
    run.assert_status(status::SUCCESS);
    run.assert_contains("== Step 6: a privilege escalation. ");
    run.assert_contains("== Step 7: summary.");
    let line = run
        .lines()
        .into_iter()
        .find(|line| line.starts_with("escalate: fake operations table at "))
        .unwrap_or_else(|| panic!("no fake table:\n{run}"))
        .to_owned();
    let table = &line["escalate: fake operations table at ".len()..][..10];
    run.assert_line(&format!("tour: escalate (fake ops): blocked (page domain fault at {table})"));
    run.assert_line(&format!(
        "  escalate (fake ops)      PAN (DACR)       blocked   blocked (page domain fault at {table})"
    ));
    run.assert_line("swpan tour: every attack ended as the protections say it must.");
}

#[test]
fn without_pan_the_tour_s_escalation_makes_the_student_root() {
    let run = boot("tour pan=off vulnerable=ops kptr_restrict=0");
    run.assert_status(status::SUCCESS);
    run.assert_line("escalate: after: uid=0(root) gid=0(root)");
    run.assert_line("tour: escalate (fake ops): FAIL: the student became root");
    run.assert_line(
        "  escalate (fake ops)      none             succeeds  FAIL: the student became root",
    );
    run.assert_line("swpan tour: every attack ended as the protections say it must.");
}
