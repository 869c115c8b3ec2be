//! The privilege escalation through the teaching-only vulnerable driver (`vulnerable=ops`,
//! docs/course/14-privilege-escalation.md): `/bin/escalate`, run by the student, becomes root
//! with `pan=off` and dies in a domain fault at its fake table with PAN on; without
//! `vulnerable=ops` the driver does not exist.

use swpan_tests::{Boot, BootOptions, boot, boot_with, status};

/// The student's shell, fed `input` line by line.
fn as_student(protections: &str, input: &str) -> Boot {
    let command_line = format!("{protections} init=capsh -- --user=student --");
    boot_with(&command_line, &BootOptions { input: input.as_bytes(), ..Default::default() })
}

/// The address the exploit printed on the line starting with `prefix`, up to the next space.
fn address_after(run: &Boot, prefix: &str) -> String {
    let line = run
        .lines()
        .into_iter()
        .find(|line| line.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?}:\n{run}"));
    line[prefix.len()..].split(' ').next().unwrap().to_owned()
}

/// The handler named on the exploit's `fake operations table at ...: handler 0x..., data ...`
/// line.
fn table_handler(run: &Boot) -> String {
    let line = run
        .lines()
        .into_iter()
        .find(|line| line.starts_with("escalate: fake operations table at "))
        .unwrap_or_else(|| panic!("no fake table line:\n{run}"));
    let (_, after) = line.split_once(": handler ").unwrap_or_else(|| panic!("{line}"));
    after.split(',').next().unwrap().to_owned()
}

const STUDENT: &str = "uid=1000(student) gid=1000(student)";
const WARNING: &str = "WARNING: vulnerable=ops: a deliberately vulnerable driver is on";

#[test]
fn without_pan_the_student_becomes_root_through_a_kernel_function() {
    let run = as_student("vulnerable=ops pan=off kptr_restrict=0", "id\nescalate\nexit\n");
    run.assert_status(status::SUCCESS);
    run.assert_contains(WARNING);
    run.assert_line(&format!("escalate: before: {STUDENT}"));
    run.assert_line("escalate: vulnerable_ops(0): the driver's own table answers 0xd05");
    let target = address_after(&run, "escalate: kallsyms: commit_root_credentials at ");
    assert_ne!(target, "0x00000000", "kptr_restrict=0 shows the address:\n{run}");
    assert_eq!(table_handler(&run), target, "the fake table points at the kernel function");
    let table = address_after(&run, "escalate: fake operations table at ");
    assert!(table.starts_with("0x7f"), "the fake table is on the user stack:\n{run}");
    run.assert_line(&format!("vulnerable_ops: reading the operations table at {table}"));
    // The kernel's own symbolizer names the handler it calls: the address was the function's.
    run.assert_contains("vulnerable_ops: calling commit_root_credentials+0x0/");
    run.assert_line("escalate: after: uid=0(root) gid=0(root)");
    run.assert_line("escalate: root: running /bin/sh -c status");
    run.assert_line("Uid:\t0\t0\t0\t0");
    run.assert_line("CapEff:\t000001ffffffffff");
    run.assert_lacks("Unhandled fault");
}

#[test]
fn with_pan_the_exploit_dies_in_a_domain_fault_at_its_fake_table() {
    let run = as_student("vulnerable=ops kptr_restrict=0", "id\nescalate\nid\nstatus\nexit\n");
    run.assert_status(status::SUCCESS);
    run.assert_contains(WARNING);
    let table = address_after(&run, "escalate: fake operations table at ");
    let fault = table.trim_start_matches("0x");
    run.assert_line(&format!("Unhandled fault: page domain fault (0x01b) at 0x{fault}"));
    run.assert_line("PC is at swpan::lkdtm::vulnerable_ops::read_table+0x8/0x18");
    run.assert_contains("Control: 00c5187d  Table: ");
    run.assert_contains("  DAC: 00000051");
    run.assert_contains("---[ end trace: oops #1 killed escalate[");
    run.assert_contains(&format!("killed by a kernel oops (page domain fault at {table})"));
    // The kernel never reached the handler, and the student is the student before and after.
    run.assert_lacks("vulnerable_ops: calling commit_root_credentials");
    run.assert_lacks("escalate: after:");
    run.assert_line_count(STUDENT, 2);
    run.assert_line("Uid:\t1000\t1000\t1000\t1000");
    run.assert_lacks("Uid:\t0");
}

#[test]
fn pxn_stops_the_ret2usr_variant_without_pan_and_nothing_does_without_both() {
    let run = as_student("vulnerable=ops pan=off kptr_restrict=0", "escalate --ret2usr\nexit\n");
    // The handler the fake table names: the payload, in the exploit's own code.
    let payload = table_handler(&run);
    assert!(payload.starts_with("0x001"), "the payload is user code:\n{run}");
    run.assert_line(&format!(
        "Unable to handle kernel paging request at virtual address {} when execute",
        payload.trim_start_matches("0x")
    ));
    run.assert_contains(&format!("killed by a kernel oops (page permission fault at {payload})"));
    run.assert_lacks("escalate: after:");

    let run =
        as_student("vulnerable=ops pan=off pxn=off kptr_restrict=0", "escalate --ret2usr\nexit\n");
    run.assert_status(status::SUCCESS);
    run.assert_line("escalate: after: uid=0(root) gid=0(root)");
    run.assert_line("Uid:\t0\t0\t0\t0");
}

#[test]
fn without_vulnerable_ops_the_driver_does_not_exist() {
    let run = as_student("pan=off pxn=off kptr_restrict=0", "escalate\nexit\n");
    run.assert_lacks(WARNING);
    run.assert_line("escalate: vulnerable_ops: ENOSYS (boot with vulnerable=ops)");
    run.assert_lacks("vulnerable_ops: reading");
    run.assert_lacks("escalate: after:");
}

#[test]
fn kptr_restrict_hides_the_target_from_the_student() {
    let run = as_student("vulnerable=ops pan=off", "escalate\nexit\n");
    run.assert_line(
        "escalate: kallsyms: commit_root_credentials at 0x00000000: kptr_restrict hides kernel \
         addresses (boot with kptr_restrict=0)",
    );
    run.assert_lacks("escalate: fake operations table");
    // root (CAP_SYSLOG) sees the address under the default kptr_restrict=1, and no one does
    // under 2, as with Linux's /proc/kallsyms.
    let run = boot("vulnerable=ops pan=off init=escalate");
    assert_ne!(
        address_after(&run, "escalate: kallsyms: commit_root_credentials at "),
        "0x00000000"
    );
    let run = boot("vulnerable=ops pan=off kptr_restrict=2 init=escalate");
    run.assert_contains("commit_root_credentials at 0x00000000: kptr_restrict hides");
}

#[test]
fn a_bad_value_for_vulnerable_is_a_usage_error() {
    let run = boot("vulnerable=everything");
    run.assert_status(status::USAGE);
    run.assert_line(
        "swpan: bad command line: bad value 'everything' for key 'vulnerable': expected \
         vulnerable=ops",
    );
    run.assert_contains("  vulnerable=ops ");
}
