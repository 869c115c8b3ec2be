//! Several CPUs: `qemu/run --smp N` starts every CPU at the kernel's entry at once; CPU 0 boots
//! and the others wait, so a four-CPU board runs every job exactly as a one-CPU board does.

use swpan_tests::{Boot, BootOptions, boot_with, status};

fn boot_on(cpus: &str, command_line: &str, extra: &[&str]) -> Boot {
    let mut run_options = vec!["--smp", cpus];
    run_options.extend_from_slice(extra);
    boot_with(command_line, &BootOptions { run_options: &run_options, ..Default::default() })
}

/// The lines that say what was tested and how it went, without the measurements that vary
/// from run to run (how many ticks landed inside a window).
fn results(run: &Boot) -> Vec<&str> {
    run.lines()
        .into_iter()
        .filter(|line| line.starts_with("ok ") || line.starts_with("not ok "))
        .collect()
}

#[test]
fn four_cpus_pass_every_self_test_as_one_does() {
    let one = boot_on("1", "selftest", &[]);
    one.assert_status(status::SUCCESS);
    let four = boot_on("4", "selftest", &[]);
    four.assert_status(status::SUCCESS);
    assert!(!results(&one).is_empty(), "{one}");
    assert_eq!(results(&one), results(&four), "{four}");
    four.assert_lacks("not ok");
}

#[test]
fn four_cpus_run_lkdtm_and_the_tour_as_one_does() {
    for command_line in ["lkdtm=all", ""] {
        let one = boot_on("1", command_line, &[]);
        one.assert_status(status::SUCCESS);
        let four = boot_on("4", command_line, &[]);
        four.assert_status(status::SUCCESS);
        assert_eq!(one.console, four.console, "`{command_line}` on 4 CPUs:\n{four}");
    }
}

#[test]
fn four_cpus_entered_in_hyp_mode_boot_too() {
    let run = boot_on("4", "selftest", &["--hyp"]);
    run.assert_status(status::SUCCESS);
    run.assert_contains("entered in HYP_32");
    run.assert_contains("# selftest: ");
    run.assert_lacks("not ok");
}

#[test]
fn qemu_run_refuses_a_cpu_count_the_board_does_not_have() {
    for count in ["0", "5", "four"] {
        let run = boot_on(count, "selftest", &[]);
        run.assert_status(status::USAGE);
        assert!(run.stderr.contains("--smp needs a CPU count from 1 to 4"), "{run}");
    }
}
