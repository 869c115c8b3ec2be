//! lkdtm's whole perms family in one boot (`lkdtm=all`): every crash type blocked by the
//! right fault, with Linux's messages, and the boot surviving them all.

use swpan_tests::{boot, status};

#[test]
fn every_crash_type_is_blocked_in_one_boot() {
    let run = boot("lkdtm=all");
    run.assert_status(status::SUCCESS);
    let expected = [
        ("EXEC_DATA", "attempting bad execution at 0x", "page permission fault", "when execute"),
        ("EXEC_STACK", "attempting bad execution at 0x", "page permission fault", "when execute"),
        ("EXEC_KMALLOC", "attempting bad execution at 0x", "page permission fault", "when execute"),
        (
            "EXEC_VMALLOC",
            "attempting bad execution at 0xe",
            "page permission fault",
            "when execute",
        ),
        ("EXEC_RODATA", "attempting bad execution at 0x", "page permission fault", "when execute"),
        (
            "EXEC_USERSPACE",
            "attempting bad execution at 0x40000000",
            "page domain fault",
            "Unhandled prefetch abort",
        ),
        (
            "EXEC_NULL",
            "attempting bad execution at 0x00000000",
            "section translation fault",
            "NULL pointer dereference",
        ),
        (
            "ACCESS_USERSPACE",
            "attempting bad read at 0x40000000",
            "page domain fault",
            "Unhandled fault",
        ),
        (
            "ACCESS_NULL",
            "attempting bad read at 0x00000000",
            "section translation fault",
            "NULL pointer dereference",
        ),
        ("WRITE_RO", "attempting bad rodata write at 0x", "page permission fault", "when write"),
        (
            "WRITE_RO_AFTER_INIT",
            "attempting bad ro_after_init write at 0x",
            "page permission fault",
            "when write",
        ),
        ("WRITE_KERN", "attempting bad 64 byte write at 0x", "page permission fault", "when write"),
    ];
    for (name, attempt, fault, headline) in expected {
        run.assert_line(&format!("lkdtm: Performing direct entry {name}"));
        run.assert_contains(&format!("lkdtm: {attempt}"));
        let outcome = run.lkdtm_summary(name);
        assert!(
            outcome.starts_with(&format!("blocked ({fault} at 0x")),
            "{name}: {outcome}\n{run}"
        );
        run.assert_contains(headline);
    }
    run.assert_line("lkdtm: XFAIL: Platform doesn't use function descriptors.");
    assert_eq!(run.lkdtm_summary("WRITE_OPD"), "XFAIL: Platform doesn't use function descriptors.");
    // Twelve oopses, each killing only its process.
    run.assert_contains("---[ end trace: oops #12 killed provoke[12] ]---");
    run.assert_lacks("lkdtm: FAIL");
    run.assert_lacks("Kernel panic");
}

#[test]
fn the_null_tests_read_like_linux() {
    let run = boot("lkdtm=ACCESS_NULL,EXEC_NULL");
    run.assert_status(status::SUCCESS);
    run.assert_line(
        "Unable to handle kernel NULL pointer dereference at virtual address 00000000 when read",
    );
    run.assert_line(
        "Unable to handle kernel NULL pointer dereference at virtual address 00000000 when execute",
    );
}

#[test]
fn write_kern_leaves_the_text_intact() {
    // The write faulted before changing a byte: a second run of the crash type that calls the
    // target (EXEC_DATA calls do_nothing, which sits right before it) still works.
    let run = boot("lkdtm=WRITE_KERN,WRITE_KERN,EXEC_DATA");
    run.assert_status(status::SUCCESS);
    assert!(run.lkdtm_summary("EXEC_DATA").starts_with("blocked (page permission fault"), "{run}");
}
