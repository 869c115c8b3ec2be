//! lkdtm's whole perms family in one boot (`lkdtm=all`): every crash type blocked by the
//! right fault, with Linux's messages, and the boot surviving them all.

use swpan_tests::{boot, status};

/// The console line that opens an oops for a fault at `address` (8 hex digits).
#[derive(Clone, Copy)]
enum Headline {
    /// `Unable to handle kernel paging request at virtual address ADDRESS when ACCESS`.
    Paging(&'static str),
    /// `Unable to handle kernel NULL pointer dereference at virtual address ADDRESS when ACCESS`.
    Null(&'static str),
    /// `PREFIX at 0xADDRESS`: the unhandled-abort form, for domain faults.
    Unhandled(&'static str),
}

impl Headline {
    fn line(self, address: &str) -> String {
        match self {
            Headline::Paging(access) => format!(
                "Unable to handle kernel paging request at virtual address {address} when {access}"
            ),
            Headline::Null(access) => format!(
                "Unable to handle kernel NULL pointer dereference at virtual address {address} \
                 when {access}"
            ),
            Headline::Unhandled(prefix) => format!("{prefix} at 0x{address}"),
        }
    }
}

#[test]
fn every_crash_type_is_blocked_in_one_boot() {
    let run = boot("lkdtm=all");
    let execute = Headline::Paging("execute");
    let write = Headline::Paging("write");
    // Name, the start of its attempt line, the fault in its summary, its oops headline.
    let expected = [
        ("EXEC_DATA", "attempting bad execution at 0x", "page permission fault", execute),
        ("EXEC_STACK", "attempting bad execution at 0x", "page permission fault", execute),
        ("EXEC_KMALLOC", "attempting bad execution at 0x", "page permission fault", execute),
        ("EXEC_VMALLOC", "attempting bad execution at 0xe", "page permission fault", execute),
        ("EXEC_RODATA", "attempting bad execution at 0x", "page permission fault", execute),
        (
            "EXEC_USERSPACE",
            "attempting bad execution at 0x40000000",
            "page domain fault",
            Headline::Unhandled("Unhandled prefetch abort: page domain fault (0x00b)"),
        ),
        (
            "EXEC_NULL",
            "attempting bad execution at 0x00000000",
            "section translation fault",
            Headline::Null("execute"),
        ),
        (
            "ACCESS_USERSPACE",
            "attempting bad read at 0x40000000",
            "page domain fault",
            Headline::Unhandled("Unhandled fault: page domain fault (0x01b)"),
        ),
        (
            "ACCESS_USERSPACE_LINEAR",
            "attempting bad read at 0x8",
            "page translation fault",
            Headline::Paging("read"),
        ),
        (
            "ACCESS_NULL",
            "attempting bad read at 0x00000000",
            "section translation fault",
            Headline::Null("read"),
        ),
        ("WRITE_RO", "attempting bad rodata write at 0x", "page permission fault", write),
        (
            "WRITE_RO_AFTER_INIT",
            "attempting bad ro_after_init write at 0x",
            "page permission fault",
            write,
        ),
        ("WRITE_KERN", "attempting bad 64 byte write at 0x", "page permission fault", write),
    ];
    for (index, (name, attempt, fault, headline)) in expected.into_iter().enumerate() {
        // Only this crash type's own lines: from its "Performing direct entry" line through
        // its summary line.
        let section = run.lkdtm_section(name);
        let context =
            || format!("{name}'s lines:\n{}\n\nthe whole boot:\n{run}", section.join("\n"));
        let attempts: Vec<&str> = section
            .iter()
            .copied()
            .filter(|line| line.starts_with(&format!("lkdtm: {attempt}")))
            .collect();
        assert_eq!(attempts.len(), 1, "{name}: one line starting {attempt:?}; {}", context());
        let (_, address) = attempts[0].rsplit_once(" at 0x").expect("an address");
        if name.starts_with("EXEC_") {
            assert!(
                section.iter().any(|line| line.starts_with("lkdtm: attempting ok execution at 0x")),
                "{name}: do_nothing was not run first; {}",
                context()
            );
        }
        let headline = headline.line(address);
        assert!(section.contains(&headline.as_str()), "{name}: no {headline:?}; {}", context());
        let oopses: Vec<&str> =
            section.iter().copied().filter(|line| line.starts_with("Internal error: ")).collect();
        assert_eq!(oopses.len(), 1, "{name}: one oops; {}", context());
        assert!(oopses[0].ends_with(&format!("[#{}] ARM", index + 1)), "{name}: {}", context());
        let end = format!("---[ end trace: oops #{} killed provoke[{}] ]---", index + 1, index + 1);
        assert!(section.contains(&end.as_str()), "{name}: no {end:?}; {}", context());
        assert!(
            !section.iter().any(|line| line.starts_with("lkdtm: FAIL")),
            "{name}: {}",
            context()
        );
        assert_eq!(
            run.lkdtm_summary(name),
            format!("blocked ({fault} at 0x{address})"),
            "{name}: {}",
            context()
        );
    }
    let opd = run.lkdtm_section("WRITE_OPD");
    assert_eq!(
        opd,
        [
            "lkdtm: Performing direct entry WRITE_OPD",
            "lkdtm: XFAIL: Platform doesn't use function descriptors.",
            "lkdtm: WRITE_OPD: XFAIL: Platform doesn't use function descriptors.",
        ],
        "{run}"
    );
    run.assert_lacks("Kernel panic");
    run.assert_status(status::SUCCESS);
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
    // do_overwritten returns a value of its own, do_nothing (which WRITE_KERN copies over it)
    // 0; WRITE_KERN calls it before its write and fails if it gets anything else. So the
    // second run sees whether the first changed the text.
    let run = boot("lkdtm=WRITE_KERN,WRITE_KERN");
    let sections = run.lkdtm_sections("WRITE_KERN");
    assert_eq!(sections.len(), 2, "{run}");
    for (index, section) in sections.iter().enumerate() {
        let run_number = index + 1;
        assert!(
            !section.iter().any(|line| line.contains("was overwritten")),
            "run {run_number} of WRITE_KERN found do_overwritten overwritten:\n{}\n\n{run}",
            section.join("\n")
        );
        assert!(
            section.iter().any(|line| line.starts_with("lkdtm: attempting bad 64 byte write at")),
            "run {run_number} of WRITE_KERN did not try its write:\n{run}"
        );
        let summary = section.last().expect("a summary line");
        assert!(
            summary.starts_with("lkdtm: WRITE_KERN: blocked (page permission fault at 0x"),
            "run {run_number} of WRITE_KERN: {summary}\n{run}"
        );
    }
    run.assert_status(status::SUCCESS);
}
